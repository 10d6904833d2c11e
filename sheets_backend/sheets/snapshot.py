"""A read-only picture of a spreadsheet: its tabs, their grids of values, and which tabs Hive owns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# Hive marks the tabs it writes with a warning-only protected range carrying this description.
# A tab without the mark is the teacher's, whatever its name, and Hive never writes into it.
HIVE_MARK = "Hive output: recomputed by Hive. Edits here are replaced on the next recompute."
_STAMP = re.compile(r" \[write ([0-9a-z]{1,32}); sheet ([0-9]{1,12})\]")


def hive_mark(write_id: str = "", sheet_id: int = 0) -> str:
    """The mark's description, stamped with the id of the write that last wrote the tab and the
    sheetId it was put on (a duplicated tab's copy of the mark names another sheet)."""
    return f"{HIVE_MARK} [write {write_id}; sheet {sheet_id}]" if write_id else HIVE_MARK


def mark_write_id(description: object, sheet_id: int) -> str | None:
    """The write id of Hive's mark on sheet `sheet_id` ("" for the plain mark of older sheets);
    None when it is no Hive mark, or a mark copied from another sheet."""
    if description == HIVE_MARK:
        return ""
    if isinstance(description, str) and description.startswith(HIVE_MARK):
        found = _STAMP.fullmatch(description, len(HIVE_MARK))
        if found is not None and int(found[2]) == sheet_id:
            return found[1]
    return None


def same_title(a: str, b: str) -> bool:
    """Whether two tab titles collide: Google refuses two titles that differ only in case."""
    return a.casefold() == b.casefold()
# Hidden tabs a write too big for one request fills before one final call makes it visible.
STAGING_PREFIX = "Hive staging "


def normalise_name(text: object) -> str:
    """How Hive compares tab names and headers: case-, space- and punctuation-insensitively."""
    return re.sub(r"[^a-z0-9%]+", " ", str(text).strip().lower()).strip()


@dataclass(frozen=True)
class Tab:
    """One tab. `rows` are values as the Sheets API renders them UNFORMATTED (numbers, text, dates
    as serial numbers), trailing blanks trimmed, so rows may have different lengths."""

    title: str
    sheet_id: int
    index: int
    row_count: int
    column_count: int
    rows: Sequence[Sequence[Any]] = field(default_factory=tuple)
    hive_owned: bool = False
    frozen_rows: int = 0
    mark_ids: tuple[int, ...] = ()  # the protected ranges carrying Hive's mark (Hive's tabs)
    frozen_columns: int = 0
    hidden: bool = False
    # Hive's own tabs only: the cells as the Sheets API holds them (CellData with value, note and
    # format, rows trimmed) and each column's width in pixels; None when not read.
    cells: Sequence[Sequence[dict[str, Any]]] | None = None
    column_widths: Sequence[int] = ()

    def value(self, row: int, col: int) -> Any:
        """The value at 0-based row and column, "" when blank or beyond the trimmed grid."""
        if row < len(self.rows):
            cells = self.rows[row]
            if col < len(cells):
                return cells[col]
        return ""


@dataclass(frozen=True)
class Snapshot:
    spreadsheet_id: str
    title: str
    tabs: tuple[Tab, ...]

    def find(self, name: str) -> Tab | None:
        """The teacher's tab called `name` (matched insensitively); Hive's own tabs never match."""
        wanted = normalise_name(name)
        for tab in self.tabs:
            if not tab.hive_owned and normalise_name(tab.title) == wanted:
                return tab
        return None

    def titled(self, title: str) -> Tab | None:
        """The tab whose title collides with `title`, Hive's or not: titles are unique in a
        spreadsheet regardless of case (`mastery` takes the name `Mastery`)."""
        for tab in self.tabs:
            if same_title(tab.title, title):
                return tab
        return None

    @property
    def cell_count(self) -> int:
        return sum(tab.row_count * tab.column_count for tab in self.tabs)
