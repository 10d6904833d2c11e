"""Cell formats and tab properties read from openpyxl into Sheets' CellFormat / SheetProperties."""

from __future__ import annotations

from typing import Any

from openpyxl.styles.numbers import is_date_format

from sheets_backend.sheets.local.colours import colour
from sheets_backend.sheets.local.model import Sheet

_ALIGN = {"left": "LEFT", "center": "CENTER", "right": "RIGHT"}


def _rgb(argb: Any) -> dict[str, Any] | None:
    if not isinstance(argb, str) or len(argb) not in (6, 8):
        return None
    hex6 = argb[-6:]
    try:
        parts = [int(hex6[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    except ValueError:
        return None
    return colour(dict(zip(("red", "green", "blue"), parts, strict=True)))


def number_format(pattern: str) -> dict[str, str] | None:
    """An Excel number format as a Sheets NumberFormat."""
    if not pattern or pattern == "General":
        return None
    if pattern == "@":
        return {"type": "TEXT", "pattern": pattern}
    if is_date_format(pattern):
        low = pattern.lower()
        has_date = any(ch in low for ch in "dy")
        has_time = "h" in low or "s" in low
        kind = "DATE_TIME" if has_date and has_time else "DATE" if has_date else "TIME"
        return {"type": kind, "pattern": pattern}
    if "%" in pattern:
        return {"type": "PERCENT", "pattern": pattern}
    return {"type": "NUMBER", "pattern": pattern}


def cell_format(cell: Any) -> dict[str, Any]:
    """The userEnteredFormat of an openpyxl cell (the parts Hive reads or writes)."""
    fmt: dict[str, Any] = {}
    nf = number_format(cell.number_format)
    if nf:
        fmt["numberFormat"] = nf
    fill = cell.fill
    if fill is not None and fill.fill_type == "solid" and fill.fgColor is not None:
        if fill.fgColor.type == "rgb":
            rgb = _rgb(fill.fgColor.rgb)
            if rgb is not None:
                fmt["backgroundColor"] = rgb
    font = cell.font
    text: dict[str, Any] = {}
    if font is not None:
        if font.b:
            text["bold"] = True
        if font.i:
            text["italic"] = True
        if font.sz and float(font.sz) != 11:  # 11 is Excel's default: no size of its own
            text["fontSize"] = int(float(font.sz))
        if font.color is not None and font.color.type == "rgb":
            rgb = _rgb(font.color.rgb)
            if rgb:
                text["foregroundColor"] = rgb
    if text:
        fmt["textFormat"] = text
    alignment = cell.alignment
    if alignment is not None:
        if alignment.wrap_text:
            fmt["wrapStrategy"] = "WRAP"
        if alignment.horizontal in _ALIGN:
            fmt["horizontalAlignment"] = _ALIGN[alignment.horizontal]
    return fmt


def load_sheet_properties(ws: Any, sheet: Sheet) -> None:
    pane = ws.freeze_panes
    if pane:
        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

        letters, row = coordinate_from_string(pane)
        sheet.frozen_rows = row - 1
        sheet.frozen_columns = column_index_from_string(letters) - 1
    sheet.hidden = ws.sheet_state != "visible"
    tab = ws.sheet_properties.tabColor
    if tab is not None and tab.type == "rgb":
        sheet.tab_color = _rgb(tab.rgb)
    if ws.sheet_view is not None and ws.sheet_view.showGridLines is False:
        sheet.hide_gridlines = True
    for merged in ws.merged_cells.ranges:
        sheet.merges.append(
            {
                "sheetId": sheet.sheet_id,
                "startRowIndex": merged.min_row - 1,
                "endRowIndex": merged.max_row,
                "startColumnIndex": merged.min_col - 1,
                "endColumnIndex": merged.max_col,
            }
        )


def load_validations(ws: Any, sheet: Sheet) -> None:
    """Excel list validations as ONE_OF_LIST / ONE_OF_RANGE rules (other kinds are not read)."""
    for dv in ws.data_validations.dataValidation:
        if dv.type != "list" or not dv.formula1:
            continue
        formula = dv.formula1
        if formula.startswith('"'):
            items = formula.strip('"').split(",")
            condition = {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": i} for i in items]}
        else:
            condition = {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": f"={formula}"}]}
        rule = {"condition": condition, "showCustomUi": True}
        if dv.showErrorMessage:
            rule["strict"] = True
        for rng in dv.sqref.ranges:
            for r in range(rng.min_row - 1, rng.max_row):
                for c in range(rng.min_col - 1, rng.max_col):
                    sheet.validations[(r, c)] = rule
