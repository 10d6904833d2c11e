"""The school's side tabs, read with their cells: Behavior incidents and Mentoring check-ins.

A gradebook's Behavior tab is read the same way, so an unresolved incident anywhere in the school
can be shown with where it is ("Math 6: Behavior!B3").
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd

from sheets_backend.gradebook.cells import find_headers, is_blank, is_yes, parse_date, text
from sheets_backend.problems import Problem, Reason
from sheets_backend.sheets.snapshot import Tab


@dataclass(frozen=True)
class Incident:
    """An unresolved behaviour incident: whose, and where it is written."""

    student_id: str
    where: str  # "Math 6: Behavior!B3" or "School: Behavior!B3"


@dataclass(frozen=True)
class CheckIn:
    """One mentoring check-in row."""

    student_id: str
    mentor: str
    date: pd.Timestamp | None
    cell: str


def unresolved_incidents(
    tab: Tab | None, place: str, known: Collection[str] | None, problems: list[Problem] | None = None
) -> list[Incident]:
    """Every unresolved incident of a Behavior tab; rows naming an unknown student are skipped
    (and reported into `problems` when given: a gradebook's own reader already reports its own)."""
    if tab is None:
        return []
    headers, header_problems = find_headers(tab, ("Student ID",), ("Date", "Note", "Resolved"))
    if header_problems:
        if problems is not None:
            problems.extend(Problem(p.cell, p.reason, p.message + "; the tab was skipped")
                            for p in header_problems)
        return []
    resolved = headers.values("Resolved")
    found: list[Incident] = []
    for i, raw in enumerate(headers.values("Student ID")):
        sid = text(raw)
        if not sid:
            continue
        if known is not None and sid not in known:
            if problems is not None:
                problems.append(Problem(headers.cell(i + 1, "Student ID"), Reason.UNKNOWN_STUDENT,
                                        f'Student ID "{sid}" is not on the Roster; incident ignored'))
            continue
        if not is_yes(resolved[i]):
            found.append(Incident(sid, f"{place}: {headers.cell(i + 1, 'Student ID')}"))
    return found


def check_ins(tab: Tab | None, problems: list[Problem]) -> list[CheckIn]:
    """The Mentoring tab's rows (Date, Student ID, Mentor, Note), each with its cell."""
    if tab is None:
        return []
    headers, header_problems = find_headers(tab, ("Student ID",), ("Date", "Mentor", "Note"))
    if header_problems:
        problems.extend(Problem(p.cell, p.reason, p.message + "; the Mentoring tab was skipped")
                        for p in header_problems)
        return []
    dates, mentors = headers.values("Date"), headers.values("Mentor")
    rows: list[CheckIn] = []
    for i, raw in enumerate(headers.values("Student ID")):
        sid = text(raw)
        if not sid:
            continue
        day = parse_date(dates[i])
        if day is None and not is_blank(dates[i]):
            problems.append(Problem(headers.cell(i + 1, "Date"), Reason.BAD_DATE,
                                    f'"{text(dates[i])}" is not a date'))
        rows.append(CheckIn(sid, text(mentors[i]), day, headers.cell(i + 1, "Student ID")))
    return rows


