"""One tab as SpreadsheetML: the worksheet part, its comments and their VML, written as text.

Hive's own tabs are tens of thousands of formatted cells with notes; openpyxl builds an object per
cell and took most of a save. Here each row is one string join. Strings are inline (the teacher's
shared strings are never touched), numbers are written as stored (dates are serials: no epoch
conversion, so a date-formatted 3 stays 3), a formula keeps its cached value, and text that looks
like a formula or an error code stays text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape as _escape

from openpyxl.utils import get_column_letter

from sheets_backend.sheets.local.model import Formula, Sheet

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
COMMENTS_REL = REL_NS + "/comments"
VML_REL = REL_NS + "/vmlDrawing"

# XML 1.0 cannot carry most control characters; Excel writes them as _xHHHH_.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIAL = re.compile('[&<>"\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')
_EDGE_SPACE = re.compile(r"^\s|\s$")
_TROUBLE = re.compile('[&<>"\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|^\\s|\\s$')


def text(value: str) -> str:
    """Text escaped for an XML element or attribute."""
    if _SPECIAL.search(value) is None:  # most cells: nothing to escape
        return value
    out = _escape(value, {'"': "&quot;"})
    if _ILLEGAL.search(out):
        out = _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", out)
    return out


def _inline(value: str) -> str:
    if _EDGE_SPACE.search(value):
        return f'<is><t xml:space="preserve">{text(value)}</t></is>'
    return f"<is><t>{text(value)}</t></is>"


def _number(value: float | int) -> str:
    if isinstance(value, float):
        if math.isinf(value):
            return "1E+309" if value > 0 else "-1E+309"  # overflows back to infinity when read
        return repr(value)
    return str(value)


def _cell(ref: str, value: Any, style: str) -> str:
    if type(value) is str:
        if _TROUBLE.search(value) is None:  # most text: nothing to escape, no edge spaces
            return f'<c r="{ref}"{style} t="inlineStr"><is><t>{value}</t></is></c>'
        return f'<c r="{ref}"{style} t="inlineStr">{_inline(value)}</c>'
    if isinstance(value, str):
        return f'<c r="{ref}"{style} t="inlineStr">{_inline(value)}</c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return f'<c r="{ref}"{style}/>'
        return f'<c r="{ref}"{style}><v>{_number(value)}</v></c>'
    if isinstance(value, Formula):
        formula = f"<f>{text(value.text[1:] if value.text.startswith('=') else value.text)}</f>"
        cached = value.value
        if cached is None:
            return f'<c r="{ref}"{style}>{formula}</c>'
        if isinstance(cached, bool):
            return f'<c r="{ref}"{style} t="b">{formula}<v>{int(cached)}</v></c>'
        if isinstance(cached, (int, float)) and not (
            isinstance(cached, float) and math.isnan(cached)
        ):
            return f'<c r="{ref}"{style}>{formula}<v>{_number(cached)}</v></c>'
        return f'<c r="{ref}"{style} t="str">{formula}<v>{text(str(cached))}</v></c>'
    return f'<c r="{ref}"{style}/>' if style else ""


@dataclass(frozen=True)
class SheetParts:
    """A tab's worksheet XML, and its comments and VML drawing (None without notes)."""

    worksheet: str
    comments: str | None
    vml: str | None


def render(sheet: Sheet, style_of: Callable[[dict[str, Any]], int]) -> SheetParts:
    """The parts of one tab; `style_of(format)` gives the cellXfs index of a CellFormat."""
    n_rows, n_cols = sheet.data_extent()
    letters = [get_column_letter(c + 1) for c in range(max(n_cols, 1))]
    styles: dict[tuple[int, int], str] = {}
    by_id: dict[int, str] = {}
    for rc, fmt in sheet.formats.items():
        attr = by_id.get(id(fmt))
        if attr is None:
            index = style_of(fmt)
            attr = by_id[id(fmt)] = f' s="{index}"' if index else ""
        if attr:
            styles[rc] = attr
    styled_rows: dict[int, list[int]] = {}
    for r, c in styles:
        styled_rows.setdefault(r, []).append(c)
    rows_xml = []
    for r in range(n_rows):
        row = sheet.rows[r] if r < len(sheet.rows) else []
        number = r + 1
        extra = styled_rows.get(r)
        if extra:
            width = max(len(row), max(extra) + 1)
            cells = "".join([
                _cell(f"{letters[c]}{number}", row[c] if c < len(row) else None,
                      styles.get((r, c), ""))
                for c in range(width)
            ])
        else:
            cells = "".join([
                _cell(f"{letters[c]}{number}", v, "") for c, v in enumerate(row) if v is not None
            ])
        if cells:
            rows_xml.append(f'<row r="{number}">{cells}</row>')
    parts = [f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">']
    if sheet.tab_color:
        parts.append(f'<sheetPr><tabColor rgb="{hex_colour(sheet.tab_color)}"/></sheetPr>')
    if n_rows and n_cols:
        parts.append(f'<dimension ref="A1:{letters[n_cols - 1]}{n_rows}"/>')
    parts.append(_sheet_view(sheet))
    parts.append('<sheetFormatPr defaultRowHeight="15"/><sheetData>')
    parts.extend(rows_xml)
    parts.append("</sheetData>")
    if sheet.merges:
        refs = [
            f'<mergeCell ref="{get_column_letter(m["startColumnIndex"] + 1)}'
            f'{m["startRowIndex"] + 1}:{get_column_letter(m["endColumnIndex"])}'
            f'{m["endRowIndex"]}"/>'
            for m in sheet.merges
        ]
        parts.append(f'<mergeCells count="{len(refs)}">{"".join(refs)}</mergeCells>')
    parts.append(_validations(sheet))
    comments = vml = None
    if sheet.notes:
        parts.append('<legacyDrawing r:id="rIdVml"/>')
        comments, vml = _comments(sheet.notes)
    parts.append("</worksheet>")
    return SheetParts("".join(parts), comments, vml)


def hex_colour(rgb: dict[str, Any]) -> str:
    """A Sheets Color as Excel's ARGB hex."""
    return "FF" + "".join(
        f"{round(float(rgb.get(k, 0)) * 255):02X}" for k in ("red", "green", "blue")
    )


def _sheet_view(sheet: Sheet) -> str:
    attrs = ' workbookViewId="0"'
    if sheet.hide_gridlines:
        attrs = ' showGridLines="0"' + attrs
    if sheet.right_to_left:
        attrs = ' rightToLeft="1"' + attrs
    pane = ""
    rows, cols = sheet.frozen_rows, sheet.frozen_columns
    if rows or cols:
        where = "bottomRight" if rows and cols else "bottomLeft" if rows else "topRight"
        split = (f' xSplit="{cols}"' if cols else "") + (f' ySplit="{rows}"' if rows else "")
        top_left = f"{get_column_letter(cols + 1)}{rows + 1}"
        pane = (
            f'<pane{split} topLeftCell="{top_left}" activePane="{where}" state="frozen"/>'
            f'<selection pane="{where}"/>'
        )
    return f"<sheetViews><sheetView{attrs}>{pane}</sheetView></sheetViews>"


def _validations(sheet: Sheet) -> str:
    by_rule: dict[tuple[str, ...], tuple[dict[str, Any], list[str]]] = {}
    for (r, c), rule in sheet.validations.items():
        condition = rule.get("condition") or {}
        if condition.get("type") != "ONE_OF_LIST":
            continue  # the full rule lives in _hive_meta; Excel gets the lists it can show
        items = tuple(str(v.get("userEnteredValue", "")) for v in condition.get("values", []))
        by_rule.setdefault(items, (rule, []))[1].append(f"{get_column_letter(c + 1)}{r + 1}")
    if not by_rule:
        return ""
    strict = ' showErrorMessage="1"'
    entries = [
        f'<dataValidation type="list" allowBlank="1"{strict if rule.get("strict") else ""}'
        f' sqref="{" ".join(cells)}"><formula1>{text(_quoted(items))}</formula1></dataValidation>'
        for items, (rule, cells) in by_rule.items()
    ]
    return f'<dataValidations count="{len(entries)}">{"".join(entries)}</dataValidations>'


def _quoted(items: tuple[str, ...]) -> str:
    return '"' + ",".join(items) + '"'


_VML_HEAD = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
    ' xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
    '<o:idmap v:ext="edit" data="1"/></o:shapelayout><v:shapetype id="_x0000_t202"'
    ' coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
    '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/>'
    "</v:shapetype>"
)


def _comments(notes: dict[tuple[int, int], str]) -> tuple[str, str]:
    items = sorted(notes.items())
    comments = "".join(
        f'<comment ref="{get_column_letter(c + 1)}{r + 1}" authorId="0"><text><t xml:space='
        f'"preserve">{text(note)}</t></text></comment>'
        for (r, c), note in items
    )
    shapes = "".join(
        f'<v:shape id="_x0000_s{1025 + i}" type="#_x0000_t202" style="position:absolute;'
        'margin-left:59.25pt;margin-top:1.5pt;width:108pt;height:59.25pt;z-index:1;'
        'visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
        '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
        '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div>'
        '</v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
        f"<x:AutoFill>False</x:AutoFill><x:Row>{r}</x:Row><x:Column>{c}</x:Column>"
        "</x:ClientData></v:shape>"
        for i, ((r, c), _) in enumerate(items)
    )
    return (
        f'<comments xmlns="{MAIN_NS}"><authors><author>Hive</author></authors>'
        f"<commentList>{comments}</commentList></comments>",
        f"{_VML_HEAD}{shapes}</xml>",
    )
