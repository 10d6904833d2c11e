"""Rows and columns: inserting, deleting and truncating them, merges, and named ranges."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from sheets_backend.sheets.local.errors import bad_request
from sheets_backend.sheets.local.model import Sheet, Workbook


def dimension_range(
    book: Workbook, rng: Mapping[str, Any] | None, where: str
) -> tuple[Sheet, str, int, int]:
    rng = rng or {}
    sheet = book.sheet_by_id(int(rng.get("sheetId") or 0), where)
    dimension = rng.get("dimension")
    if dimension not in ("ROWS", "COLUMNS"):
        raise bad_request(f"Invalid {where}: dimension must be ROWS or COLUMNS.")
    size = sheet.row_count if dimension == "ROWS" else sheet.column_count
    start = rng.get("startIndex") or 0
    end = rng.get("endIndex")
    end = size if end is None else end
    if start < 0 or end < start:
        raise bad_request(f"Invalid {where}: The range is not valid.")
    return sheet, dimension, start, end


def _shift_keys(
    sparse: dict[Any, Any], axis: int, start: int, delta: int, end: int
) -> dict[Any, Any]:
    """Re-key a sparse (row, col) map after rows or columns were inserted (delta > 0) or deleted."""
    out = {}
    for key, value in sparse.items():
        i = key[axis]
        if delta < 0 and start <= i < end:
            continue
        if i >= start:
            key = (key[0] + delta, key[1]) if axis == 0 else (key[0], key[1] + delta)
        out[key] = value
    return out


def _shift(sheet: Sheet, dimension: str, start: int, delta: int) -> None:
    end = start - delta if delta < 0 else start
    axis = 0 if dimension == "ROWS" else 1
    if axis == 0:
        if delta > 0:
            if start < len(sheet.rows):
                sheet.rows[start:start] = [[] for _ in range(delta)]
        else:
            del sheet.rows[start:end]
    else:
        for row in sheet.rows:
            if start < len(row):
                if delta > 0:
                    row[start:start] = [None] * delta
                else:
                    del row[start:end]
    sheet.formats = _shift_keys(sheet.formats, axis, start, delta, end)
    sheet.notes = _shift_keys(sheet.notes, axis, start, delta, end)
    sheet.validations = _shift_keys(sheet.validations, axis, start, delta, end)
    sheet.trim()


def insert_dimension(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    sheet, dimension, start, end = dimension_range(book, req.get("range"), where)
    _shift(sheet, dimension, start, end - start)
    if dimension == "ROWS":
        sheet.row_count += end - start
    else:
        sheet.column_count += end - start
    return {}


def delete_dimension(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    sheet, dimension, start, end = dimension_range(book, req.get("range"), where)
    size = sheet.row_count if dimension == "ROWS" else sheet.column_count
    if end > size:
        raise bad_request(f"Invalid {where}: The range is not valid.")
    if end - start >= size:
        raise bad_request(
            f"Invalid {where}: You can't delete all the rows or columns on the sheet."
        )
    _shift(sheet, dimension, start, start - end)
    if dimension == "ROWS":
        sheet.row_count -= end - start
    else:
        sheet.column_count -= end - start
    return {}


def truncate(sheet: Sheet, rows: int, columns: int) -> None:
    """Drop what lies beyond a smaller grid."""
    del sheet.rows[rows:]
    for row in sheet.rows:
        del row[columns:]
    for name in ("formats", "notes", "validations"):
        sparse = getattr(sheet, name)
        setattr(sheet, name, {k: v for k, v in sparse.items() if k[0] < rows and k[1] < columns})
    sheet.trim()


def unmerge(sheet: Sheet, r0: int, r1: int, c0: int, c1: int) -> None:
    """Remove merges that overlap the block."""
    sheet.merges = [
        m
        for m in sheet.merges
        if m["endRowIndex"] <= r0
        or m["startRowIndex"] >= r1
        or m["endColumnIndex"] <= c0
        or m["startColumnIndex"] >= c1
    ]


def add_named_range(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    given = dict(req.get("namedRange") or {})
    name = given.get("name") or ""
    if any(n["name"] == name for n in book.named_ranges):
        raise bad_request(f"Invalid {where}: A named range with the name {name} already exists.")
    given["namedRangeId"] = given.get("namedRangeId") or str(secrets.randbelow(2**31 - 1) + 1)
    book.named_ranges.append(given)
    shown = dict(given)
    shown["range"] = {k: v for k, v in (given.get("range") or {}).items() if k != "sheetId" or v}
    return {"addNamedRange": {"namedRange": shown}}


def _named(book: Workbook, range_id: Any, where: str) -> dict[str, Any]:
    for named in book.named_ranges:
        if named["namedRangeId"] == range_id:
            return named
    raise bad_request(f"Invalid {where}: No named range with id: {range_id}")


def delete_named_range(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    book.named_ranges.remove(_named(book, req.get("namedRangeId"), where))
    return {}


def update_named_range(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    given = req.get("namedRange") or {}
    named = _named(book, given.get("namedRangeId"), where)
    fields = (req.get("fields") or "").split(",")
    updated = dict(named)
    for field in fields:
        field = field.strip()
        if field == "*":
            updated = {**given, "namedRangeId": named["namedRangeId"]}
        elif field in ("name", "range"):
            if field in given:
                updated[field] = given[field]
        elif field:
            raise bad_request(f"Invalid {where}: Invalid field: {field}")
    book.named_ranges[book.named_ranges.index(named)] = updated
    return {}
