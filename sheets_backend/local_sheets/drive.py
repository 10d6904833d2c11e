"""The Drive v3 calls gspread makes around a spreadsheet: create, get, list, copy, delete."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sheets_backend.local_sheets.errors import ApiError
from sheets_backend.local_sheets.fields import parse_mask, select
from sheets_backend.local_sheets.model import Sheet, Workbook, new_spreadsheet_id

MIME = "application/vnd.google-apps.spreadsheet"
_NAME_QUERY = re.compile(r"name\s*=\s*(['\"])((?:\\.|(?!\1).)*)\1")


def now() -> str:
    return (
        datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{datetime.now(UTC).microsecond // 1000:03d}Z"
    )


def file_not_found(file_id: str) -> ApiError:
    message = f"File not found: {file_id}."
    return ApiError(
        404,
        message,
        errors=[
            {
                "message": message,
                "domain": "global",
                "reason": "notFound",
                "location": "fileId",
                "locationType": "parameter",
            }
        ],
    )


def new_workbook(name: str) -> Workbook:
    """A spreadsheet as Drive creates one: one 1000 x 26 tab called Sheet1 with id 0."""
    stamp = now()
    return Workbook(
        new_spreadsheet_id(), name, [Sheet(0, "Sheet1")], created_time=stamp, modified_time=stamp
    )


def file_json(book: Workbook) -> dict[str, Any]:
    return {
        "kind": "drive#file",
        "id": book.spreadsheet_id,
        "name": book.title,
        "mimeType": MIME,
        "createdTime": book.created_time,
        "modifiedTime": book.modified_time,
    }


def created(book: Workbook) -> dict[str, Any]:
    return {k: v for k, v in file_json(book).items() if k in ("kind", "id", "name", "mimeType")}


def get(book: Workbook, params: Mapping[str, str]) -> dict[str, Any]:
    fields = params.get("fields")
    if not fields:
        return created(book)
    return select(file_json(book), parse_mask(fields))


def listing(books: list[Workbook], params: Mapping[str, str]) -> dict[str, Any]:
    """`files.list` for the only query gspread sends: spreadsheets, optionally by exact name."""
    query = params.get("q", "")
    m = _NAME_QUERY.search(query)
    wanted = m.group(2).replace("\\'", "'").replace('\\"', '"') if m else None
    files = [file_json(b) for b in books if wanted is None or b.title == wanted]
    reply = {"kind": "drive#fileList", "files": files}
    fields = params.get("fields")
    return select(reply, parse_mask(fields)) if fields else reply
