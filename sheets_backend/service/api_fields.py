"""The JSON bodies the API accepts: each field parsed by a small parser, every problem at once."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import request

from sheets_backend.errors import HiveError

# Google ids are [A-Za-z0-9_-]; local mode also allows a file stem with spaces and dots.
SPREADSHEET_ID = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9 _.-]{0,127}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DRIVE_ID = re.compile(r"^[A-Za-z0-9_-]{1,200}$")


class BadRequest(HiveError):
    """400 with every problem in the body at once, each naming its field."""

    code = "bad_request"
    status = 400

    def __init__(self, problems: list[dict[str, str]]) -> None:
        fields = ", ".join(p["field"] for p in problems)
        super().__init__(f"Hive could not use this request: check {fields}.")
        self.problems = problems

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "problems": self.problems}


def json_body(fields: dict[str, Any]) -> dict[str, Any]:
    """The JSON object body, each field parsed by its parser; every problem reported at once."""
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise BadRequest([{"field": "body", "message": "send a JSON object"}])
    problems = [{"field": name, "message": "not a field Hive knows"} for name in body if name not in fields]
    parsed: dict[str, Any] = {}
    for name, parse in fields.items():
        if name not in body:
            if name == "spreadsheet_id":
                problems.append({"field": name, "message": "required"})
            continue
        try:
            parsed[name] = parse(body[name])
        except ValueError as exc:
            problems.append({"field": name, "message": str(exc)})
    if problems:
        raise BadRequest(problems)
    return parsed


def sheet_id(value: Any) -> str:
    if not isinstance(value, str) or not SPREADSHEET_ID.match(value):
        raise ValueError("a spreadsheet id: the part of its address between /d/ and /edit")
    return value


def outcome_id(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        raise ValueError("an Outcome ID from the Outcomes tab, e.g. M1")
    return value.strip()


def section(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        raise ValueError("a Section as the Roster writes it, e.g. 801")
    return value.strip()


def folder_id(value: Any) -> str:
    if not isinstance(value, str) or not DRIVE_ID.match(value):
        raise ValueError("a Drive folder id: the part of its address after /folders/")
    return value


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def iso_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, str) or not ISO_DATE.match(value):
        raise ValueError("a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("a real date written YYYY-MM-DD") from None
