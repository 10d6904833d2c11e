"""`spreadsheets.get`: a workbook as Google's Spreadsheet JSON, cut by `fields` and `ranges`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sheets_backend.sheets.local import metadata
from sheets_backend.sheets.local.cells import CELL_KEYS, cell_data
from sheets_backend.sheets.local.fields import Mask, parse_mask, select, subtree
from sheets_backend.sheets.local.model import Sheet, Workbook, bounded

DEFAULT_ROW_PIXELS = 21
DEFAULT_COLUMN_PIXELS = 100

# Google's defaults for a new spreadsheet, echoed as-is so clients see the same shape.
DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}


def grid_range(rng: Mapping[str, Any]) -> dict[str, Any]:
    """A GridRange as Google echoes it: sheetId 0 left out (proto3 default), set bounds kept."""
    out: dict[str, Any] = {}
    if rng.get("sheetId"):
        out["sheetId"] = rng["sheetId"]
    for key in ("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex"):
        if rng.get(key) is not None:
            out[key] = rng[key]
    return out


def sheet_properties(sheet: Sheet, index: int) -> dict[str, Any]:
    grid: dict[str, Any] = {"rowCount": sheet.row_count, "columnCount": sheet.column_count}
    if sheet.frozen_rows:
        grid["frozenRowCount"] = sheet.frozen_rows
    if sheet.frozen_columns:
        grid["frozenColumnCount"] = sheet.frozen_columns
    if sheet.hide_gridlines:
        grid["hideGridlines"] = True
    props: dict[str, Any] = {
        "sheetId": sheet.sheet_id,
        "title": sheet.title,
        "index": index,
        "sheetType": "GRID",
        "gridProperties": grid,
    }
    if sheet.hidden:
        props["hidden"] = True
    if sheet.tab_color is not None:
        props["tabColor"] = sheet.tab_color
        props["tabColorStyle"] = {"rgbColor": sheet.tab_color}
    if sheet.right_to_left:
        props["rightToLeft"] = True
    return props


def protected_range(stored: Mapping[str, Any], owner: str | None) -> dict[str, Any]:
    """A ProtectedRange as GET shows it; `owner` None gives the addProtectedRange reply's shape."""
    out: dict[str, Any] = {"protectedRangeId": stored["protectedRangeId"]}
    if "range" in stored:
        out["range"] = grid_range(stored["range"])
    for key in ("namedRangeId", "description"):
        if stored.get(key):
            out[key] = stored[key]
    if stored.get("warningOnly"):
        out["warningOnly"] = True
    out["requestingUserCanEdit"] = True
    editors = {k: v for k, v in (stored.get("editors") or {}).items() if v}
    if owner:
        users = list(editors.get("users", []))
        if owner not in users:
            users.insert(0, owner)
        editors["users"] = users
    out["editors"] = editors
    return out


def properties(book: Workbook) -> dict[str, Any]:
    return {
        "title": book.title,
        "locale": book.locale,
        "autoRecalc": book.auto_recalc,
        "timeZone": book.time_zone,
        "defaultFormat": DEFAULT_FORMAT,
    }


def grid_data(
    sheet: Sheet,
    bounds: tuple[int, int, int, int],
    cell_keys: frozenset[str],
    mask: Mask | None,
    cell_mask: Mask | None = None,
) -> dict[str, Any]:
    """GridData for one range: rowData trimmed like Google's, row and column metadata; each cell
    already cut to `cell_mask` (the mask below `rowData.values`)."""
    r0, r1, c0, c1 = bounds
    data: dict[str, Any] = {}
    if r0:
        data["startRow"] = r0
    if c0:
        data["startColumn"] = c0
    if subtree(mask, "rowData") is not False and cell_keys:
        n_rows, n_cols = sheet.data_extent()
        deep: Mask = {k: sub for k, sub in (cell_mask or {}).items() if isinstance(sub, dict)}
        memo: dict[int, tuple[Any, Any]] = {}
        rows = []
        for r in range(r0, min(r1, n_rows)):
            cells = [cell_data(sheet, r, c, cell_keys) for c in range(c0, min(c1, n_cols))]
            if deep:
                cells = [_masked(cell, deep, memo) for cell in cells]
            while cells and not cells[-1]:
                cells.pop()
            rows.append({"values": cells} if cells else {})
        while rows and not rows[-1]:
            rows.pop()
        if rows:
            data["rowData"] = rows
    if subtree(mask, "rowMetadata") is not False:
        data["rowMetadata"] = [
            _dimension(sheet.row_pixels.get(r, DEFAULT_ROW_PIXELS), r in sheet.hidden_rows)
            for r in range(r0, r1)
        ]
    if subtree(mask, "columnMetadata") is not False:
        data["columnMetadata"] = [
            _dimension(sheet.column_pixels.get(c, DEFAULT_COLUMN_PIXELS), c in sheet.hidden_columns)
            for c in range(c0, c1)
        ]
    return data


def _masked(cell: dict[str, Any], deep: Mask, memo: dict[int, tuple[Any, Any]]) -> dict[str, Any]:
    """A cell with its nested parts cut to their masks; shared parts (formats) are cut once."""
    for key, sub in deep.items():
        part = cell.get(key)
        if part is None:
            continue
        hit = memo.get(id(part))
        if hit is None or hit[0] is not part:
            hit = memo[id(part)] = (part, select(part, sub))
        cell = {**cell, key: hit[1]}
    return cell


def _dimension(pixels: int, hidden: bool) -> dict[str, Any]:
    return {"hiddenByUser": True, "pixelSize": pixels} if hidden else {"pixelSize": pixels}


def sheet_json(
    book: Workbook,
    sheet: Sheet,
    index: int,
    data_ranges: Sequence[tuple[int, int, int, int]] | None,
    mask: Mask | None,
    owner: str,
) -> dict[str, Any]:
    out: dict[str, Any] = {"properties": sheet_properties(sheet, index)}
    if data_ranges is not None:
        data_mask = subtree(mask, "sheets", "data")
        cell_mask = subtree(mask, "sheets", "data", "rowData", "values")
        if cell_mask is False:
            keys: frozenset[str] = frozenset()
        elif cell_mask is None:
            keys = CELL_KEYS
        else:
            keys = CELL_KEYS & frozenset(cell_mask)
        out["data"] = [
            grid_data(sheet, b, keys, None if data_mask is False else data_mask,
                      cell_mask if isinstance(cell_mask, dict) else None)
            for b in data_ranges
        ]
    if sheet.merges:
        out["merges"] = [grid_range(m) for m in sheet.merges]
    if sheet.protected_ranges:
        out["protectedRanges"] = [protected_range(p, owner) for p in sheet.protected_ranges]
    pinned = metadata.at_sheet(book, sheet.sheet_id) if book.developer_metadata else []
    if pinned:
        out["developerMetadata"] = pinned
    return out


def get(book: Workbook, params: Mapping[str, Any], owner: str) -> dict[str, Any]:
    """The Spreadsheet resource for `GET spreadsheets/{id}`."""
    fields = params.get("fields")
    mask = parse_mask(fields) if fields else None
    ranges: list[str] = list(params.get("ranges") or [])
    include = str(params.get("includeGridData", "false")).lower() == "true"
    wants_data = (subtree(mask, "sheets", "data") is not False) if mask is not None else include
    by_sheet: dict[int, list[tuple[int, int, int, int]]] = {}
    for text in ranges:
        sheet, rng = book.resolve(text)
        by_sheet.setdefault(sheet.sheet_id, []).append(bounded(sheet, rng, text))
    sheets = []
    for index, sheet in enumerate(book.sheets):
        if ranges and sheet.sheet_id not in by_sheet:
            continue
        data_ranges = None
        if wants_data:
            data_ranges = by_sheet.get(sheet.sheet_id) or [
                (0, sheet.row_count, 0, sheet.column_count)
            ]
        sheets.append(sheet_json(book, sheet, index, data_ranges, mask, owner))
    out: dict[str, Any] = {
        "spreadsheetId": book.spreadsheet_id,
        "properties": properties(book),
        "sheets": sheets,
    }
    if book.named_ranges:
        out["namedRanges"] = [
            {**n, "range": grid_range(n.get("range", {}))} for n in book.named_ranges
        ]
    if book.developer_metadata:
        out["developerMetadata"] = metadata.at_spreadsheet(book)
    out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{book.spreadsheet_id}/edit"
    if mask is None:
        return out
    # Grid data was masked as it was built (formats once each): walking it again here would cost
    # as much as building it, so the mask is applied around it.
    grids = [s.pop("data", None) for s in sheets]
    selected: dict[str, Any] = select(out, mask)
    data_mask = subtree(mask, "sheets", "data")
    keep_rows = subtree(mask, "sheets", "data", "rowData") is not False
    for sheet_out, grid in zip(selected.get("sheets", []), grids, strict=False):
        if grid is None:
            continue
        items = []
        for item in grid:
            rows = item.pop("rowData", None)
            item = select(item, data_mask if isinstance(data_mask, dict) else None)
            if rows is not None and keep_rows:
                item["rowData"] = rows
            items.append(item)
        sheet_out["data"] = items
    return selected
