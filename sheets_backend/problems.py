"""Problems found in a spreadsheet, each pinned to the tab and cell a teacher can go and fix."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from gspread.utils import rowcol_to_a1


class Reason(StrEnum):
    """Stable reason codes: the API, the sidebar and the docs key on these, never on message text."""

    MISSING_TAB = "missing_tab"
    MISSING_HEADER = "missing_header"
    DUPLICATE_HEADER = "duplicate_header"
    EMPTY_ROSTER = "empty_roster"
    DUPLICATE_STUDENT = "duplicate_student"
    MISSING_STUDENT_ID = "missing_student_id"
    UNKNOWN_STUDENT = "unknown_student"
    DUPLICATE_OUTCOME = "duplicate_outcome"
    UNKNOWN_OUTCOME = "unknown_outcome"
    MISSING_OUTCOME = "missing_outcome"
    SCORE_NOT_ON_SCALE = "score_not_on_scale"
    BAD_DATE = "bad_date"
    DATE_WITHOUT_YEAR = "date_without_year"
    DATE_TIME_ZONE = "date_time_zone"
    BAD_TYPE = "bad_type"
    UNKNOWN_POLICY = "unknown_policy"
    POLICY_SETTING = "policy_setting"
    TAB_NAME_TAKEN = "tab_name_taken"
    HIVE_TAB_EDITED = "hive_tab_edited"
    TAB_RENAMED = "tab_renamed"
    ORPHANED_EVIDENCE = "orphaned_evidence"
    OVERRIDE = "override"
    TOO_LARGE = "too_large"
    UNKNOWN_LANGUAGE = "unknown_language"
    RETAKE_LIMIT = "retake_limit"
    MISSING_GRADEBOOK = "missing_gradebook"
    GRADEBOOK_UNREADABLE = "gradebook_unreadable"
    NAME_MISMATCH = "name_mismatch"
    MENTOR_NO_EMAIL = "mentor_no_email"
    POLICY_DRIFT = "policy_drift"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the sheet. `fatal` problems stop the recompute; others skip a cell."""

    cell: str
    reason: Reason
    message: str
    fatal: bool = False

    def __str__(self) -> str:
        return f"{self.cell}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {
            "cell": self.cell,
            "reason": self.reason.value,
            "message": self.message,
            "severity": "error" if self.fatal else "warning",
        }


_PLAIN_TAB = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# A bare title that reads as a cell (`Q1`, `T2`, `R1C1`) would name a cell, not a tab.
_CELL_LIKE = re.compile(r"^([A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*)$")


def quote_tab(tab: str) -> str:
    """A tab name as A1 notation wants it (and as Google echoes it): quoted when it holds spaces or
    punctuation, or looks like a cell reference."""
    if _PLAIN_TAB.match(tab) and not _CELL_LIKE.match(tab):
        return tab
    return "'" + tab.replace("'", "''") + "'"


def cell_ref(tab: str, row: int, col: int) -> str:
    """`Scores!F12` for 1-based row and column."""
    return f"{quote_tab(tab)}!{rowcol_to_a1(row, col)}"


def tab_ref(tab: str) -> str:
    """A reference to a whole tab, for problems that have no single cell (a missing tab)."""
    return f"{quote_tab(tab)}!A1"
