"""The service's one error envelope: `{"error": {"code", "message", ...}}` with the HTTP status.

HiveError subclasses carry their own code and words; Werkzeug's HTTP errors get Hive's words here;
anything unexpected is a 500 whose log line names where it broke but never the exception's text.
"""

from __future__ import annotations

import logging
import traceback

from flask import Flask, Response, current_app, g, jsonify
from werkzeug.exceptions import HTTPException

from sheets_backend.errors import HiveError
from sheets_backend.service.ratelimit import RateLimited

log = logging.getLogger(__name__)

# Werkzeug's HTTP errors, in the envelope's words.
HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Hive could not read this request. Update the Hive add-on and try again."),
    404: ("not_found", "There is nothing here. The Hive API lives under /v1."),
    405: ("method_not_allowed", "This address does not take that method. See /v1/openapi.json."),
    413: ("request_too_large", "This request is larger than Hive accepts."),
    415: ("bad_request", "Hive expects a JSON body (Content-Type: application/json)."),
}


def register(app: Flask) -> None:
    """Answer every error of `app` in the envelope."""
    app.register_error_handler(HiveError, hive_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected_error)


def envelope(status: int, error: dict[str, object], headers: dict[str, str] | None = None) -> Response:
    """THE error response: `{"error": {"code", "message", ...}}` with `status`."""
    g.error_code = error.get("code")
    response = jsonify(error=error)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def hive_error(exc: HiveError) -> Response:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="hive"'
    return envelope(exc.status, exc.to_dict(), headers)


def http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    code, message = HTTP_CODES.get(status, (f"http_{status}", exc.description or "HTTP error"))
    if status == 413:
        limit = current_app.extensions["hive"].config.max_request_bytes
        message = f"{message} Send at most {limit:,} bytes."
    headers = {k: v for k, v in exc.get_headers() if k == "Allow"}
    return envelope(400 if status == 415 else status, {"code": code, "message": message}, headers)


def unexpected_error(exc: Exception) -> Response:
    # Where it broke, without the exception's text: that could quote a student's name or score.
    frames = [f"{f.filename}:{f.lineno}:{f.name}" for f in traceback.extract_tb(exc.__traceback__)]
    log.error("unexpected error", extra={"error": type(exc).__name__, "frames": frames[-6:]})
    return envelope(
        500,
        {
            "code": "internal_error",
            "message": "Something went wrong inside Hive. Nothing was written; try again, and if it "
            f"keeps happening tell Hive's support the request id {g.get('request_id', '')}.",
            "request_id": g.get("request_id", ""),
        },
    )
