"""A realistic school on disk: a school workbook and its teachers' gradebooks (the demo, the bench).

The demo is MS 442 in miniature: 180 students in grades 6-8, four subjects kept in six gradebooks
by six teachers, twelve mentors, check-ins, a few unresolved incidents in gradebooks and school-wide,
and one gradebook whose Policy tab drifted from the school's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from sheets_backend.demo import (
    LITERACY,
    MATH,
    TERM_START,
    date_cell,
    roster_rows,
    save_atomically,
    sheet_rows,
    write_gradebook,
)
from sheets_backend.gradebook.policies import default_policies, policy_tab_rows

SCIENCE = (
    "I can plan an investigation to answer a question.",
    "I can use evidence from data to support a claim.",
    "I can model how energy moves through a system.",
    "I can explain how cells work together in an organism.",
    "I can describe how matter changes in a reaction.",
    "I can explain how forces change motion.",
    "I can interpret a graph of my results.",
    "I can explain the water cycle.",
)
SOCIAL_STUDIES = (
    "I can source a primary document.",
    "I can explain causes and effects of an event.",
    "I can read a historical map.",
    "I can compare two perspectives on an event.",
    "I can build an argument with historical evidence.",
    "I can explain how geography shapes a society.",
    "I can place events on a timeline.",
    "I can explain how a government makes decisions.",
)
SUBJECTS = {"Math": ("M", MATH), "ELA": ("L", LITERACY), "Science": ("S", SCIENCE),
            "Social Studies": ("H", SOCIAL_STUDIES)}
GRADES = ("6", "7", "8")
TEACHERS = ("Ms Rivera", "Mr Okafor", "Ms Chen", "Mr Patel", "Ms Diallo", "Mr Garcia", "Ms Kim",
            "Mr Santos", "Ms Nguyen", "Mr Islam", "Ms Lopez", "Mr Wang")


@dataclass(frozen=True)
class GradebookSpec:
    """One teacher's gradebook in a generated school."""

    file: str
    course: str
    subject: str
    teacher: str
    grades: tuple[str, ...]
    sections: tuple[int, ...] = (0,)  # which sections of each grade sit in it
    outcomes: int = 8
    policy_tab: bool = False  # False: the school's Policy applies
    drift: bool = False  # its own Policy tab asks for 2 demonstrations, not the school's 3
    incidents: int = 2


DEMO_SCHOOL: tuple[GradebookSpec, ...] = (
    GradebookSpec("math-6.xlsx", "Math", "Math", "Ms Rivera", ("6",), (0, 1)),
    GradebookSpec("math-7-8.xlsx", "Math", "Math", "Mr Okafor", ("7", "8"), (0, 1)),
    GradebookSpec("ela-6-7.xlsx", "ELA", "ELA", "Ms Chen", ("6", "7"), (0, 1), policy_tab=True),
    GradebookSpec("ela-8.xlsx", "ELA", "ELA", "Mr Patel", ("8",), (0, 1)),
    GradebookSpec("science.xlsx", "Science", "Science", "Ms Diallo", GRADES, (0, 1), drift=True),
    GradebookSpec("social-studies.xlsx", "Social Studies", "Social Studies", "Mr Garcia",
                  GRADES, (0, 1), incidents=3),
)


def write_demo_school(folder: Path | str) -> Path:
    """The demo school: 6 gradebooks, 4 subjects, 3 grades, 180 students (2 sections of 30 per
    grade), 12 mentors; returns the school workbook's path."""
    return write_school(folder, DEMO_SCHOOL, section_size=30, sections=2, seed=442)


def bench_specs(gradebooks: int, outcomes: int = 8) -> list[GradebookSpec]:
    """`gradebooks` one-section gradebooks: grade, then subject, then section, round-robin."""
    subjects = list(SUBJECTS)
    return [
        GradebookSpec(f"gb-{k:04d}.xlsx", f"{subjects[(k // 3) % 4]} {GRADES[k % 3]}",
                      subjects[(k // 3) % 4], TEACHERS[k % len(TEACHERS)], (GRADES[k % 3],),
                      (k // 12,), outcomes=outcomes, incidents=1)
        for k in range(gradebooks)
    ]


def write_school(
    folder: Path | str, specs: Sequence[GradebookSpec], *, section_size: int, sections: int,
    seed: int = 442, school_name: str = "school.xlsx",
) -> Path:
    """Write every gradebook of `specs` and the school workbook naming them; same arguments, same
    files. Students are `sections` sections of `section_size` per grade."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    roster: dict[tuple[str, int], list[list[str]]] = {}
    for g, grade in enumerate(GRADES):
        rows = roster_rows(rng, section_size * sections, sections)
        for s in range(sections):
            block = rows[s * section_size:(s + 1) * section_size]
            roster[grade, s] = [[f"{grade}{r[0][1:]}", *r[1:]] for r in block]
            for r in roster[grade, s]:
                r[2] = f"{grade}0{s + 1}"
        del g
    mentors = _mentors(roster)
    for k, spec in enumerate(specs):
        rows = [r for grade in spec.grades for s in spec.sections for r in roster.get((grade, s), [])]
        prefix, pool = SUBJECTS[spec.subject]
        outcomes = [[f"{prefix}{i + 1}", pool[i % len(pool)], spec.subject, f"Unit {i // 3 + 1}",
                     "Default"] for i in range(spec.outcomes)]
        write_gradebook(folder / spec.file, roster=rows, outcome_rows=outcomes, seed=seed + k,
                        scores_per_outcome=4, behaviour_incidents=spec.incidents,
                        policy_tab=spec.policy_tab or spec.drift,
                        policy_rows=_drifted() if spec.drift else None)
    students = [r for key in sorted(roster) for r in roster[key]]
    return _school_book(folder / school_name, specs, students, mentors, rng)


def _mentors(roster: dict[tuple[str, int], list[list[str]]]) -> dict[str, tuple[str, str]]:
    """Student ID -> (mentor, email): each section split between two mentors."""
    out: dict[str, tuple[str, str]] = {}
    for n, key in enumerate(sorted(roster)):
        rows = roster[key]
        for i, r in enumerate(rows):
            name = TEACHERS[(2 * n + (i * 2 // max(len(rows), 1))) % len(TEACHERS)]
            out[r[0]] = (name, name.lower().replace(" ", ".") + "@ms442.example.org")
    return out


def _drifted() -> list[list[str]]:
    rows = policy_tab_rows(default_policies())
    for row in rows:
        if row[0] == "Demonstrations needed (n)":
            row[1] = "2"
    return rows


def _school_book(
    path: Path, specs: Sequence[GradebookSpec], students: list[list[str]],
    mentors: dict[str, tuple[str, str]], rng: np.random.Generator,
) -> Path:
    book = Workbook(write_only=True)
    sheet_rows(book, "Gradebooks", [
        ["Gradebook", "Course", "Teacher", "Teacher Email", "Department"],
        *[[s.file, s.course, s.teacher, s.teacher.lower().replace(" ", ".") + "@ms442.example.org",
           s.subject] for s in specs]], freeze="A2")
    sheet_rows(book, "Roster", [
        ["Student ID", "Student Name", "Grade", "Mentor", "Mentor Email", "Family Email",
         "Family Language"],
        *[[r[0], r[1], r[0][0], *mentors[r[0]], r[4], r[5]] for r in students]], freeze="A2")
    sheet_rows(book, "Policy", policy_tab_rows(default_policies()), freeze="B2")
    mentoring = book.create_sheet("Mentoring")
    mentoring.append(["Date", "Student ID", "Mentor", "Note"])
    for r in students:
        if rng.random() < 0.6:
            day = TERM_START + timedelta(days=int(rng.integers(5, 50)))
            mentoring.append([date_cell(mentoring, day), r[0], mentors[r[0]][0], "Weekly check-in"])
    behavior = book.create_sheet("Behavior")
    behavior.append(["Date", "Student ID", "Note", "Resolved"])
    for k in range(4):
        r = students[int(rng.integers(len(students)))]
        day = TERM_START + timedelta(days=int(rng.integers(5, 50)))
        behavior.append([date_cell(behavior, day), r[0], "Hallway incident", "Yes" if k == 0 else ""])
    return save_atomically(book, path)
