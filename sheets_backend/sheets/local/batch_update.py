"""`spreadsheets.batchUpdate`: the request kinds Hive uses, applied to a copy (all or nothing)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Any

from sheets_backend.sheets.local import dimensions, metadata
from sheets_backend.sheets.local.cells import CellWriter, from_extended
from sheets_backend.sheets.local.colours import eight_bit, twin
from sheets_backend.sheets.local.errors import bad_request
from sheets_backend.sheets.local.fields import copy_path, parse_mask, paths
from sheets_backend.sheets.local.model import DEFAULT_COLUMNS, DEFAULT_ROWS, Sheet, Workbook
from sheets_backend.sheets.local.spreadsheet import grid_range, protected_range, sheet_properties

Handler = Callable[[Workbook, Mapping[str, Any], str], dict[str, Any]]


def grid(
    book: Workbook, rng: Mapping[str, Any] | None, where: str
) -> tuple[Sheet, int, int, int, int]:
    """A GridRange closed at the grid's edges; past the edge is Google's 400."""
    rng = rng or {}
    sheet = book.sheet_by_id(int(rng.get("sheetId") or 0), where)
    r0 = rng.get("startRowIndex") or 0
    c0 = rng.get("startColumnIndex") or 0
    r1 = rng.get("endRowIndex")
    c1 = rng.get("endColumnIndex")
    r1 = sheet.row_count if r1 is None else r1
    c1 = sheet.column_count if c1 is None else c1
    if r0 < 0 or c0 < 0 or r1 < r0 or c1 < c0:
        raise bad_request(f"Invalid {where}: The range is not valid.")
    if r1 > sheet.row_count or c1 > sheet.column_count:
        raise bad_request(
            f"Invalid {where}: Range ({sheet.title}) exceeds grid limits. "
            f"Max rows: {sheet.row_count}, max columns: {sheet.column_count}"
        )
    return sheet, r0, r1, c0, c1


def _apply_sheet_properties(
    book: Workbook, sheet: Sheet, props: Mapping[str, Any], where: str
) -> None:
    """Set a Sheet from a SheetProperties dict (the full, already-merged one)."""
    title = props.get("title") or sheet.title
    clash = book.sheet_by_title(title)  # Google refuses names that differ only in case too
    if clash is not None and clash is not sheet:
        raise bad_request(
            f'Invalid {where}: A sheet with the name "{title}" already exists. '
            "Please enter another name."
        )
    sheet.title = title
    gp = props.get("gridProperties") or {}
    rows = gp.get("rowCount") or 0
    columns = gp.get("columnCount") or 0
    if rows < 1 or columns < 1:
        raise bad_request(f"Invalid {where}: Sheets must have at least one row and one column.")
    if rows < sheet.row_count or columns < sheet.column_count:
        dimensions.truncate(sheet, rows, columns)
    sheet.row_count, sheet.column_count = rows, columns
    sheet.frozen_rows = gp.get("frozenRowCount") or 0
    sheet.frozen_columns = gp.get("frozenColumnCount") or 0
    if sheet.frozen_rows > rows or sheet.frozen_columns > columns:
        raise bad_request(
            f"Invalid {where}: You can't freeze more rows or columns than the sheet has."
        )
    sheet.hide_gridlines = bool(gp.get("hideGridlines"))
    sheet.hidden = bool(props.get("hidden"))
    sheet.right_to_left = bool(props.get("rightToLeft"))
    colour = twin(dict(props), "tabColor").get("tabColor")
    sheet.tab_color = eight_bit(colour) if colour else None
    if sheet.hidden and all(s.hidden for s in book.sheets):
        raise bad_request(f"Invalid {where}: You can't hide all the sheets in a document.")
    index = props.get("index")
    if index is not None and book.sheets.index(sheet) != index:
        book.sheets.remove(sheet)
        book.sheets.insert(min(max(index, 0), len(book.sheets)), sheet)


def add_sheet(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    given = dict(req.get("properties") or {})
    sheet_id = given.get("sheetId")
    if sheet_id is not None and any(s.sheet_id == sheet_id for s in book.sheets):
        raise bad_request(
            f"Invalid {where}: Sheet with ID {sheet_id} already exists. Please enter another ID."
        )
    if not given.get("title"):
        n = len(book.sheets) + 1
        while book.sheet_by_title(f"Sheet{n}") is not None:
            n += 1
        given["title"] = f"Sheet{n}"
    sheet = Sheet(sheet_id if sheet_id is not None else book.new_sheet_id(), "")
    gp = {
        "rowCount": DEFAULT_ROWS,
        "columnCount": DEFAULT_COLUMNS,
        **(given.get("gridProperties") or {}),
    }
    book.sheets.append(sheet)
    _apply_sheet_properties(book, sheet, {**given, "gridProperties": gp}, where)
    return {"addSheet": {"properties": sheet_properties(sheet, book.sheets.index(sheet))}}


def delete_sheet(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    sheet_id = req.get("sheetId") or 0
    sheet = next((s for s in book.sheets if s.sheet_id == sheet_id), None)
    if sheet is None:
        raise bad_request(f"Invalid {where}: No sheet with id: {sheet_id}")
    if len(book.sheets) == 1 or all(s.hidden for s in book.sheets if s is not sheet):
        raise bad_request(f"Invalid {where}: You can't remove all the sheets in a document.")
    book.sheets.remove(sheet)
    return {}


def update_sheet_properties(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    given = req.get("properties") or {}
    sheet = book.sheet_by_id(int(given.get("sheetId") or 0), where)
    if not req.get("fields"):
        raise bad_request(f"Invalid {where}: At least one field must be updated.")
    current = sheet_properties(sheet, book.sheets.index(sheet))
    for path in paths(parse_mask(req["fields"])):
        if path == ("*",):
            current = {**dict(given), "sheetId": sheet.sheet_id}
            continue
        if path[0] in ("tabColor", "tabColorStyle"):
            current.pop("tabColor", None)
            current.pop("tabColorStyle", None)
        current = copy_path(current, given, path)
    if "index" not in current:
        current["index"] = book.sheets.index(sheet)
    current.setdefault("gridProperties", {})
    _apply_sheet_properties(book, sheet, current, where)
    return {}


def update_spreadsheet_properties(
    book: Workbook, req: Mapping[str, Any], where: str
) -> dict[str, Any]:
    given = req.get("properties") or {}
    if not req.get("fields"):
        raise bad_request(f"Invalid {where}: At least one field must be updated.")
    current = {
        "title": book.title,
        "locale": book.locale,
        "timeZone": book.time_zone,
        "autoRecalc": book.auto_recalc,
    }
    for path in paths(parse_mask(req["fields"])):
        if path == ("*",):
            current = {**current, **given}
        elif path[0] in current:
            current = copy_path(current, given, path)
    book.title = current.get("title") or ""
    book.locale = current.get("locale") or "en_US"
    book.time_zone = current.get("timeZone") or "Etc/GMT"
    book.auto_recalc = current.get("autoRecalc") or "ON_CHANGE"
    return {}


def update_cells(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    writer = CellWriter(req.get("fields"), where)
    rows = req.get("rows") or []
    if "range" in req and "start" in req:
        raise bad_request(f"Invalid {where}: Only one of start or range may be set.")
    if "start" in req:
        start = req["start"] or {}
        height = len(rows)
        width = max((len(r.get("values") or []) for r in rows), default=0)
        r0 = start.get("rowIndex") or 0
        c0 = start.get("columnIndex") or 0
        rng = {
            "sheetId": start.get("sheetId") or 0,
            "startRowIndex": r0,
            "endRowIndex": r0 + height,
            "startColumnIndex": c0,
            "endColumnIndex": c0 + width,
        }
        sheet, r0, r1, c0, c1 = grid(book, rng, where)
        # From a start, only the cells given are written: rows may differ in length (an empty
        # row writes nothing); only a range clears what the rows leave out.
        for i, row in enumerate(rows):
            for j, cell in enumerate(row.get("values") or []):
                writer.write(sheet, r0 + i, c0 + j, cell)
        sheet.trim()
        return {}
    else:
        sheet, r0, r1, c0, c1 = grid(book, req.get("range"), where)
        if len(rows) > r1 - r0 or any(len(r.get("values") or []) > c1 - c0 for r in rows):
            raise bad_request(f"Invalid {where}: The rows do not fit in the range.")
    empty: dict[str, Any] = {}
    if writer.values_only:
        _write_values(sheet, rows, r0, r1, c0, c1, where)
        return {}
    for i, r in enumerate(range(r0, r1)):
        values = (rows[i].get("values") or []) if i < len(rows) else []
        for j, c in enumerate(range(c0, c1)):
            writer.write(sheet, r, c, values[j] if j < len(values) else empty)
    sheet.trim()
    return {}


def _write_values(
    sheet: Sheet, rows: list[Any], r0: int, r1: int, c0: int, c1: int, where: str
) -> None:
    """updateCells with `fields: userEnteredValue`: whole row slices at once (Hive's big write)."""
    width = c1 - c0
    for i, r in enumerate(range(r0, r1)):
        cells = (rows[i].get("values") or []) if i < len(rows) else []
        new = [from_extended(cell.get("userEnteredValue"), where) for cell in cells]
        new.extend([None] * (width - len(new)))
        while len(sheet.rows) <= r:
            sheet.rows.append([])
        row = sheet.rows[r]
        if len(row) < c1:
            row.extend([None] * (c1 - len(row)))
        row[c0:c1] = new
    sheet.trim()


def repeat_cell(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    writer = CellWriter(req.get("fields"), where)
    sheet, r0, r1, c0, c1 = grid(book, req.get("range"), where)
    cell = req.get("cell") or {}
    for r in range(r0, r1):
        for c in range(c0, c1):
            writer.write(sheet, r, c, cell)
    sheet.trim()
    return {}


def add_protected_range(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    given = {k: v for k, v in (req.get("protectedRange") or {}).items() if v is not None}
    if "range" not in given:
        raise bad_request(f"Invalid {where}: A protected range must have a range.")
    sheet, *_ = grid(book, given["range"], where)
    taken = {p["protectedRangeId"] for s in book.sheets for p in s.protected_ranges}
    pid = given.get("protectedRangeId")
    if pid in taken:
        raise bad_request(f"Invalid {where}: A protected range with ID {pid} already exists.")
    while pid is None or pid in taken:
        pid = secrets.randbelow(2**31 - 1) + 1
    stored = {**given, "protectedRangeId": pid, "range": grid_range(given["range"])}
    if sheet.sheet_id:
        stored["range"]["sheetId"] = sheet.sheet_id
    stored.pop("requestingUserCanEdit", None)
    sheet.protected_ranges.append(stored)
    return {"addProtectedRange": {"protectedRange": protected_range(stored, None)}}


def update_protected_range(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The fields of an existing protected range that `fields` names, as Google does: the id
    must exist, `fields` is required, and the reply has no entry of its own."""
    given = req.get("protectedRange") or {}
    pid, mask = given.get("protectedRangeId"), req.get("fields")
    if not mask:
        raise bad_request(f"Invalid {where}: 'fields' is required but not specified")
    for sheet in book.sheets:
        for i, stored in enumerate(sheet.protected_ranges):
            if stored["protectedRangeId"] == pid:
                changed = dict(stored)
                for path in paths(parse_mask(mask)):
                    if path[0] in ("protectedRangeId", "requestingUserCanEdit"):
                        continue
                    changed = copy_path(changed, dict(given), path)
                if "range" in changed:
                    changed["range"] = grid_range(changed["range"])
                sheet.protected_ranges[i] = changed
                return {}
    raise bad_request(f"Invalid {where}: No protected range with id: {pid}")


def delete_protected_range(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    pid = req.get("protectedRangeId")
    for sheet in book.sheets:
        for p in sheet.protected_ranges:
            if p["protectedRangeId"] == pid:
                sheet.protected_ranges.remove(p)
                return {}
    raise bad_request(f"Invalid {where}: No protected range with id: {pid}")


def set_data_validation(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    sheet, r0, r1, c0, c1 = grid(book, req.get("range"), where)
    rule = req.get("rule")
    for r in range(r0, r1):
        for c in range(c0, c1):
            if rule:
                sheet.validations[(r, c)] = rule
            else:
                sheet.validations.pop((r, c), None)
    return {}


def merge_cells(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    sheet, r0, r1, c0, c1 = grid(book, req.get("range"), where)
    kind = req.get("mergeType") or "MERGE_ALL"
    if kind == "MERGE_ROWS":
        pieces = [(r, r + 1, c0, c1) for r in range(r0, r1)]
    elif kind == "MERGE_COLUMNS":
        pieces = [(r0, r1, c, c + 1) for c in range(c0, c1)]
    else:
        pieces = [(r0, r1, c0, c1)]
    dimensions.unmerge(sheet, r0, r1, c0, c1)
    for a, b, c, d in pieces:
        if (b - a) * (d - c) > 1:
            sheet.merges.append(
                {
                    "sheetId": sheet.sheet_id,
                    "startRowIndex": a,
                    "endRowIndex": b,
                    "startColumnIndex": c,
                    "endColumnIndex": d,
                }
            )
    return {}


def unmerge_cells(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    sheet, r0, r1, c0, c1 = grid(book, req.get("range"), where)
    dimensions.unmerge(sheet, r0, r1, c0, c1)
    return {}


def update_dimension_properties(
    book: Workbook, req: Mapping[str, Any], where: str
) -> dict[str, Any]:
    sheet, dimension, start, end = dimensions.dimension_range(book, req.get("range"), where)
    given = req.get("properties") or {}
    leaves = {p[0] for p in paths(parse_mask(req.get("fields") or ""))}
    pixels = sheet.row_pixels if dimension == "ROWS" else sheet.column_pixels
    hidden = sheet.hidden_rows if dimension == "ROWS" else sheet.hidden_columns
    for i in range(start, end):
        if "pixelSize" in leaves or "*" in leaves:
            if given.get("pixelSize"):
                pixels[i] = given["pixelSize"]
            else:
                pixels.pop(i, None)
        if "hiddenByUser" in leaves or "*" in leaves:
            if given.get("hiddenByUser"):
                hidden.add(i)
            else:
                hidden.discard(i)
    return {}


def auto_resize_dimensions(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    # No fonts here to measure text with: the request is checked and sizes stay as they are.
    dimensions.dimension_range(book, req.get("dimensions"), where)
    return {}


_PASTE_PARTS = {
    # pasteType -> (values, formats, notes and validation)
    "PASTE_NORMAL": (True, True, True),
    "PASTE_VALUES": (True, False, False),
    "PASTE_FORMAT": (False, True, False),
    "PASTE_NO_BORDERS": (True, True, True),
    "PASTE_DATA_VALIDATION": (False, False, True),
}


def _paste(
    book: Workbook,
    source: Mapping[str, Any] | None,
    target: Sheet,
    at: tuple[int, int],
    size: tuple[int, int] | None,
    kind: str,
    where: str,
    *,
    cut: bool = False,
) -> None:
    """Copy a source range's cells (tiled over `size` when given) to `at` in `target`."""
    if kind not in _PASTE_PARTS:
        raise bad_request(f"Invalid {where}: pasteType {kind} is not supported.")
    values, formats, notes = _PASTE_PARTS[kind]
    sheet, r0, r1, c0, c1 = grid(book, source, where)
    height, width = size or (r1 - r0, c1 - c0)
    if at[0] + height > target.row_count or at[1] + width > target.column_count:
        raise bad_request(
            f"Invalid {where}: Range ({target.title}) exceeds grid limits. "
            f"Max rows: {target.row_count}, max columns: {target.column_count}"
        )
    if r1 == r0 or c1 == c0:
        return
    taken = [
        [(sheet.value(r, c), sheet.formats.get((r, c)), sheet.notes.get((r, c)),
          sheet.validations.get((r, c))) for c in range(c0, c1)]
        for r in range(r0, r1)
    ]
    if cut:
        for r in range(r0, r1):
            for c in range(c0, c1):
                sheet.set_value(r, c, None)
                for sparse in (sheet.formats, sheet.notes, sheet.validations):
                    sparse.pop((r, c), None)
    for i in range(height):
        for j in range(width):
            value, fmt, note, rule = taken[i % (r1 - r0)][j % (c1 - c0)]
            cell = (at[0] + i, at[1] + j)
            if values:
                target.set_value(*cell, value)
            parts: tuple[tuple[bool, dict[Any, Any], Any], ...] = (
                (formats, target.formats, fmt),
                (notes, target.notes, note),
                (notes, target.validations, rule),
            )
            for wanted, sparse, item in parts:
                if not wanted:
                    continue
                if item is None:
                    sparse.pop(cell, None)
                else:
                    sparse[cell] = item
    target.trim()
    if cut:
        sheet.trim()


def copy_paste(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    """copyPaste: the source tiled over the destination range (Hive: one tab onto another)."""
    if (req.get("pasteOrientation") or "NORMAL") != "NORMAL":
        raise bad_request(f"Invalid {where}: pasteOrientation TRANSPOSE is not supported.")
    target, r0, r1, c0, c1 = grid(book, req.get("destination"), where)
    _, s0, s1, t0, t1 = grid(book, req.get("source"), where)
    # Google pastes the source once when the destination is smaller, else tiles it whole times.
    height = max(s1 - s0, (r1 - r0) // max(s1 - s0, 1) * (s1 - s0))
    width = max(t1 - t0, (c1 - c0) // max(t1 - t0, 1) * (t1 - t0))
    _paste(book, req.get("source"), target, (r0, c0), (height, width),
           req.get("pasteType") or "PASTE_NORMAL", where)
    return {}


def cut_paste(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    """cutPaste: the source moved to a coordinate (the source cells are left empty)."""
    dest = req.get("destination") or {}
    target = book.sheet_by_id(int(dest.get("sheetId") or 0), where)
    at = (dest.get("rowIndex") or 0, dest.get("columnIndex") or 0)
    _paste(book, req.get("source"), target, at, None, req.get("pasteType") or "PASTE_NORMAL",
           where, cut=True)
    return {}


HANDLERS: dict[str, Handler] = {
    "copyPaste": copy_paste,
    "cutPaste": cut_paste,
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "updateCells": update_cells,
    "repeatCell": repeat_cell,
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "updateProtectedRange": update_protected_range,
    "setDataValidation": set_data_validation,
    "mergeCells": merge_cells,
    "unmergeCells": unmerge_cells,
    "updateDimensionProperties": update_dimension_properties,
    "autoResizeDimensions": auto_resize_dimensions,
    "insertDimension": dimensions.insert_dimension,
    "deleteDimension": dimensions.delete_dimension,
    "addNamedRange": dimensions.add_named_range,
    "deleteNamedRange": dimensions.delete_named_range,
    "updateNamedRange": dimensions.update_named_range,
    "createDeveloperMetadata": metadata.create,
    "updateDeveloperMetadata": metadata.update,
    "deleteDeveloperMetadata": metadata.delete,
}


def apply(book: Workbook, body: Mapping[str, Any]) -> dict[str, Any]:
    """Apply every request to `book` (the caller's copy) and return Google's reply."""
    replies = []
    for i, request in enumerate(body.get("requests") or []):
        kinds = [k for k, v in request.items() if v is not None]
        if len(kinds) != 1:
            raise bad_request(
                f"Invalid requests[{i}]: "
                + ("No request set." if not kinds else "Only one kind of request may be set.")
            )
        kind = kinds[0]
        handler = HANDLERS.get(kind)
        if handler is None:
            raise bad_request(
                f"Invalid requests[{i}].{kind}: not supported by Hive's local Sheets service."
            )
        replies.append(handler(book, request[kind], f"requests[{i}].{kind}"))
    return {"spreadsheetId": book.spreadsheet_id, "replies": replies}
