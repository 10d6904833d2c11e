"""The in-memory spreadsheet: tabs as row lists of plain values, formats and notes kept sparse."""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from sheets_backend.sheets.local.a1 import A1Range, format_range, parse_cells, split_title
from sheets_backend.sheets.local.errors import ApiError, bad_request

Cell = tuple[int, int]

DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula as typed, with its value (None: this service could not evaluate it)."""

    text: str
    value: Any = None


def plain_number(value: float | int) -> float | int:
    """Integral floats become ints, so JSON echoes `43831`, not `43831.0`, as Google does."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


@dataclass
class Sheet:
    """One tab. `rows[r][c]` is None (empty), str, int, float, bool or a Formula; rows ragged."""

    sheet_id: int
    title: str
    row_count: int = DEFAULT_ROWS
    column_count: int = DEFAULT_COLUMNS
    frozen_rows: int = 0
    frozen_columns: int = 0
    hidden: bool = False
    hide_gridlines: bool = False
    right_to_left: bool = False
    tab_color: dict[str, float] | None = None
    rows: list[list[Any]] = field(default_factory=list)
    formats: dict[Cell, dict[str, Any]] = field(default_factory=dict)
    notes: dict[Cell, str] = field(default_factory=dict)
    validations: dict[Cell, dict[str, Any]] = field(default_factory=dict)
    protected_ranges: list[dict[str, Any]] = field(default_factory=list)
    merges: list[dict[str, int]] = field(default_factory=list)
    column_pixels: dict[int, int] = field(default_factory=dict)
    row_pixels: dict[int, int] = field(default_factory=dict)
    hidden_columns: set[int] = field(default_factory=set)
    hidden_rows: set[int] = field(default_factory=set)

    def clone(self) -> Sheet:
        """A copy a transaction may change freely: row lists and sparse maps are copied, the
        format and note values inside them are never mutated in place, so they can be shared."""
        return replace(
            self,
            rows=[list(r) for r in self.rows],
            formats=dict(self.formats),
            notes=dict(self.notes),
            validations=dict(self.validations),
            protected_ranges=list(self.protected_ranges),
            merges=list(self.merges),
            column_pixels=dict(self.column_pixels),
            row_pixels=dict(self.row_pixels),
            hidden_columns=set(self.hidden_columns),
            hidden_rows=set(self.hidden_rows),
            tab_color=dict(self.tab_color) if self.tab_color else None,
        )

    def value(self, r: int, c: int) -> Any:
        if r < len(self.rows):
            row = self.rows[r]
            if c < len(row):
                return row[c]
        return None

    def set_value(self, r: int, c: int, value: Any) -> None:
        rows = self.rows
        if r >= len(rows):
            if value is None:
                return
            rows.extend([] for _ in range(r + 1 - len(rows)))
        row = rows[r]
        if c >= len(row):
            if value is None:
                return
            row.extend([None] * (c + 1 - len(row)))
        row[c] = value

    def trim(self) -> None:
        """Drop trailing empty cells and rows, so reads stay cheap and extents stay true."""
        rows = self.rows
        for row in rows:
            while row and row[-1] is None:
                row.pop()
        while rows and not rows[-1]:
            rows.pop()

    def data_extent(self) -> tuple[int, int]:
        """(rows, columns) holding any value, note, format or validation."""
        n_rows = len(self.rows)
        n_cols = max((len(r) for r in self.rows), default=0)
        for sparse in (self.formats, self.notes, self.validations):
            for r, c in sparse:
                n_rows = max(n_rows, r + 1)
                n_cols = max(n_cols, c + 1)
        return n_rows, n_cols


@dataclass
class Workbook:
    """One spreadsheet: properties, tabs in order, named ranges, and where it lives on disk."""

    spreadsheet_id: str
    title: str
    sheets: list[Sheet] = field(default_factory=list)
    locale: str = "en_US"
    time_zone: str = "Etc/GMT"
    auto_recalc: str = "ON_CHANGE"
    named_ranges: list[dict[str, Any]] = field(default_factory=list)
    developer_metadata: list[dict[str, Any]] = field(default_factory=list)
    path: Any = None
    autosave: bool = False
    # The file it was loaded from (xlsx_package.Source): what a save copies instead of rewriting.
    source: Any = None
    # Whose file it is ("": the service's own account); anyone else sees it only if shared.
    owner: str = ""
    created_time: str = ""
    modified_time: str = ""

    def clone(self) -> Workbook:
        """A copy for an all-or-nothing batchUpdate: applied to the copy, swapped in on success."""
        return replace(
            self,
            sheets=[s.clone() for s in self.sheets],
            named_ranges=list(self.named_ranges),
            developer_metadata=copy.deepcopy(self.developer_metadata),
        )

    def adopt(self, other: Workbook) -> None:
        """Take over every field of a successful transaction copy."""
        self.__dict__.update(other.__dict__)

    def sheet_by_id(self, sheet_id: int, where: str = "") -> Sheet:
        for sheet in self.sheets:
            if sheet.sheet_id == sheet_id:
                return sheet
        prefix = f"Invalid {where}: " if where else ""
        raise bad_request(f"{prefix}No grid with id: {sheet_id}")

    def sheet_by_title(self, title: str) -> Sheet | None:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        lowered = title.lower()  # Google matches tab titles case-insensitively
        for sheet in self.sheets:
            if sheet.title.lower() == lowered:
                return sheet
        return None

    def new_sheet_id(self) -> int:
        taken = {s.sheet_id for s in self.sheets}
        while True:
            candidate = secrets.randbelow(2**31 - 1) + 1
            if candidate not in taken:
                return candidate

    def resolve(self, text: str) -> tuple[Sheet, A1Range]:
        """An A1 string -> the tab and the parsed range, with Google's errors for bad input."""
        title, cells = split_title(text)
        if title is None:
            sheet = self.sheet_by_title(text)
            if sheet is not None:
                return sheet, A1Range(sheet.title)
            if not self.sheets:
                raise bad_request(f"Unable to parse range: {text}")
            sheet = self.sheets[0]
        else:
            found = self.sheet_by_title(title)
            if found is None:
                raise bad_request(f"Unable to parse range: {text}")
            sheet = found
        if cells is None:
            return sheet, A1Range(sheet.title)
        r0, r1, c0, c1 = parse_cells(cells, text)
        return sheet, A1Range(sheet.title, r0, r1, c0, c1)


def bounded(sheet: Sheet, rng: A1Range, text: str) -> tuple[int, int, int, int]:
    """Close the open sides of a range at the grid's edge; a range past the edge is Google's 400."""
    r0 = rng.start_row or 0
    c0 = rng.start_col or 0
    r1 = rng.end_row if rng.end_row is not None else sheet.row_count
    c1 = rng.end_col if rng.end_col is not None else sheet.column_count
    if r1 > sheet.row_count or c1 > sheet.column_count or r0 >= r1 or c0 >= c1:
        if r0 < r1 and c0 < c1:
            raise ApiError(
                400,
                f"Range ({format_range(sheet.title, r0, r1, c0, c1)}) exceeds grid limits. "
                f"Max rows: {sheet.row_count}, max columns: {sheet.column_count}",
            )
    return r0, max(r1, r0 + 1), c0, max(c1, c0 + 1)


def new_spreadsheet_id() -> str:
    """A 44-character id shaped like Google's."""
    return "1" + secrets.token_urlsafe(32)[:43]
