"""Google's error envelope: the one exception every handler raises to answer with a 4xx or 5xx."""

from __future__ import annotations

from typing import Any

_STATUS = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
}


class ApiError(Exception):
    """An answer Google would give as `{"error": {"code", "message", "status"}}`."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        status: str | None = None,
        details: list[Any] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or _STATUS.get(code, "UNKNOWN")
        self.details = details
        self.errors = errors  # Drive's older shape: a list of {message, domain, reason}

    def body(self) -> dict[str, Any]:
        if self.errors is not None:
            return {"error": {"code": self.code, "message": self.message, "errors": self.errors}}
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def bad_request(message: str) -> ApiError:
    """A 400 INVALID_ARGUMENT with Google's wording."""
    return ApiError(400, message)


def field_violation(field: str, description: str) -> ApiError:
    """A 400 that also names the offending field, as Google does for malformed JSON payloads."""
    return ApiError(
        400,
        description,
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": field, "description": description}],
            }
        ],
    )


def not_found(message: str = "Requested entity was not found.") -> ApiError:
    return ApiError(404, message)


def permission_denied() -> ApiError:
    """Google's answer for a spreadsheet that exists but is not shared with the caller."""
    return ApiError(403, "The caller does not have permission")
