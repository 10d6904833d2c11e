"""Hand-made .xlsx files as Excel writes them (shared strings, cached formula values, styles,
hidden tabs), built part by part without the code under test, and read back cell by cell."""

from __future__ import annotations

import math
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
from openpyxl.utils import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
STYLES = {"": 0, "bold": 1, "date": 2}


@dataclass(frozen=True)
class X:
    """One cell as Excel stores it: a value, or a formula with its cached value, a style, or an
    error value (`#N/A` as an error, not as text)."""

    value: Any = None
    formula: str | None = None
    style: str = ""
    error: bool = False


def _cell(ref: str, cell: Any, strings: list[str]) -> str:
    if not isinstance(cell, X):
        cell = X(cell)
    s = f' s="{STYLES[cell.style]}"' if cell.style else ""
    f = f"<f>{escape(cell.formula)}</f>" if cell.formula else ""
    v = cell.value
    if cell.error:
        return f'<c r="{ref}"{s} t="e">{f}<v>{escape(str(v))}</v></c>'
    if isinstance(v, bool):
        return f'<c r="{ref}"{s} t="b">{f}<v>{int(v)}</v></c>'
    if isinstance(v, (int, float)):
        text = "1E+309" if isinstance(v, float) and math.isinf(v) else repr(v)
        return f'<c r="{ref}"{s}>{f}<v>{text}</v></c>'
    if isinstance(v, str):
        if f:
            return f'<c r="{ref}"{s} t="str">{f}<v>{escape(v)}</v></c>'
        strings.append(v)
        return f'<c r="{ref}"{s} t="s"><v>{len(strings) - 1}</v></c>'
    return f'<c r="{ref}"{s}>{f}</c>'


def craft_xlsx(path: Path, tabs: dict[str, list[list[Any]]], states: dict[str, str] | None = None
               ) -> Path:
    """Write `tabs` (rows of plain values or X cells) as Excel would; `states` hides tabs."""
    states = states or {}
    strings: list[str] = []
    sheets = []
    for rows in tabs.values():
        body = "".join(
            f'<row r="{r + 1}">'
            + "".join(_cell(f"{get_column_letter(c + 1)}{r + 1}", v, strings)
                      for c, v in enumerate(row) if v is not None)
            + "</row>"
            for r, row in enumerate(rows)
        )
        sheets.append(f'<worksheet xmlns="{MAIN}"><sheetData>{body}</sheetData></worksheet>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(len(sheets))
        )
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"'
            '/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/docProps/custom.xml" ContentType="application/vnd.'
            f'openxmlformats-officedocument.custom-properties+xml"/>{overrides}</Types>',
        )
        z.writestr("_rels/.rels", f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                   f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        entries = "".join(
            f'<sheet name="{escape(t, {chr(34): "&quot;"})}" sheetId="{i + 1}"'
            + (f' state="{states[t]}"' if t in states else "")
            + f' r:id="rId{i + 10}"/>'
            for i, t in enumerate(tabs)
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><bookViews><workbookView activeTab="0"/>'
            f'</bookViews><sheets>{entries}</sheets><definedNames><definedName name="Teacher'
            f'Range">{escape(_quote(next(iter(tabs))))}!$A$1:$B$2</definedName></definedNames>'
            '<calcPr calcId="191029"/></workbook>',
        )
        rels = "".join(
            f'<Relationship Id="rId{i + 10}" Type="{REL}/worksheet" '
            f'Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(len(sheets))
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/styles" '
            f'Target="styles.xml"/><Relationship Id="rId2" Type="{REL}/sharedStrings" '
            f'Target="sharedStrings.xml"/>{rels}</Relationships>',
        )
        z.writestr(
            "xl/styles.xml",
            f'<styleSheet xmlns="{MAIN}"><fonts count="2"><font><sz val="11"/><name val="Arial"/>'
            '</font><font><b/><sz val="11"/><name val="Arial"/></font></fonts><fills count="2">'
            '<fill><patternFill patternType="none"/></fill><fill><patternFill patternType='
            '"gray125"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs '
            'count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
            '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" '
            'applyNumberFormat="1"/></cellXfs></styleSheet>',
        )
        sst = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        z.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}" count="{len(strings)}" '
                   f'uniqueCount="{len(strings)}">{sst}</sst>')
        z.writestr("docProps/custom.xml", "<Properties>a part Hive knows nothing about</Properties>")
        for i, sheet in enumerate(sheets):
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", sheet)
    return path


def _quote(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


@dataclass(frozen=True)
class Seen:
    """A cell as an independent reader (openpyxl) sees it in the file."""

    value: Any
    data_type: str
    cached: Any
    style: str


def cells_of(path: Path) -> dict[str, Any]:
    """Every tab's visibility and every cell (value, type, formula, cached value, style)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        formulas = openpyxl.load_workbook(path)
        cached = openpyxl.load_workbook(path, data_only=True)
    out: dict[str, Any] = {}
    for ws in formulas.worksheets:
        grid = {}
        values = cached[ws.title]
        for (r, c), cell in ws._cells.items():
            if cell.value is None and not cell.has_style:
                continue
            fmt = "bold" if cell.font.b else "date" if cell.is_date else ""
            value = cell.value
            raw = values.cell(r, c).value
            if cell.is_date:  # the stored serial, not openpyxl's reading of it as a date
                from openpyxl.utils.datetime import to_excel

                value = to_excel(value) if value is not None and cell.data_type != "f" else value
                raw = to_excel(raw) if raw is not None and not isinstance(raw, str) else raw
            grid[(r, c)] = Seen(value, cell.data_type, raw, fmt)
        out[ws.title] = (ws.sheet_state, grid)
    return out
