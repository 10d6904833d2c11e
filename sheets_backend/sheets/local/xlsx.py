"""Workbooks to and from .xlsx; what Excel cannot hold lives in a hidden `_hive_meta` tab."""

from __future__ import annotations

import io
import json
import os
import re
import stat
import tempfile
import warnings
import zipfile
from copy import copy
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell import Cell
from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900, to_excel
from openpyxl.utils.exceptions import InvalidFileException

from sheets_backend.errors import WorkbookInvalid
from sheets_backend.sheets.local import xlsx_cells, xlsx_package, xlsx_styles
from sheets_backend.sheets.local.colours import normalise_format
from sheets_backend.sheets.local.model import (
    DEFAULT_COLUMNS,
    DEFAULT_ROWS,
    Formula,
    Sheet,
    Workbook,
    plain_number,
)
from sheets_backend.sheets.local.render import EPOCH, evaluate

META_TITLE = "_hive_meta"
MAX_CELLS = 10_000_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_CHUNK = 30_000  # an xlsx cell holds at most 32,767 characters


def _refuse(path: Path, why: str) -> WorkbookInvalid:
    return WorkbookInvalid(f"{path.name} cannot be opened: {why}")


def _declared_cells(path: Path) -> int:
    """Cells the worksheets declare in their <dimension> tags, read without loading them."""
    from openpyxl.utils import column_index_from_string

    total = 0
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
                with archive.open(name) as part:
                    head = part.read(4096)
                m = _DIMENSION.search(head)
                if m and m.group(3):
                    total += int(m.group(4)) * column_index_from_string(m.group(3).decode())
    return total


def _check(path: Path) -> None:
    if not path.is_file():
        raise _refuse(path, "the file does not exist.")
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic == _OLE_MAGIC:
        raise _refuse(
            path,
            "it is password protected (or an old .xls file). Remove the password in Excel "
            "(File > Info > Protect Workbook) or save it as .xlsx, then try again.",
        )
    if not zipfile.is_zipfile(path):
        raise _refuse(path, "it is not an .xlsx workbook. Save it from Excel or Sheets as .xlsx.")
    cells = _declared_cells(path)
    if cells > MAX_CELLS:
        raise _refuse(
            path, f"it has {cells:,} cells; Google Sheets (and Hive) allow at most {MAX_CELLS:,}."
        )


def _serial(value: Any, epoch: datetime = CALENDAR_WINDOWS_1900) -> Any:
    """A date openpyxl read from a cell back to the serial number the cell holds.

    openpyxl turned the cell's number into a date with Excel's 1900 calendar (which counts a
    29 February 1900 that never was, so serials below 60 are off by one from the 1899-12-30 base
    Sheets uses); to_excel applies the same rule backwards and gives the stored number exactly.
    """
    if isinstance(value, (datetime, date, time)):
        return plain_number(to_excel(value, epoch))
    return _fallback_serial(value)


def _fallback_serial(value: Any) -> Any:
    if isinstance(value, datetime):
        return plain_number((value - EPOCH) / timedelta(days=1))
    if isinstance(value, date):
        return (value - EPOCH.date()).days
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    if isinstance(value, timedelta):
        return plain_number(value / timedelta(days=1))
    return value


def remove_stale_temps(path: Path) -> None:
    """Temp files a killed save left beside `path` (a live save is never running at open)."""
    for temp in path.parent.glob(f".{glob_escape(path.stem)}-*.xlsx.tmp"):
        temp.unlink(missing_ok=True)


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def load(path: Path, spreadsheet_id: str) -> Workbook:
    """An .xlsx file as a Workbook; WorkbookInvalid for anything that is not a readable xlsx."""
    _check(path)
    if path.parent.is_dir():
        remove_stale_temps(path)
    data = path.read_bytes()
    try:
        source, parts = xlsx_package.read_source(data)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            workbook_xml = archive.read(source.workbook_part)
        tab_parts = {name: p.part for name, p in parts.items() if name != META_TITLE}
        # Tabs without formulas: calamine reads their cells, openpyxl the rest (xlsx_cells).
        hollowed, fast = xlsx_cells.hollow(data, tab_parts, workbook_xml)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it skips
            wb = openpyxl.load_workbook(io.BytesIO(hollowed), data_only=False)
        cells = xlsx_cells.FastCells(data) if fast else None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError,
            SyntaxError) as error:
        raise _refuse(path, f"it is not a readable .xlsx workbook ({error}).") from error
    meta = _read_meta(wb, parts)
    book_meta = meta.get(("workbook", ""), {})
    book = Workbook(spreadsheet_id, book_meta.get("title") or path.stem)
    book.locale = book_meta.get("locale", book.locale)
    book.time_zone = book_meta.get("timeZone", book.time_zone)
    book.named_ranges = book_meta.get("namedRanges", [])
    book.developer_metadata = developer_metadata_from(book_meta)
    formula_cells: dict[str, list[tuple[int, int]]] = {}
    used_ids: set[int] = set()
    for ws in wb.worksheets:
        if ws.title == META_TITLE:
            continue
        part = parts.get(ws.title)
        sheet_meta = meta.get(("xlsx", str(part.xlsx_id)) if part else ("", ""))
        if sheet_meta is None:  # a file saved before tabs were recorded by id
            sheet_meta = meta.get(("sheet", ws.title), {})
        sheet_id = sheet_meta.get("sheetId")
        if sheet_id is None or sheet_id in used_ids:
            sheet_id = len(book.sheets) if len(book.sheets) not in used_ids else book.new_sheet_id()
        used_ids.add(sheet_id)
        if cells is not None and ws.title in fast:
            try:
                rows, styles = cells.rows(ws.title, tab_parts[ws.title])
            except Exception as error:  # calamine's own errors have no common base class
                raise _refuse(path, f"it is not a readable .xlsx workbook ({error}).") from error
            sheet = _load_fast_sheet(ws, sheet_id, sheet_meta, rows, styles)
        else:
            sheet = _load_sheet(ws, sheet_id, sheet_meta, formula_cells.setdefault(ws.title, []))
        book.sheets.append(sheet)
    if cells is not None:
        cells.close()
    if any(formula_cells.values()):
        _fill_cached_values(data, book, formula_cells, wb.epoch)
    if not book.sheets:
        raise _refuse(path, "it has no worksheets.")
    book.source = xlsx_package.with_loaded(source, {s.title: s for s in book.sheets})
    return book


def _load_sheet(
    ws: Any, sheet_id: int, meta: dict[str, Any], formulas: list[tuple[int, int]]
) -> Sheet:
    sheet = Sheet(sheet_id, ws.title)
    # Iterating the cell map directly skips the empty positions iter_rows would create.
    for (row, col), cell in sorted(ws._cells.items()):
        r, c = row - 1, col - 1
        value = cell.value
        if cell.data_type == "f" or (
            isinstance(value, str) and value.startswith("=") and cell.data_type == "f"
        ):
            text = getattr(value, "text", value)
            text = text if str(text).startswith("=") else f"={text}"
            value = Formula(str(text), evaluate(str(text)))
            formulas.append((r, c))
        elif isinstance(value, (datetime, date, time, timedelta)):
            value = _serial(value, ws.parent.epoch)
        elif isinstance(value, float):
            value = plain_number(value)
        elif value == "":
            value = None
        if value is not None:
            sheet.set_value(r, c, value)
        if cell.has_style:
            fmt = xlsx_styles.cell_format(cell)
            if fmt:
                sheet.formats[(r, c)] = normalise_format(fmt)
        if cell.comment is not None and cell.comment.text:
            sheet.notes[(r, c)] = cell.comment.text
    return _finish_sheet(ws, sheet, meta)


def _load_fast_sheet(
    ws: Any, sheet_id: int, meta: dict[str, Any], rows: list[list[Any]],
    styles: dict[tuple[int, int], int],
) -> Sheet:
    """A tab whose cells calamine read; openpyxl's copy holds only its notes and properties."""
    sheet = Sheet(sheet_id, ws.title, rows=rows)
    by_index: dict[int, dict[str, Any] | None] = {}
    for rc, index in styles.items():
        if index not in by_index:
            if index >= len(ws.parent._cell_styles):  # a style the file does not define
                by_index[index] = None
                continue
            probe = Cell(ws)
            probe._style = copy(ws.parent._cell_styles[index])
            fmt = xlsx_styles.cell_format(probe)
            by_index[index] = normalise_format(fmt) if fmt else None
        found = by_index[index]
        if found is not None:
            sheet.formats[rc] = found
    for (row, col), cell in ws._cells.items():
        if cell.comment is not None and cell.comment.text:
            sheet.notes[(row - 1, col - 1)] = cell.comment.text
    return _finish_sheet(ws, sheet, meta)


def _finish_sheet(ws: Any, sheet: Sheet, meta: dict[str, Any]) -> Sheet:
    sheet.trim()
    n_rows, n_cols = sheet.data_extent()
    sheet.row_count = meta.get("rowCount") or max(n_rows, DEFAULT_ROWS)
    sheet.column_count = meta.get("columnCount") or max(n_cols, DEFAULT_COLUMNS)
    sheet.row_count = max(sheet.row_count, n_rows)
    sheet.column_count = max(sheet.column_count, n_cols)
    xlsx_styles.load_sheet_properties(ws, sheet)
    sheet.protected_ranges = meta.get("protectedRanges", [])
    sheet.column_pixels = {int(c): int(px) for c, px in meta.get("columnPixels", {}).items()}
    sheet.row_pixels = {int(r): int(px) for r, px in meta.get("rowPixels", {}).items()}
    if "validations" in meta:
        for entry in meta["validations"]:
            for r, c0, c1 in entry["cells"]:
                for c in range(c0, c1):
                    sheet.validations[(r, c)] = entry["rule"]
    else:
        xlsx_styles.load_validations(ws, sheet)
    return sheet


def _fill_cached_values(
    data: bytes, book: Workbook, formulas: dict[str, list[tuple[int, int]]], epoch: datetime
) -> None:
    """A formula's value is the one the file last calculated (what Google shows UNFORMATTED);
    only a formula without a cached value keeps this service's own evaluation."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cached = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    try:
        for sheet in book.sheets:
            cells = formulas.get(sheet.title, [])
            if not cells:
                continue
            ws = cached[sheet.title]
            grid = {
                (r, c): v
                for r, row in enumerate(ws.iter_rows(values_only=True))
                for c, v in enumerate(row)
                if v is not None
            }
            for r, c in cells:
                if (r, c) in grid:
                    old = sheet.value(r, c)
                    value = grid[(r, c)]
                    if isinstance(value, (datetime, date, time, timedelta)):
                        value = _serial(value, epoch)
                    elif isinstance(value, float):
                        value = plain_number(value)
                    sheet.set_value(r, c, Formula(old.text, value))
    finally:
        cached.close()


def _read_meta(
    wb: Any, parts: dict[str, xlsx_package.SourceSheet]
) -> dict[tuple[str, str], dict[str, Any]]:
    """Hive's records: the workbook's, and each tab's keyed by its xlsx sheetId (which survives
    a rename in Excel), so a tab that takes a Hive tab's name never takes its ownership."""
    if META_TITLE not in wb.sheetnames:
        return {}
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for row in wb[META_TITLE].iter_rows(values_only=True):
        if not row or row[0] not in ("workbook", "sheet"):
            continue
        text = "".join(str(v) for v in row[2:] if v is not None)
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            continue
        if not isinstance(data, dict):
            continue
        if row[0] == "sheet" and "xlsxSheetId" in data:
            out[("xlsx", str(data["xlsxSheetId"]))] = data
        else:
            out[(row[0], row[1] or "")] = data
    return out


def developer_metadata_from(book_meta: dict[str, Any]) -> list[dict[str, Any]]:
    """The workbook's developer metadata, as `_hive_meta`'s workbook row keeps it."""
    return [dict(m) for m in book_meta.get("developerMetadata", []) if isinstance(m, dict)]


def developer_metadata_row(book: Workbook) -> dict[str, Any]:
    """The part of `_hive_meta`'s workbook row that keeps the developer metadata (none: nothing)."""
    return {"developerMetadata": book.developer_metadata} if book.developer_metadata else {}


def _meta_rows(book: Workbook, xlsx_ids: dict[int, int]) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["hive-meta", "1", "Hive keeps what .xlsx cannot hold here. Do not edit."]
    ]
    entries: list[tuple[str, str, dict[str, Any]]] = [
        (
            "workbook",
            "",
            {
                "title": book.title,
                "locale": book.locale,
                "timeZone": book.time_zone,
                "namedRanges": book.named_ranges,
                **developer_metadata_row(book),
            },
        ),
    ]
    for sheet in book.sheets:
        groups: dict[str, dict[str, Any]] = {}
        for (r, c), rule in sorted(sheet.validations.items()):
            key = json.dumps(rule, sort_keys=True)
            cells = groups.setdefault(key, {"rule": rule, "cells": []})["cells"]
            if cells and cells[-1][0] == r and cells[-1][2] == c:
                cells[-1][2] = c + 1
            else:
                cells.append([r, c, c + 1])
        entries.append(
            (
                "sheet",
                sheet.title,
                {
                    "xlsxSheetId": xlsx_ids[sheet.sheet_id],
                    "sheetId": sheet.sheet_id,
                    "rowCount": sheet.row_count,
                    "columnCount": sheet.column_count,
                    "protectedRanges": sheet.protected_ranges,
                    "validations": list(groups.values()),
                    # Pixel sizes exactly as the API set them (Excel's widths are in characters).
                    **({"columnPixels": {str(c): px for c, px in sorted(sheet.column_pixels.items())}}
                       if sheet.column_pixels else {}),
                    **({"rowPixels": {str(r): px for r, px in sorted(sheet.row_pixels.items())}}
                       if sheet.row_pixels else {}),
                },
            )
        )
    for kind, key, data in entries:
        text = json.dumps(data, ensure_ascii=False)
        rows.append([kind, key, *[text[i : i + _CHUNK] for i in range(0, len(text), _CHUNK)]])
    return rows


def save(book: Workbook, path: Path) -> None:
    """Write atomically (a temp file beside the target, then os.replace), copying every part of
    the loaded file that Hive did not change; the file keeps its permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    meta = Sheet(-1, META_TITLE, hidden=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".xlsx.tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
                xlsx_package.assemble(book, meta, lambda ids: _meta_rows(book, ids), out)
        os.chmod(temp, mode)
        os.replace(temp, path)
    finally:
        Path(temp).unlink(missing_ok=True)
