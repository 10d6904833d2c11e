"""Injected failures and slowness, so retry and timeout paths can be tested against real HTTP."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sheets_backend.sheets.local.errors import ApiError

_MESSAGES = {
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    429: (
        "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute "
        "per user' of service 'sheets.googleapis.com' for consumer 'project_number:0'."
    ),
    500: "Internal error encountered.",
    502: "Bad Gateway",
    503: "The service is currently unavailable.",
    504: "Deadline exceeded.",
}
_STATUS = {403: "PERMISSION_DENIED", 404: "NOT_FOUND", 502: "UNAVAILABLE",
           504: "DEADLINE_EXCEEDED"}


@dataclass
class Faults:
    """`fail_next(status, count)` answers the next `count` calls with Google's error for `status`
    (`after=n`: once n more calls have succeeded); `fail_after_apply(status, count)` applies the
    next `count` writes, then answers that error (a reply lost after Google applied the call);
    `delay` holds every call that long first."""

    delay: float = 0.0
    _pending: list[int] = field(default_factory=list)
    _after: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def fail_next(self, status: int = 503, count: int = 1, *, after: int = 0) -> None:
        if status not in _MESSAGES:
            raise ValueError(f"status must be one of {sorted(_MESSAGES)}, not {status}")
        with self._lock:
            self._pending.extend([0] * after + [status] * count)

    def fail_after_apply(self, status: int = 503, count: int = 1) -> None:
        if status not in _MESSAGES:
            raise ValueError(f"status must be one of {sorted(_MESSAGES)}, not {status}")
        with self._lock:
            self._after.extend([status] * count)

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
            self._after.clear()
        self.delay = 0.0

    @property
    def pending(self) -> int:
        return len(self._pending)

    def take(self) -> ApiError | None:
        """The error this call must answer with, if one is queued."""
        with self._lock:
            if not self._pending:
                return None
            status = self._pending.pop(0)
        if not status:  # a call let through before the failures
            return None
        return ApiError(status, _MESSAGES[status], status=_STATUS.get(status))

    def take_after_apply(self) -> ApiError | None:
        """The error a write that was just applied must answer with, if one is queued."""
        with self._lock:
            if not self._after:
                return None
            status = self._after.pop(0)
        return ApiError(status, _MESSAGES[status], status=_STATUS.get(status))
