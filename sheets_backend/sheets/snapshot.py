"""A read-only picture of a spreadsheet: its tabs, their grids of values, and which tabs Hive owns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# Hive marks the tabs it writes with a warning-only protected range carrying this description.
# A tab without the mark is the teacher's, whatever its name, and Hive never writes into it.
HIVE_MARK = "Hive output: recomputed by Hive. Edits here are replaced on the next recompute."
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
        """The tab with exactly this title, Hive's or not (titles are unique in a spreadsheet)."""
        for tab in self.tabs:
            if tab.title == title:
                return tab
        return None

    @property
    def cell_count(self) -> int:
        return sum(tab.row_count * tab.column_count for tab in self.tabs)
