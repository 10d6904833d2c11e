"""The `spreadsheets.values` endpoints: get, update, append, clear and their batch forms."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from sheets_backend.sheets.local.a1 import column_index, column_letters, format_range
from sheets_backend.sheets.local.errors import bad_request, field_violation
from sheets_backend.sheets.local.model import Formula, Sheet, Workbook, bounded, plain_number
from sheets_backend.sheets.local.render import formatted, is_date_format, parse_user_entered

_PLAIN = frozenset((str, int, float, bool))
RENDER_OPTIONS = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATE_OPTIONS = ("SERIAL_NUMBER", "FORMATTED_STRING")
INPUT_OPTIONS = ("RAW", "USER_ENTERED")


def _choice(params: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = params.get(name) or default
    if value not in allowed:
        raise bad_request(
            f"Invalid value at '{_snake(name)}' (type.googleapis.com/google.apps.sheets.v4."
            f'{name[0].upper()}{name[1:]}), "{value}"'
        )
    return value


def _snake(name: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in name)


def _unformatted(value: Any) -> Any:
    if isinstance(value, Formula):
        return "" if value.value is None else value.value
    return "" if value is None else value


def read_block(
    sheet: Sheet, r0: int, r1: int, c0: int, c1: int, render: str, dates: str, major: str
) -> list[list[Any]]:
    """The values of a bounded block as Google returns them, trailing empties trimmed."""
    formats = sheet.formats
    out: list[list[Any]] = []
    for r in range(r0, min(r1, len(sheet.rows))):
        row = sheet.rows[r][c0:c1]
        while row and row[-1] is None:
            row.pop()
        if render == "FORMATTED_VALUE":
            row = [
                formatted(v, (formats.get((r, c0 + i)) or {}).get("numberFormat"))
                for i, v in enumerate(row)
            ]
        else:
            keep_formula = render == "FORMULA"
            row = [
                v
                if type(v) in _PLAIN
                else v.text
                if keep_formula and isinstance(v, Formula)
                else _unformatted(v)
                for v in row
            ]
            if dates == "FORMATTED_STRING" and formats:
                for i, v in enumerate(row):
                    if type(v) in (int, float):
                        fmt = (formats.get((r, c0 + i)) or {}).get("numberFormat")
                        if is_date_format(fmt):
                            row[i] = formatted(v, fmt)
        out.append(row)
    while out and not out[-1]:
        out.pop()
    if major == "COLUMNS":
        width = max((len(r) for r in out), default=0)
        columns = [[row[c] if c < len(row) else "" for row in out] for c in range(width)]
        for column in columns:
            while column and column[-1] == "":
                column.pop()
        out = columns
    return out


def value_range(
    book: Workbook, text: str, params: Mapping[str, str], *, with_id: bool = False
) -> dict[str, Any]:
    """One ValueRange for `values.get` / `values.batchGet`."""
    render = _choice(params, "valueRenderOption", RENDER_OPTIONS, "FORMATTED_VALUE")
    dates = _choice(params, "dateTimeRenderOption", DATE_OPTIONS, "SERIAL_NUMBER")
    major = _choice(params, "majorDimension", ("ROWS", "COLUMNS"), "ROWS")
    sheet, rng = book.resolve(text)
    r0, r1, c0, c1 = bounded(sheet, rng, text)
    reply: dict[str, Any] = {"range": format_range(sheet.title, r0, r1, c0, c1)}
    reply["majorDimension"] = major
    values = read_block(sheet, r0, r1, c0, c1, render, dates, major)
    if values:
        reply["values"] = values
    return reply


def batch_get(book: Workbook, ranges: list[str], params: Mapping[str, str]) -> dict[str, Any]:
    return {
        "spreadsheetId": book.spreadsheet_id,
        "valueRanges": [value_range(book, text, params) for text in ranges],
    }


def _rows_of(body: Mapping[str, Any], where: str) -> list[list[Any]]:
    values = body.get("values")
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(r, list) for r in values):
        bad = (
            values
            if not isinstance(values, list)
            else next(r for r in values if not isinstance(r, list))
        )
        raise field_violation(
            f"{where}values",
            f"Invalid value at '{where}values' (type.googleapis.com/google.protobuf.ListValue), "
            f"{_json_scalar(bad)}",
        )
    if (body.get("majorDimension") or "ROWS") == "COLUMNS":
        height = max((len(c) for c in values), default=0)
        return [[c[r] if r < len(c) else None for c in values] for r in range(height)]
    return values


def _json_scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def write_block(
    sheet: Sheet, r0: int, c0: int, rows: list[list[Any]], option: str
) -> tuple[int, int, int, tuple[int, int, int, int] | None]:
    """Write rows of user values at (r0, c0), skipping nulls.

    Returns (rows, columns, cells) written, counted as Google does (distinct rows and columns
    that received a value), and the bounding box of the written cells."""
    user_entered = option == "USER_ENTERED"
    cells = 0
    written_rows: set[int] = set()
    written_cols: set[int] = set()
    for i, row in enumerate(rows):
        r = r0 + i
        for j, raw in enumerate(row):
            if raw is None:
                continue
            if isinstance(raw, (dict, list)):
                kind = "struct_value" if isinstance(raw, dict) else "list_value"
                raise bad_request(f"Invalid values[{i}][{j}]: {kind}")
            cells += 1
            c = c0 + j
            written_rows.add(r)
            written_cols.add(c)
            if user_entered:
                value, number_format = parse_user_entered(raw)
                if number_format is not None:
                    old = sheet.formats.get((r, c), {})
                    sheet.formats[(r, c)] = {**old, "numberFormat": number_format}
            else:
                value = None if raw == "" else plain_number(raw) if isinstance(raw, float) else raw
            sheet.set_value(r, c, value)
    sheet.trim()
    box = None
    if cells:
        box = (min(written_rows), max(written_rows) + 1, min(written_cols), max(written_cols) + 1)
    return len(written_rows), len(written_cols), cells, box


def _update_reply(
    book: Workbook, sheet: Sheet, written: tuple[Any, ...], r0: int, c0: int
) -> dict[str, Any]:
    n_rows, n_cols, cells, box = written
    reply: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id}
    if box is None:
        reply["updatedRange"] = format_range(sheet.title, r0, r0 + 1, c0, c0 + 1)
        return reply
    reply["updatedRange"] = format_range(sheet.title, *box)
    reply.update(updatedRows=n_rows, updatedColumns=n_cols, updatedCells=cells)
    return reply


def update(
    book: Workbook, text: str, body: Mapping[str, Any], option: str | None, where: str = "data."
) -> dict[str, Any]:
    """`values.update`: write a ValueRange; Google's UpdateValuesResponse."""
    if option is None:
        raise bad_request("'valueInputOption' is required but not specified")
    if option not in INPUT_OPTIONS:
        raise bad_request(
            "Invalid value at 'value_input_option' (type.googleapis.com/google.apps.sheets.v4."
            f'ValueInputOption), "{option}"'
        )
    rows = _rows_of(body, where)
    sheet, rng = book.resolve(text)
    r0, r1, c0, c1 = bounded(sheet, rng, text)
    height = len(rows)
    width = max((len(r) for r in rows), default=0)
    # One cell is an anchor the data grows from; a longer range is a box the data must fit in.
    anchor = rng.end_row is not None and r1 - r0 == 1 and c1 - c0 == 1
    if not anchor and rng.end_row is not None and r0 + height > r1:
        raise bad_request(
            f"Requested writing within range [{text}], but tried writing to row [{r0 + height}]"
        )
    if not anchor and rng.end_col is not None and c0 + width > c1:
        raise bad_request(
            f"Requested writing within range [{text}], but tried writing to column "
            f"[{column_letters(c0 + width - 1)}]"
        )
    if r0 + height > sheet.row_count or c0 + width > sheet.column_count:
        bounded(sheet, type(rng)(sheet.title, r0, r0 + height, c0, c0 + width), text)
    written = write_block(sheet, r0, c0, rows, option)
    return _update_reply(book, sheet, written, r0, c0)


def batch_update(book: Workbook, body: Mapping[str, Any]) -> dict[str, Any]:
    option = body.get("valueInputOption")
    responses = []
    for i, data in enumerate(body.get("data") or []):
        responses.append(update(book, data.get("range", ""), data, option, f"data[{i}]."))
    rows: set[tuple[str, str]] = set()
    columns: set[tuple[str, str]] = set()
    for r in responses:
        if "updatedRows" not in r:
            continue
        title, _, cells = r["updatedRange"].rpartition("!")
        start, _, end = cells.partition(":")
        first = re.match(r"([A-Z]+)(\d+)", start)
        last = re.match(r"([A-Z]+)(\d+)", end or start)
        assert first and last
        rows.update((title, str(n)) for n in range(int(first[2]), int(last[2]) + 1))
        columns.update(
            (title, str(n)) for n in range(column_index(first[1]), column_index(last[1]) + 1)
        )
    reply: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id}
    totals = {
        "totalUpdatedRows": len(rows),
        "totalUpdatedColumns": len(columns),
        "totalUpdatedCells": sum(r.get("updatedCells", 0) for r in responses),
        "totalUpdatedSheets": len({t for t, _ in rows}),
    }
    reply.update({k: v for k, v in totals.items() if v})
    reply["responses"] = responses
    return reply


def append(
    book: Workbook, text: str, body: Mapping[str, Any], params: Mapping[str, str]
) -> dict[str, Any]:
    """`values.append`: find the table the range points into and write after its last row."""
    option = params.get("valueInputOption")
    if option is None:
        raise bad_request("'valueInputOption' is required but not specified")
    rows = _rows_of(body, "data.")
    sheet, rng = book.resolve(text)
    r0 = rng.start_row or 0
    c0 = rng.start_col or 0
    c1 = rng.end_col if rng.end_col is not None else sheet.column_count
    table = _find_table(sheet, r0, c0, c1)
    reply: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id}
    start, column = r0, c0
    if table is not None:
        t0, t1, tc0, tc1 = table
        reply["tableRange"] = format_range(sheet.title, t0, t1, tc0, tc1)
        start, column = t1, tc0
    height = len(rows)
    width = max((len(r) for r in rows), default=0)
    if params.get("insertDataOption") == "INSERT_ROWS" and start < len(sheet.rows):
        sheet.rows[start:start] = [[] for _ in range(height)]
        sheet.row_count += height
    sheet.row_count = max(sheet.row_count, start + height)
    sheet.column_count = max(sheet.column_count, column + width)
    written = write_block(sheet, start, column, rows, option)
    reply["updates"] = _update_reply(book, sheet, written, start, column)
    return reply


def _find_table(sheet: Sheet, r0: int, c0: int, c1: int) -> tuple[int, int, int, int] | None:
    """The table `values.append` extends, as Google picks it: the rows from the range's first
    row down to the first empty one, and of their filled columns the last contiguous run."""
    filled: set[int] = set()
    r = r0
    while r < len(sheet.rows):
        row = sheet.rows[r]
        here = {c for c in range(c0, min(c1, len(row))) if row[c] is not None}
        if not here:
            break
        filled |= here
        r += 1
    if not filled:
        return None
    end = max(filled)
    start = end
    while start - 1 in filled:
        start -= 1
    return r0, r, start, end + 1


def clear_range(book: Workbook, text: str) -> str:
    """Clear values (not formats or notes) in a range; returns the normalised range."""
    sheet, rng = book.resolve(text)
    r0, r1, c0, c1 = bounded(sheet, rng, text)
    for r in range(r0, min(r1, len(sheet.rows))):
        row = sheet.rows[r]
        for c in range(c0, min(c1, len(row))):
            row[c] = None
    sheet.trim()
    return format_range(sheet.title, r0, r1, c0, c1)


def clear(book: Workbook, text: str) -> dict[str, Any]:
    return {"spreadsheetId": book.spreadsheet_id, "clearedRange": clear_range(book, text)}


def batch_clear(book: Workbook, body: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "spreadsheetId": book.spreadsheet_id,
        "clearedRanges": [clear_range(book, text) for text in body.get("ranges") or []],
    }
