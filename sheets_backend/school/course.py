"""One gradebook of the school, recomputed (its own reads, one write) into what the school needs.

`recompute_course` is a step of its own (a job can run one gradebook per task); its result is
everything the aggregation reads, so each gradebook is read once.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from policy_engine import Evaluation
from sheets_backend.errors import HiveError, TemplateInvalid
from sheets_backend.gradebook.cells import find_headers, text
from sheets_backend.gradebook.template import (
    BEHAVIOR,
    POLICY,
    ROSTER,
    Gradebook,
    Student,
    read_gradebook,
)
from sheets_backend.problems import Problem, Reason
from sheets_backend.recompute import evaluate_book, render_tabs
from sheets_backend.school.drift import policy_drift
from sheets_backend.school.side_tabs import Incident, unresolved_incidents
from sheets_backend.school.workbook import Course, School
from sheets_backend.sheets.gateway import SheetsGateway
from sheets_backend.sheets.snapshot import Snapshot
from sheets_backend.tabs.plan import build_plan

log = logging.getLogger(__name__)
Opener = Callable[[Course], SheetsGateway]  # a gradebook's gateway from its Gradebooks row
STUDENT_COLUMNS = ("student_id", "met", "assessed", "percent_met", "on_track", "missing_count")
OUTCOME_COLUMNS = ("student_id", "outcome_id", "status", "trend", "missing_count")


@dataclass(frozen=True)
class CourseResult:
    """What one gradebook's recompute gives the school: figures, no evaluation internals."""

    course: Course
    roster: tuple[Student, ...] = ()
    outcome_ids: tuple[str, ...] = ()
    students: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=STUDENT_COLUMNS))
    outcomes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=OUTCOME_COLUMNS))
    incidents: tuple[Incident, ...] = ()
    check_ins: dict[str, pd.Timestamp] = field(default_factory=dict)
    name_cells: dict[str, str] = field(default_factory=dict)  # Student ID -> its Roster name cell
    problems: tuple[Problem, ...] = ()
    api_calls: dict[str, int] = field(default_factory=dict)
    written: bool = False
    duration_ms: int = 0
    error: Problem | None = None  # set when the gradebook could not be read: nothing else is

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values: what a job step stores for the aggregation step to read."""
        return {
            "course": dataclasses.asdict(self.course),
            "roster": [dataclasses.asdict(s) for s in self.roster],
            "outcome_ids": list(self.outcome_ids),
            "students": _records(self.students),
            "outcomes": _records(self.outcomes),
            "incidents": [dataclasses.asdict(i) for i in self.incidents],
            "check_ins": {sid: day.date().isoformat() for sid, day in self.check_ins.items()},
            "name_cells": dict(self.name_cells),
            "problems": [p.to_dict() for p in self.problems],
            "api_calls": dict(self.api_calls),
            "written": self.written,
            "duration_ms": self.duration_ms,
            "error": self.error.to_dict() if self.error is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CourseResult:
        """The result `to_dict` stored, as it was."""
        return cls(
            course=Course(**data["course"]),
            roster=tuple(Student(**s) for s in data["roster"]),
            outcome_ids=tuple(data["outcome_ids"]),
            students=pd.DataFrame(data["students"], columns=list(STUDENT_COLUMNS)),
            outcomes=pd.DataFrame(data["outcomes"], columns=list(OUTCOME_COLUMNS)),
            incidents=tuple(Incident(**i) for i in data["incidents"]),
            check_ins={sid: pd.Timestamp(day) for sid, day in data["check_ins"].items()},
            name_cells=dict(data["name_cells"]),
            problems=tuple(_problem(p) for p in data["problems"]),
            api_calls=dict(data["api_calls"]),
            written=bool(data["written"]),
            duration_ms=int(data["duration_ms"]),
            error=_problem(data["error"]) if data["error"] is not None else None,
        )


def with_school_policy(snapshot: Snapshot, school: School) -> Snapshot:
    """The gradebook as its template reader sees it: the school's Policy tab when it has none."""
    if snapshot.find(POLICY) is not None or school.policy_tab is None:
        return snapshot
    tab = dataclasses.replace(school.policy_tab, title=POLICY, sheet_id=-1, hive_owned=False)
    return dataclasses.replace(snapshot, tabs=(*snapshot.tabs, tab))


def read_course(
    school: School, gateway: SheetsGateway, *, as_of: date | None = None
) -> tuple[Snapshot, Gradebook, Evaluation]:
    """Read and evaluate one of the school's gradebooks (no write)."""
    snapshot = gateway.read_snapshot()
    book, evaluation = evaluate_book(read_gradebook(with_school_policy(snapshot, school)), as_of)
    return snapshot, book, evaluation


def recompute_course(
    school: School, index: int, opener: Opener, *, as_of: date | None = None,
    dry_run: bool = False,
) -> CourseResult:
    """Recompute gradebook `index` and write its Hive tabs (one batchUpdate), as `recompute` does.

    A gradebook that cannot be opened or read is a result too, with `error` naming its row of
    the Gradebooks tab: the school's other gradebooks still count.
    """
    course = school.courses[index]
    started = time.perf_counter()
    gateway: SheetsGateway | None = None
    try:
        gateway = opener(course)
        snapshot, book, evaluation = read_course(school, gateway, as_of=as_of)
        plan = build_plan(snapshot, render_tabs(book, evaluation, as_of))
        if not dry_run:
            gateway.apply(plan)
    except HiveError as error:
        return not_read(course, error, gateway, started)
    return course_result(school, course, snapshot, book, evaluation, gateway,
                         extra=plan.problems, written=not dry_run, started=started)


def course_result(
    school: School, course: Course, snapshot: Snapshot, book: Gradebook, evaluation: Evaluation,
    gateway: SheetsGateway, *, extra: Sequence[Problem] = (), written: bool = False,
    started: float | None = None,
) -> CourseResult:
    """What the school keeps of one evaluated gradebook: figures, incidents, check-ins, problems
    (policy drift included)."""
    problems = [*book.problems, *extra]
    own_policy = snapshot.find(POLICY)
    if own_policy is not None and school.policy_tab is not None:
        problems.extend(policy_drift(school.policies, school.policy_tab, own_policy))
    ids = {s.id for s in book.students}
    mentoring = book.mentoring or {}
    return CourseResult(
        course=course,
        roster=book.students,
        outcome_ids=tuple(o.id for o in book.outcomes),
        students=evaluation.students.loc[:, list(STUDENT_COLUMNS)].reset_index(drop=True),
        outcomes=evaluation.outcomes.loc[:, list(OUTCOME_COLUMNS)].reset_index(drop=True),
        incidents=tuple(unresolved_incidents(snapshot.find(BEHAVIOR), course.label, ids)),
        check_ins={sid: m.last_check_in for sid, m in mentoring.items()
                   if m.last_check_in is not None},
        name_cells=name_cells(snapshot),
        problems=tuple(problems),
        api_calls=gateway.calls.to_dict(),
        written=written,
        duration_ms=_ms(started) if started is not None else 0,
    )


def name_cells(snapshot: Snapshot) -> dict[str, str]:
    """Student ID -> the cell of its name on the gradebook's Roster (where a mismatch is named)."""
    tab = snapshot.find(ROSTER)
    if tab is None:
        return {}
    headers, problems = find_headers(tab, ("Student ID", "Student Name"))
    if problems:
        return {}
    cells: dict[str, str] = {}
    for i, raw in enumerate(headers.values("Student ID")):
        cells.setdefault(text(raw), headers.cell(i + 1, "Student Name"))
    return cells


def not_read(
    course: Course, error: HiveError, gateway: SheetsGateway | None = None,
    started: float | None = None,
) -> CourseResult:
    """The result of a gradebook Hive could not open or read: its Gradebooks cell and why."""
    log.warning("school gradebook not read", extra={"row": course.cell, "code": error.code})
    detail = error.message
    if isinstance(error, TemplateInvalid):
        detail = "; ".join(str(p) for p in error.problems if p.fatal)[:500] or error.message
    problem = Problem(course.cell, Reason.GRADEBOOK_UNREADABLE,
                      f"{course.label}: Hive could not read this gradebook ({detail}); the other "
                      "gradebooks were still computed")
    calls = gateway.calls.to_dict() if gateway is not None else {"read": 0, "write": 0}
    return CourseResult(course, error=problem, api_calls=calls,
                        duration_ms=_ms(started) if started is not None else 0)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    plain = frame.astype(object).where(frame.notna(), None)
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in plain.to_dict("records")]


def _problem(data: Mapping[str, str]) -> Problem:
    return Problem(data["cell"], Reason(data["reason"]), data["message"],
                   data["severity"] == "error")


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
