"""The school workbook's Hive tabs: `Students`, `Mentors` and `Courses`, as rows of cells.

Students in Roster order (or name order), mentors in name order, courses in Gradebooks order:
nothing is ever sorted by results. `Courses` holds counts only, never a name.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from policy_engine import STATUS_WORDS, Status
from sheets_backend.school.aggregate import STATUSES, SchoolView
from sheets_backend.tabs.plan import CellData, TabContent, number_cell, text_cell

STUDENTS, MENTORS, COURSES = "Students", "Mentors", "Courses"
SCHOOL_TABS = (STUDENTS, MENTORS, COURSES)
ALL_COURSES = "All courses"
HEADER = "#d9e2f3"
GROUP = ("% met of assessed", "On track", "Missing work")
NOT_ELIGIBLE = "#ec9393"


def school_tabs(view: SchoolView) -> list[TabContent]:
    """The three tabs, in the order they are written (SCHOOL_TABS)."""
    return [students_tab(view), mentors_tab(view), courses_tab(view)]


def students_tab(view: SchoolView) -> TabContent:
    """A row per student; a column group per course, then all courses; incentive eligibility."""
    groups = [*view.courses, ALL_COURSES]
    first = [text_cell(_read_line(view), bold=True)]
    top: list[CellData] = [{} for _ in range(4)]
    for course in groups:
        top += [text_cell(course, bold=True, background=HEADER)] + [{}] * (len(GROUP) - 1)
    head = [_head(h) for h in ("Student ID", "Student Name", "Grade", "Mentor")]
    head += [_head(h) for _ in groups for h in GROUP]
    head += [_head("Incentive eligible"), _head("Unresolved incidents")]
    figures = _lookup(view.figures)
    totals = view.totals.to_dict("index")
    rows: list[list[CellData]] = [first, top, head]
    for s in view.students:
        row = [text_cell(s.id), text_cell(s.name), text_cell(s.grade), text_cell(s.mentor)]
        for course in view.courses:
            row += _figure_cells(figures.get((s.id, course)))
        row += _figure_cells(totals.get(s.id))
        where = view.ineligible.get(s.id, ())
        row.append(text_cell("No", background=NOT_ELIGIBLE) if where else text_cell("Yes"))
        row.append(text_cell("; ".join(where), wrap=True))
        rows.append(row)
    widths = [90, 160, 60, 120] + [90] * (len(GROUP) * len(groups)) + [90, 260]
    return TabContent(STUDENTS, rows, frozen_rows=3, frozen_columns=2, column_widths=widths)


def mentors_tab(view: SchoolView) -> TabContent:
    """A block per mentor: their mentees only, with what needs a check-in in each course."""
    needs = _lookup(view.needs)
    rows: list[list[CellData]] = []
    for mentor, email, mentees in view.mentors():
        rows.append([text_cell(mentor, bold=True, size=12), text_cell(email)])
        rows.append([_head(h) for h in ("Student ID", "Student Name", "Grade", "Last check-in",
                                        "Needs a check-in")])
        for s in mentees:
            day = view.last_check_in.get(s.id)
            items = [needs_text(course, needs.get((s.id, course))) for course in view.courses]
            rows.append([text_cell(s.id), text_cell(s.name), text_cell(s.grade),
                         text_cell(f"{day:%Y-%m-%d}" if day is not None else "none yet"),
                         text_cell("; ".join(i for i in items if i) or "nothing flagged",
                                   wrap=True)])
        rows.append([])
    return TabContent(MENTORS, rows or [[text_cell("No mentors on the Roster.")]],
                      column_widths=(90, 160, 60, 100, 420))


def courses_tab(view: SchoolView) -> TabContent:
    """Per course and outcome: how many students are at each status (counts, no names)."""
    labels = [STATUS_WORDS[s] or "Not assessed" for s in STATUSES]
    rows: list[list[CellData]] = [[_head(h) for h in ("Course", "Outcome ID", *labels)]]
    for record in view.status_counts.itertuples(index=False):
        values = record._asdict()
        rows.append([text_cell(str(values["course"])), text_cell(str(values["outcome_id"]))]
                    + [number_cell(int(values[s.value])) for s in STATUSES])
    return TabContent(COURSES, rows, frozen_rows=1, column_widths=(160, 90, 90, 90, 90, 100))


def needs_text(course: str, needs: dict[str, Any] | None) -> str:
    """"Math 6: 2 Not Yet, 1 slipping, 1 missing" (blank when nothing needs a check-in)."""
    if not needs:
        return ""
    parts = [f"{int(needs['not_yet'])} {STATUS_WORDS[Status.NOT_YET]}" if needs["not_yet"] else "",
             f"{int(needs['slipping'])} slipping" if needs["slipping"] else "",
             f"{int(needs['missing_count'])} missing" if needs["missing_count"] else ""]
    shown = ", ".join(p for p in parts if p)
    return f"{course}: {shown}" if shown else ""


def _read_line(view: SchoolView) -> str:
    total, missed = len(view.results), view.not_read
    line = f"{total - len(missed)} of {total} gradebooks read."
    if missed:
        line += " Not read: " + "; ".join(
            f"{r.course.cell} {r.course.label}" for r in missed
        ) + ". Their courses are missing below and eligibility may be incomplete."
    return line


def _head(title: str) -> CellData:
    return text_cell(title, bold=True, background=HEADER, wrap=True)


def _figure_cells(values: dict[str, Any] | None) -> list[CellData]:
    if values is None:
        return [{}, {}, {}]
    percent = values["percent_met"]
    return [
        number_cell(None if pd.isna(percent) else float(percent) / 100, pattern="0%"),
        number_cell(int(values["on_track"])),
        number_cell(int(values["missing_count"])),
    ]


def _lookup(frame: pd.DataFrame) -> dict[Any, dict[str, Any]]:
    found: dict[Any, dict[str, Any]] = frame.to_dict("index")
    return found
