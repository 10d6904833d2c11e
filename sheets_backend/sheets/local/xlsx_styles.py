"""Cell formats and tab properties between openpyxl and Sheets' CellFormat / SheetProperties."""

from __future__ import annotations

from copy import copy
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from sheets_backend.sheets.local.colours import colour
from sheets_backend.sheets.local.model import Formula, Sheet

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


def _hex(rgb: dict[str, Any]) -> str:
    return "FF" + "".join(
        f"{round(float(rgb.get(k, 0)) * 255):02X}" for k in ("red", "green", "blue")
    )


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


def _styled(
    ws: Any, value: Any, fmt: dict[str, Any] | None, note: str | None, memo: dict[Any, Any]
) -> Any:
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # RAW text that merely starts with "=" must not become a formula
    if fmt:
        key = _style_key(fmt)
        style = memo.get(key)
        if style is None:
            # Resolve a format to openpyxl's style indexes once; later cells copy the indexes
            # (assigning fill/font per cell re-hashes the style objects: slow on big tabs).
            fill, font, alignment, pattern = _openpyxl_styles(fmt)
            if fill is not None:
                cell.fill = fill
            if font is not None:
                cell.font = font
            if alignment is not None:
                cell.alignment = alignment
            if pattern:
                cell.number_format = pattern
            style = memo[key] = copy(cell._style)
        else:
            cell._style = copy(style)
    if note:
        cell.comment = Comment(note, "Hive")
    return cell


def _style_key(fmt: dict[str, Any]) -> Any:
    text = fmt.get("textFormat") or {}
    return (
        repr(fmt.get("backgroundColor")),
        bool(text.get("bold")),
        bool(text.get("italic")),
        repr(text.get("foregroundColor")),
        text.get("fontSize"),
        fmt.get("horizontalAlignment"),
        fmt.get("wrapStrategy"),
        (fmt.get("numberFormat") or {}).get("pattern"),
    )


def _openpyxl_styles(fmt: dict[str, Any]) -> tuple[Any, Any, Any, str | None]:
    fill = (
        PatternFill("solid", fgColor=_hex(fmt["backgroundColor"]))
        if fmt.get("backgroundColor")
        else None
    )
    text = fmt.get("textFormat") or {}
    font = None
    if any(text.get(k) for k in ("bold", "italic", "foregroundColor", "fontSize")):
        color = _hex(text["foregroundColor"]) if text.get("foregroundColor") else None
        font = Font(b=bool(text.get("bold")), i=bool(text.get("italic")), color=color,
                    sz=text.get("fontSize"))
    horizontal = (fmt.get("horizontalAlignment") or "").lower() or None
    wrap = fmt.get("wrapStrategy") == "WRAP"
    alignment = Alignment(wrap_text=wrap, horizontal=horizontal) if wrap or horizontal else None
    pattern = (fmt.get("numberFormat") or {}).get("pattern")
    return fill, font, alignment, pattern


def save_sheet(ws: Any, sheet: Sheet) -> None:
    """Write one tab into a write-only openpyxl worksheet."""
    if sheet.hidden:
        ws.sheet_state = "hidden"
    if sheet.tab_color:
        ws.sheet_properties.tabColor = _hex(sheet.tab_color)
    if sheet.frozen_rows or sheet.frozen_columns:
        ws.freeze_panes = f"{get_column_letter(sheet.frozen_columns + 1)}{sheet.frozen_rows + 1}"
    if sheet.hide_gridlines:
        ws.sheet_view.showGridLines = False
    for m in sheet.merges:
        ws.merged_cells.add(
            f"{get_column_letter(m['startColumnIndex'] + 1)}{m['startRowIndex'] + 1}:"
            f"{get_column_letter(m['endColumnIndex'])}{m['endRowIndex']}"
        )
    _save_validations(ws, sheet)
    decorated: dict[int, set[int]] = {}
    for r, c in (*sheet.formats, *sheet.notes):
        decorated.setdefault(r, set()).add(c)
    n_rows, _ = sheet.data_extent()
    memo: dict[Any, Any] = {}
    for r in range(n_rows):
        row = list(sheet.rows[r]) if r < len(sheet.rows) else []
        row = [v.text if isinstance(v, Formula) else v for v in row]
        columns = decorated.get(r)
        if columns:
            width = max(len(row), max(columns) + 1)
            row.extend([None] * (width - len(row)))
            for c in columns:
                row[c] = _styled(
                    ws, row[c], sheet.formats.get((r, c)), sheet.notes.get((r, c)), memo
                )
        for c, v in enumerate(row):
            if (
                isinstance(v, str)
                and v.startswith("=")
                and not isinstance(sheet.value(r, c), Formula)
            ):
                row[c] = _styled(ws, v, None, None, memo)
        ws.append(row)


def _save_validations(ws: Any, sheet: Sheet) -> None:
    by_rule: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for (r, c), rule in sheet.validations.items():
        condition = rule.get("condition") or {}
        if condition.get("type") != "ONE_OF_LIST":
            continue
        items = [str(v.get("userEnteredValue", "")) for v in condition.get("values", [])]
        key = "\x00".join(items)
        by_rule.setdefault(key, (rule, []))[1].append(f"{get_column_letter(c + 1)}{r + 1}")
    for key, (rule, cells) in by_rule.items():
        dv = DataValidation(
            type="list",
            formula1='"' + key.replace("\x00", ",") + '"',
            showErrorMessage=bool(rule.get("strict")),
            allow_blank=True,
        )
        dv.sqref = " ".join(cells)  # type: ignore[assignment]
        ws.data_validations.append(dv)
