"""A tab's cells read fast: values by calamine (Rust), style ids, errors and formulas from the XML.

openpyxl builds a Python object per cell and took most of loading a class's gradebook. Here
calamine reads the values and regular expressions over the sheet XML give what calamine does not:
each styled cell's style index, error values (calamine reads them as blank), and each formula's
text with its cached value. Everything else about the tab (merges, panes, validations, notes,
visibility) is still read by openpyxl, from a copy of the file whose fast tabs have their cell
data cut out. A tab with shared or array formulas, or XML this reader does not expect, is read
entirely by openpyxl, as before.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import to_excel

from sheets_backend.sheets.local.model import Formula
from sheets_backend.sheets.local.render import evaluate

try:
    from python_calamine import CalamineWorkbook
except ImportError:  # pragma: no cover - calamine is in requirements.txt; openpyxl still works
    CalamineWorkbook = None

_ANY_FORMULA = re.compile(rb"<f[\s/>]")
_PLAIN_FORMULA = re.compile(rb"<f>")
_FORMULA_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]+)"([^>]*)><f>([^<]*)</f>(?:<v>([^<]*)</v>|<v/>)?</c>'
)
_TYPE = re.compile(rb'\st="(\w+)"')
_CELL_WITHOUT_REF = re.compile(rb"<c(?=[\s>/])(?![^>]*\sr=)")
_STYLED = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"[^>]*?\ss="([0-9]+)"')
_ERROR = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"[^>]*?\st="e"[^>]*><v>([^<]*)</v>')
_DATA = re.compile(rb"<sheetData>.*</sheetData>|<sheetData/>", re.DOTALL)
_DATE_1904 = re.compile(rb"date1904=\"(1|true)\"")
_LIMIT = 2**53


def eligible(xml: bytes) -> bool:
    """Whether a worksheet part can be read on the fast path."""
    return (
        CalamineWorkbook is not None
        and b"<sheetData" in xml
        and _CELL_WITHOUT_REF.search(xml) is None
        and _formulas_are_plain(xml)
    )


def _formulas_are_plain(xml: bytes) -> bool:
    """Every formula is a plain <f>text</f> in a cell this reader parses (no shared or array
    formulas, which need openpyxl's translation)."""
    total = len(_ANY_FORMULA.findall(xml))
    return total == 0 or total == len(_PLAIN_FORMULA.findall(xml)) == len(
        _FORMULA_CELL.findall(xml)
    )


def hollow(data: bytes, parts: dict[str, str], workbook_xml: bytes) -> tuple[bytes, set[str]]:
    """The file with the cell data of every fast tab cut out, and those tabs' names.

    `parts` maps tab name -> worksheet part. The copy is stored uncompressed: only openpyxl
    reads it, once, in memory.
    """
    if CalamineWorkbook is None or _DATE_1904.search(workbook_xml):
        return data, set()
    fast: set[str] = set()
    by_part = {part: name for name, part in parts.items()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as out:
        for info in source.infolist():
            body = source.read(info)
            name = by_part.get(info.filename)
            if name is not None and eligible(body):
                body = _DATA.sub(b"<sheetData/>", body, count=1)
                fast.add(name)
            out.writestr(info.filename, body)
    return (buffer.getvalue(), fast) if fast else (data, set())


class FastCells:
    """Values of the fast tabs, read by calamine from the original file."""

    def __init__(self, data: bytes) -> None:
        self._book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        self._zip = zipfile.ZipFile(io.BytesIO(data))

    def rows(self, name: str, part: str) -> tuple[list[list[Any]], dict[tuple[int, int], int]]:
        """(rows of plain values, trailing blanks trimmed; style index of each styled cell)."""
        grid = self._book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        rows = [_plain_row(row) for row in grid]
        while rows and not rows[-1]:
            rows.pop()
        xml = self._zip.read(part)
        for col, row, code in _ERROR.findall(xml):
            r, c = int(row) - 1, _column(col)
            while len(rows) <= r:
                rows.append([])
            line = rows[r]
            line.extend([None] * (c + 1 - len(line)))
            line[c] = code.decode()  # Google renders an error value UNFORMATTED as its code
        for col, row, attrs, text, cached in _FORMULA_CELL.findall(xml):
            r, c = int(row) - 1, _column(col)
            while len(rows) <= r:
                rows.append([])
            line = rows[r]
            line.extend([None] * (c + 1 - len(line)))
            formula = "=" + html.unescape(text.decode())
            kind = _TYPE.search(attrs)
            value = _cached(cached, kind.group(1) if kind else b"n")
            line[c] = Formula(formula, evaluate(formula) if value is None else value)
        styles = {
            (int(row) - 1, _column(col)): int(s)
            for col, row, s in _STYLED.findall(xml)
            if s != b"0"
        }
        return rows, styles

    def close(self) -> None:
        self._book.close()
        self._zip.close()


def _cached(raw: bytes | None, kind: bytes) -> Any:
    """A formula's cached value as openpyxl's data_only reading gives it (None: not cached)."""
    if raw is None or (raw == b"" and kind not in (b"str", b"inlineStr")):
        return None
    text = html.unescape(raw.decode())
    if kind in (b"str", b"e", b"inlineStr"):
        return text
    if kind == b"b":
        return text in ("1", "true")
    try:
        number = float(text)
    except ValueError:
        return text
    return _plain(number)


_COLUMNS: dict[bytes, int] = {}


def _column(letters: bytes) -> int:
    found = _COLUMNS.get(letters)
    if found is None:
        found = _COLUMNS[letters] = column_index_from_string(letters.decode()) - 1
    return found


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return value or None
    if kind is float:
        return int(value) if value.is_integer() and -_LIMIT < value < _LIMIT else value
    if kind is bool or kind is int or value is None:
        return value
    if isinstance(value, (datetime, date, time, timedelta)):
        # calamine read the number with Excel's 1900 calendar; to_excel undoes exactly that.
        return _plain(float(to_excel(value)))
    return value


def _plain_row(row: Iterable[Any]) -> list[Any]:
    out = [_plain(v) for v in row]
    while out and out[-1] is None:
        out.pop()
    return out
