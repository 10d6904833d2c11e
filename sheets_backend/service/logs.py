"""The service's logs: JSON lines with a request id and counts, never names, scores or tokens."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from flask import g, has_request_context

_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class JsonLinesFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and every `extra` field."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "severity": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS})
        return json.dumps(entry, default=str)


class RequestIdFilter(logging.Filter):
    """Stamps every record logged during a request (the gateway's too) with its request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id") and has_request_context():
            record.request_id = g.get("request_id")
        return True


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stderr for the whole process (entry points call this, never create_app)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLinesFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
