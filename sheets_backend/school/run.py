"""A school recompute: read the school workbook, recompute each gradebook, aggregate, write the
school's tabs in one batchUpdate; and `validate`, which reads everything and writes nothing.

The steps are separate functions so a job can run them one per task: `read_school_book`, then
`recompute_course` per gradebook, then `write_school_tabs`.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import gspread

from sheets_backend.errors import HiveError, SpreadsheetNotFound, TemplateInvalid
from sheets_backend.gradebook.template import read_gradebook
from sheets_backend.problems import Reason
from sheets_backend.school.aggregate import Located, SchoolView, aggregate
from sheets_backend.school.course import (
    CourseResult,
    Opener,
    name_cells,
    not_read,
    recompute_course,
    with_school_policy,
)
from sheets_backend.school.drift import policy_drift
from sheets_backend.school.tabs import school_tabs
from sheets_backend.school.workbook import POLICY, Course, School, read_school
from sheets_backend.sheets.gateway import SheetsGateway, local_client
from sheets_backend.sheets.snapshot import Snapshot
from sheets_backend.tabs.plan import build_plan

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SchoolSummary:
    """What a school recompute did, in counts and cells: safe to log and to show."""

    gradebooks: int
    read: int
    students: int
    courses: tuple[str, ...]
    warnings: tuple[Located, ...]
    api_calls: dict[str, int]  # the school workbook's and every gradebook's, added up
    written: bool
    duration_ms: int
    tabs: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "gradebooks": self.gradebooks,
            "read": self.read,
            "not_read": [w.to_dict() for w in self.warnings
                         if w.problem.reason is Reason.GRADEBOOK_UNREADABLE],
            "students": self.students,
            "courses": list(self.courses),
            "warnings": [w.to_dict() for w in self.warnings],
            "api_calls": dict(self.api_calls),
            "written": self.written,
            "duration_ms": self.duration_ms,
            "tabs": list(self.tabs),
        }


def read_school_book(gateway: SheetsGateway) -> tuple[Snapshot, School]:
    """The school workbook, read once; a problem that leaves nothing to compute stops here."""
    snapshot = gateway.read_snapshot()
    school = read_school(snapshot)
    if school.fatal:
        raise TemplateInvalid(school.problems)
    return snapshot, school


def write_school_tabs(
    gateway: SheetsGateway, snapshot: Snapshot, school: School, results: Sequence[CourseResult],
    *, dry_run: bool = False,
) -> tuple[SchoolView, tuple[str, ...], tuple[Located, ...]]:
    """Aggregate every gradebook's result and write the school's tabs in one batchUpdate."""
    view = aggregate(school, results)
    plan = build_plan(snapshot, school_tabs(view))
    if not dry_run:
        gateway.apply(plan)
    return view, plan.tabs, tuple(Located(p) for p in plan.problems)


def recompute_school(
    gateway: SheetsGateway, opener: Opener, *, as_of: date | None = None, dry_run: bool = False
) -> SchoolSummary:
    """Every listed gradebook recomputed (each its own reads and one write), then the school's
    tabs. A gradebook that cannot be read is reported, never silently skipped."""
    started = time.perf_counter()
    snapshot, school = read_school_book(gateway)
    results = [recompute_course(school, i, opener, as_of=as_of, dry_run=dry_run)
               for i in range(len(school.courses))]
    view, tabs, plan_warnings = write_school_tabs(gateway, snapshot, school, results,
                                                  dry_run=dry_run)
    summary = summarise(view, gateway, started, not dry_run, tabs, plan_warnings)
    log.info("school recompute done", extra={
        k: v for k, v in summary.to_dict().items()
        if k in ("gradebooks", "read", "students", "written", "duration_ms")})
    return summary


def validate_school(gateway: SheetsGateway, opener: Opener) -> SchoolSummary:
    """Check the school workbook and every gradebook; reads only, writes nothing."""
    started = time.perf_counter()
    snapshot, school = read_school_book(gateway)
    results = [_check_course(school, i, opener) for i in range(len(school.courses))]
    return summarise(aggregate(school, results), gateway, started, False, ())


def _check_course(school: School, index: int, opener: Opener) -> CourseResult:
    """Gradebook `index` read and its template checked, without evaluating or writing."""
    course = school.courses[index]
    gateway: SheetsGateway | None = None
    try:
        gateway = opener(course)
        snapshot = gateway.read_snapshot()
        book = read_gradebook(with_school_policy(snapshot, school))
        if book.fatal:
            raise TemplateInvalid(book.problems)
    except HiveError as error:
        return not_read(course, error, gateway)
    problems = list(book.problems)
    own = snapshot.find(POLICY)
    if own is not None and school.policy_tab is not None:
        problems += policy_drift(school.policies, school.policy_tab, own)
    return CourseResult(course, roster=book.students, problems=tuple(problems),
                        api_calls=gateway.calls.to_dict(), name_cells=name_cells(snapshot))


def summarise(
    view: SchoolView, gateway: SheetsGateway, started: float, written: bool,
    tabs: tuple[str, ...], extra: tuple[Located, ...] = (),
) -> SchoolSummary:
    """The summary of a school run: the school workbook's calls and every gradebook's added up."""
    calls: Counter[str] = Counter(gateway.calls.to_dict())
    for r in view.results:
        calls.update(r.api_calls)
    return SchoolSummary(
        gradebooks=len(view.results), read=sum(r.ok for r in view.results),
        students=len(view.students), courses=view.courses,
        warnings=view.warnings + extra, api_calls=dict(calls), written=written,
        duration_ms=round((time.perf_counter() - started) * 1000), tabs=tabs)


class LocalOpener:
    """Gradebooks as .xlsx files, each path relative to the school workbook's folder."""

    def __init__(self, school_path: Path, *, autosave: bool = True) -> None:
        self.folder = Path(school_path).resolve().parent
        self.autosave = autosave

    def __call__(self, course: Course) -> SheetsGateway:
        from sheets_backend.sheets.local import LocalSheets

        path = self.folder / course.ref
        if "://" in course.ref or not path.is_file():
            raise SpreadsheetNotFound(f"There is no workbook at {course.ref}.")
        service = LocalSheets()
        return SheetsGateway(local_client(service), service.open_workbook(
            path, autosave=self.autosave))


class GoogleOpener:
    """Gradebooks on Google Sheets, opened with the caller's own client (their access token):
    a gradebook the caller cannot open is reported at its Gradebooks cell, never skipped."""

    def __init__(self, client: gspread.Client) -> None:
        self.client = client

    def __call__(self, course: Course) -> SheetsGateway:
        return SheetsGateway(self.client, course.spreadsheet_id)
