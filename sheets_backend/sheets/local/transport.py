"""The `requests` transport: gspread's HTTP calls answered in-process by a LocalSheets service."""

from __future__ import annotations

import gzip
import zlib
from typing import Any, Protocol

import orjson
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from sheets_backend.sheets.local.errors import ApiError, bad_request

PREFIXES = ("https://sheets.googleapis.com/", "https://www.googleapis.com/")


class Handler(Protocol):
    """What answers the calls: the local Drive in front of the local Sheets service. The transport
    knows only this shape, so it imports neither (the arrows run service -> drive -> transport)."""

    def handle(self, method: str, url: str, body: bytes | None) -> tuple[int, Any]: ...


class LocalSheetsAdapter(BaseAdapter):
    """Mounted on a `requests.Session` for Google's API hosts; nothing leaves the process."""

    def __init__(self, service: Handler) -> None:
        super().__init__()
        self.service = service

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        try:
            body = decoded(request.headers.get("Content-Encoding"), body)
        except ApiError as error:
            status, payload = error.code, error.body()
        else:
            status, payload = self.service.handle(request.method or "GET", request.url or "", body)
        response = requests.Response()
        response.status_code = status
        response.reason = {200: "OK", 204: "No Content"}.get(status, "Error")
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        if payload is None:
            response._content = b""
            response.headers = CaseInsensitiveDict()
        else:
            response._content = orjson.dumps(payload)
            response.headers = CaseInsensitiveDict(
                {"Content-Type": "application/json; charset=UTF-8"}
            )
        return response

    def close(self) -> None:
        pass


def decoded(encoding: str | None, body: bytes | None) -> bytes | None:
    """The body as JSON bytes; Google's 400 (`ApiError`) for one it could not decompress.

    Google's front end takes gzip request bodies (its own client libraries send them so by
    default); Hive's gateway does too. Any other encoding is refused, so Hive never relies on one.
    """
    name = (encoding or "identity").strip().lower()
    if name == "identity" or body is None:
        return body
    if name != "gzip":
        raise bad_request(f"Unsupported Content-Encoding: {encoding}")
    try:
        return gzip.decompress(body)
    except (OSError, EOFError, zlib.error):
        raise bad_request("Invalid gzip-compressed request body.") from None


def session(service: Handler) -> requests.Session:
    """A Session whose Google traffic goes to `service`."""
    s = requests.Session()
    adapter = LocalSheetsAdapter(service)
    for prefix in PREFIXES:
        s.mount(prefix, adapter)
    return s
