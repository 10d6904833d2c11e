"""Reading a teacher's cells: headers matched loosely, dates in any form Sheets hands back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sheets_backend.gradebook.dates import DateReader
from sheets_backend.problems import Problem, Reason, cell_ref, tab_ref
from sheets_backend.sheets.snapshot import Snapshot, Tab, normalise_name


@dataclass(frozen=True)
class Headers:
    """Where each named column sits in a tab (0-based), found by name wherever the teacher put it."""

    tab: Tab
    row: int
    columns: dict[str, int]

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def column(self, name: str) -> int:
        return self.columns[name]

    def cell(self, row: int, name: str) -> str:
        """`Roster!B7` for a 0-based row and a named column."""
        return cell_ref(self.tab.title, row + 1, self.columns[name] + 1)

    def values(self, name: str) -> list[Any]:
        """A named column below the header row; all blanks when the optional column is absent."""
        if name in self.columns:
            return column_values(self.tab, self.columns[name], self.row + 1)
        return [""] * max(len(self.tab.rows) - self.row - 1, 0)


def find_headers(
    tab: Tab,
    required: Sequence[str],
    optional: Sequence[str] = (),
    *,
    row: int = 0,
    aliases: dict[str, Sequence[str]] | None = None,
) -> tuple[Headers, list[Problem]]:
    """Match header cells case- and space-insensitively; a missing required header is fatal."""
    aliases = aliases or {}
    present: dict[str, int] = {}
    header_cells = list(tab.rows[row]) if row < len(tab.rows) else []
    for col, text in enumerate(header_cells):
        key = normalise_name(text)
        if key and key not in present:
            present[key] = col
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    for name in [*required, *optional]:
        for candidate in (name, *aliases.get(name, ())):
            col = present.get(normalise_name(candidate))
            if col is not None:
                columns[name] = col
                break
        else:
            if name in required:
                problems.append(
                    Problem(
                        cell=cell_ref(tab.title, row + 1, 1),
                        reason=Reason.MISSING_HEADER,
                        message=f'the {tab.title} tab has no "{name}" column in row {row + 1}',
                        fatal=True,
                    )
                )
    return Headers(tab=tab, row=row, columns=columns), problems


def column_values(tab: Tab, col: int, first_row: int) -> list[Any]:
    """Every value of one column from `first_row` down (blanks as "")."""
    return [cells[col] if col < len(cells) else "" for cells in tab.rows[first_row:]]


def text(value: Any) -> str:
    """A cell as trimmed text; whole numbers lose their ".0" (a Student ID typed as 1042 is "1042")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value).strip()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value: Any, dates: DateReader | None = None) -> pd.Timestamp | None:
    """A date from a serial number (what Sheets returns for a date cell) or from typed text.

    Text is read month-first ("10/3/2026" is October 3), as in a US-locale spreadsheet; a date
    without a year takes the school year of `dates` (default: the one holding today).
    """
    return (dates or DateReader.for_dates(())).read(value).day


def parse_dates(
    values: Iterable[Any], dates: DateReader | None = None
) -> list[pd.Timestamp | None]:
    """`parse_date` over many cells, parsing each distinct value once."""
    return [read.day for read in (dates or DateReader.for_dates(())).read_many(values)]


def missing_tab(name: str, *, fatal: bool) -> Problem:
    return Problem(
        cell=tab_ref(name),
        reason=Reason.MISSING_TAB,
        message=f'there is no "{name}" tab; use Hive > Insert Hive template tabs to add it',
        fatal=fatal,
    )


# A tab's layout, by the headers a teacher cannot rename without breaking it: how a renamed
# template tab ("Gradebook T1" holding the Scores layout) is recognised.
SIGNATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # name: (row-1 headers that must all be present, row-1 headers that must be absent)
    "Roster": (("student id", "student name"), ("outcome id",)),
    "Outcomes": (("outcome id", "outcome"), ("student id",)),
    "Evidence": (("student id", "outcome id", "date", "score"), ()),
    "Overrides": (("student id", "outcome id", "reason"), ("score",)),
    "Policy": (("setting", "default"), ()),
}
_LABELS = ("outcome", "date")


def find_tab(snapshot: Snapshot, name: str, problems: list[Problem]) -> Tab | None:
    """The teacher's tab called `name`; failing that, the one renamed tab with its layout.

    A tab found by its layout is used with a warning naming it, so the teacher can confirm. Two
    tabs with the layout are ambiguous: neither is used, and the warning names both.
    """
    found = snapshot.find(name)
    if found is not None:
        return found
    taken = {normalise_name(n) for n in (*SIGNATURES, "Scores", "Behavior", "Mentoring")}
    candidates = [
        tab for tab in snapshot.tabs
        if not tab.hive_owned and normalise_name(tab.title) not in taken
        and has_layout(tab, name)
    ]
    if len(candidates) == 1:
        tab = candidates[0]
        problems.append(Problem(
            tab_ref(tab.title), Reason.TAB_RENAMED,
            f'there is no "{name}" tab, but "{tab.title}" has its layout, so Hive read it as '
            f'the {name} tab; rename it "{name}" to confirm'))
        return tab
    if len(candidates) > 1:
        titles = ", ".join(f'"{t.title}"' for t in candidates)
        problems.append(Problem(
            tab_ref(candidates[0].title), Reason.TAB_RENAMED,
            f'there is no "{name}" tab, and {titles} all have its layout; Hive used none of '
            f'them: rename the one to use "{name}"'))
    return None


def has_layout(tab: Tab, name: str) -> bool:
    """Whether `tab`'s headers (and, for Scores, its Outcome and Date label rows) match `name`."""
    header = {normalise_name(v) for v in (tab.rows[0] if tab.rows else ())} - {""}
    if name == "Scores":
        if "student id" not in header:
            return False
        col = [normalise_name(v) for v in tab.rows[0]].index("student id")
        labels = {normalise_name(tab.value(r, col)) for r in range(1, min(len(tab.rows), 8))}
        return all(label in labels for label in _LABELS)
    if name not in SIGNATURES:
        return False
    present, absent = SIGNATURES[name]
    if name == "Roster" and has_layout(tab, "Scores"):
        return False
    return all(h in header for h in present) and not any(h in header for h in absent)


# What a teacher types for "yes" in a Resolved column (or ticks): any case, any of these.
YES = frozenset({"yes", "y", "true", "x", "✓", "✔", "done", "resolved", "1"})


def is_yes(value: Any) -> bool:
    """A cell that says yes: a checkbox's TRUE, or one of the words in `YES`."""
    if isinstance(value, bool):
        return value
    return text(value).lower() in YES
