"""Every gradebook's result, read once, into the school's picture: per student and course, per
mentor, per course and outcome. Students stay in Roster order (or name order): never by results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from policy_engine import Status
from sheets_backend.problems import Problem, Reason
from sheets_backend.school.course import OUTCOME_COLUMNS, STUDENT_COLUMNS, CourseResult
from sheets_backend.school.workbook import ROSTER, School, SchoolStudent

FIGURES = ("met", "assessed", "on_track", "missing_count")
STATUSES = (Status.MASTERED, Status.ON_TRACK, Status.NOT_YET, Status.NOT_ASSESSED)


@dataclass(frozen=True)
class Located:
    """A problem and the gradebook it is in ("" for the school workbook itself)."""

    problem: Problem
    gradebook: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"gradebook": self.gradebook, **self.problem.to_dict()}


@dataclass(frozen=True)
class SchoolView:
    """What the school's tabs and pages show. Frames are keyed by Student ID and course name."""

    students: tuple[SchoolStudent, ...]
    courses: tuple[str, ...]  # course names, in Gradebooks order
    figures: pd.DataFrame  # (student_id, course) -> met, assessed, percent_met, on_track, missing
    totals: pd.DataFrame  # student_id -> the same over all courses
    needs: pd.DataFrame  # (student_id, course) -> not_yet, slipping, missing_count
    status_counts: pd.DataFrame  # course, outcome_id, one column per status code
    ineligible: dict[str, tuple[str, ...]]  # Student ID -> where each unresolved incident is
    last_check_in: dict[str, pd.Timestamp]
    results: tuple[CourseResult, ...]
    warnings: tuple[Located, ...]

    @property
    def not_read(self) -> tuple[CourseResult, ...]:
        return tuple(r for r in self.results if not r.ok)

    def mentors(self) -> list[tuple[str, str, tuple[SchoolStudent, ...]]]:
        """(mentor, email, mentees in Roster order), mentors in name order."""
        by: dict[str, list[SchoolStudent]] = {}
        email: dict[str, str] = {}
        for s in self.students:
            if s.mentor:
                by.setdefault(s.mentor, []).append(s)
                email[s.mentor] = email.get(s.mentor) or s.mentor_email
        return [(m, email[m], tuple(by[m])) for m in sorted(by, key=str.casefold)]


def aggregate(school: School, results: Sequence[CourseResult]) -> SchoolView:
    """The school's picture from every gradebook's result (each read once, in Gradebooks order)."""
    ok = [r for r in results if r.ok]
    warnings = [Located(p) for p in school.problems]
    warnings += [Located(r.error, r.course.label) for r in results if r.error is not None]
    warnings += [Located(p, r.course.label) for r in ok for p in r.problems]
    students, roster_warnings = _students(school, ok)
    warnings += roster_warnings
    courses = tuple(dict.fromkeys(r.course.course for r in results))
    per_student = _frame(ok, "students")
    figures = per_student.groupby(["student_id", "course"], sort=False)[list(FIGURES)].sum()
    totals = per_student.groupby("student_id", sort=False)[list(FIGURES)].sum()
    outcomes = _frame(ok, "outcomes")
    needs = outcomes.assign(
        not_yet=outcomes["status"].eq(Status.NOT_YET.value),
        slipping=outcomes["trend"].eq("down") & outcomes["status"].ne(Status.MASTERED.value),
    ).groupby(["student_id", "course"], sort=False)[["not_yet", "slipping", "missing_count"]].sum()
    counts = (
        outcomes.groupby(["course", "outcome_id", "status"], sort=False).size()
        .unstack("status", fill_value=0)
        .reindex(columns=[s.value for s in STATUSES], fill_value=0)
        .reset_index()
    )
    ineligible: dict[str, list[str]] = {}
    for incident in (*school.incidents, *(i for r in ok for i in r.incidents)):
        ineligible.setdefault(incident.student_id, []).append(incident.where)
    last: dict[str, pd.Timestamp] = {}
    for sid, day in [*((c.student_id, c.date) for c in school.check_ins),
                     *((sid, day) for r in ok for sid, day in r.check_ins.items())]:
        if day is not None and (sid not in last or day > last[sid]):
            last[sid] = day
    return SchoolView(
        students=students, courses=courses, figures=_percent(figures), totals=_percent(totals),
        needs=needs, status_counts=counts,
        ineligible={k: tuple(v) for k, v in ineligible.items()}, last_check_in=last,
        results=tuple(results), warnings=tuple(warnings))


def _frame(results: Sequence[CourseResult], which: str) -> pd.DataFrame:
    frames = [getattr(r, which).assign(course=r.course.course) for r in results]
    if frames:
        return pd.concat(frames, ignore_index=True)
    columns = STUDENT_COLUMNS if which == "students" else OUTCOME_COLUMNS
    return pd.DataFrame(columns=[*columns, "course"])


def _percent(frame: pd.DataFrame) -> pd.DataFrame:
    assessed = frame["assessed"].where(frame["assessed"] > 0)
    return frame.assign(percent_met=frame["met"] / assessed * 100)


def _students(
    school: School, results: Sequence[CourseResult]
) -> tuple[tuple[SchoolStudent, ...], list[Located]]:
    """The school Roster, or the gradebooks' Rosters together in name order; a Student ID with two
    names is named at the gradebook's Roster cell."""
    warnings: list[Located] = []
    first: dict[str, tuple[str, str]] = {}  # Student ID -> (name, where it was first seen)
    if school.roster is not None:
        for known in school.roster:
            first[known.id] = (known.name, f"the school's {ROSTER} tab")
    union: dict[str, SchoolStudent] = {}
    for r in results:
        for s in r.roster:
            cell = r.name_cells.get(s.id, f"{ROSTER}!A1")
            seen = first.get(s.id)
            if seen is None:
                first[s.id] = (s.name, f"{r.course.label} {cell}")
                union[s.id] = SchoolStudent(id=s.id, name=s.name, mentor=s.advisor,
                                            family_email=s.family_email,
                                            family_language=s.family_language)
                if school.roster is not None:
                    warnings.append(Located(Problem(
                        cell, Reason.UNKNOWN_STUDENT,
                        f'Student ID "{s.id}" is not on the school\'s Roster; left out of the '
                        "school's tabs"), r.course.label))
            elif seen[0].casefold() != s.name.casefold():
                warnings.append(Located(Problem(
                    cell, Reason.NAME_MISMATCH,
                    f'Student ID "{s.id}" is "{s.name}" here but "{seen[0]}" in {seen[1]}'),
                    r.course.label))
    if school.roster is not None:
        return school.roster, warnings
    ordered = sorted(union.values(), key=lambda s: (s.name.casefold(), s.id))
    return tuple(ordered), warnings
