"""Realistic middle-school gradebooks, as a teacher would keep them: the demo and the benchmarks.

Scores follow each student's growth over the weeks, with noise; some work is missing (MI), some
excused (EX), some attempts are Not Yet (NY); update-week reassessments come late in the term.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FIRST = (
    "Aaliyah Amir Ana Andre Aisha Bryan Camila Carlos Chloe Daniel Darnell Destiny Elijah "
    "Emily Fatima Gabriel Genesis Hana Isaiah Jasmine Jayden Jin Kayla Kevin Leah Liam Luis "
    "Malik Maria Mei Mohamed Nadia Nia Omar Priya Rafael Samuel Sofia Tenzin Wei Xavier "
    "Yusuf Zainab Zoe"
).split()
LAST = (
    "Abdullah Adeyemi Alvarez Brown Chen Cruz Diallo Diaz Dubois Garcia Gonzalez Green "
    "Hernandez Huang Islam Jackson Johnson Kim Lee Lin Lopez Martinez Mendoza Nguyen Okafor "
    "Ortiz Patel Perez Ramirez Reyes Rivera Rodriguez Santos Sharma Singh Smith Torres Wang "
    "Williams Wong Yang Zhang"
).split()
MATH = (
    "I can solve one-step equations.",
    "I can use ratios to compare quantities.",
    "I can find the area of triangles and quadrilaterals.",
    "I can add and subtract integers.",
    "I can write and evaluate expressions.",
    "I can read and make dot plots and histograms.",
    "I can find unit rates.",
    "I can solve percent problems.",
)
LITERACY = (
    "I can cite evidence to support my claim.",
    "I can find the central idea of a text.",
    "I can explain how a character changes.",
    "I can write a clear claim.",
    "I can use transitions to connect my ideas.",
    "I can figure out word meanings from context.",
    "I can compare two texts on the same topic.",
    "I can revise my writing for clarity.",
)
TERM_START = date(2026, 9, 8)
WEEKS = 8


def write_demo_gradebook(path: Path | str) -> Path:
    """The demo: 3 sections, 96 students, 6 math and 6 literacy outcomes, ~8 weeks of evidence."""
    return write_gradebook(
        path,
        students=96,
        outcomes=12,
        scores_per_outcome=4,
        seed=442,
        behaviour_incidents=7,
        evidence_rows=40,
    )


def write_gradebook(
    path: Path | str,
    *,
    students: int = 96,
    outcomes: int = 12,
    scores_per_outcome: int = 4,
    seed: int = 442,
    sections: int = 3,
    behaviour_incidents: int = 5,
    evidence_rows: int = 0,
    roster: list[list[str]] | None = None,
    outcome_rows: list[list[str]] | None = None,
    policy_tab: bool = True,
    policy_rows: list[list[str]] | None = None,
) -> Path:
    """Write a gradebook workbook following docs/template.md; same arguments, same workbook.

    A school's gradebooks pass their own `roster` rows (the Roster tab's columns) and
    `outcome_rows` (Outcome ID, Outcome, Subject, Unit, Policy); `policy_tab=False` leaves the
    Policy tab out, so the school's applies, and `policy_rows` gives the tab's grid.
    """
    from sheets_backend.gradebook.policies import default_policies, policy_tab_rows

    rng = np.random.default_rng(seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    roster = roster if roster is not None else roster_rows(rng, students, sections)
    outcome_rows = outcome_rows if outcome_rows is not None else _outcomes(outcomes)
    columns = _assessments(rng, outcome_rows, scores_per_outcome)
    book = Workbook(write_only=True)
    sheet_rows(
        book,
        "Roster",
        [
            [
                "Student ID",
                "Student Name",
                "Section",
                "Student Email",
                "Family Email",
                "Family Language",
                "Advisor",
            ],
            *roster,
        ],
        freeze="A2",
    )
    sheet_rows(
        book,
        "Outcomes",
        [["Outcome ID", "Outcome", "Subject", "Unit", "Policy"], *outcome_rows],
        freeze="A2",
    )
    _scores_sheet(book, rng, roster, columns)
    if evidence_rows:
        _evidence_sheet(book, rng, roster, outcome_rows, evidence_rows)
    if policy_tab:
        rows = policy_rows or policy_tab_rows(default_policies())
        sheet_rows(book, "Policy", rows, freeze="B2")
    _behaviour_sheet(book, rng, roster, behaviour_incidents)
    return save_atomically(book, path)


def save_atomically(book: Workbook, path: Path) -> Path:
    """Write next to the target, then swap in: a half-written workbook is never left behind."""
    fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        book.save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def roster_rows(rng: np.random.Generator, n: int, sections: int) -> list[list[str]]:
    """`n` students as Roster rows: ID, name, section, emails, Family Language, Advisor."""
    rows = []
    for i in range(n):
        first, last = FIRST[rng.integers(len(FIRST))], LAST[rng.integers(len(LAST))]
        sid = str(231_000_000 + int(rng.integers(100_000)) * 10 + i % 10)
        while any(r[0] == sid for r in rows):
            sid = str(int(sid) + 7)
        section = str(801 + i * sections // n)
        language = rng.choice(["English", "English", "English", "Spanish", "Chinese"])
        login = f"{first[0]}{last}{i}".lower()
        rows.append(
            [
                sid,
                f"{first} {last}",
                section,
                f"{login}@students.example.org",
                f"family.{login}@example.org",
                str(language),
                f"Advisor {section}",
            ]
        )
    return rows


def _outcomes(n: int) -> list[list[str]]:
    rows = []
    for i in range(n):
        math = i % 2 == 0 if n > 1 else True
        k = i // 2
        pool, prefix, subject = (MATH, "M", "Math") if math else (LITERACY, "L", "ELA")
        wording = pool[k % len(pool)] + ("" if k < len(pool) else f" (part {k // len(pool) + 1})")
        rows.append([f"{prefix}{k + 1}", wording, subject, f"Unit {k // 3 + 1}", "Default"])
    return rows


def _assessments(
    rng: np.random.Generator, outcomes: list[list[str]], per_outcome: int
) -> list[dict[str, object]]:
    """Assessment columns in the order a teacher adds them: by date, with late update-week retakes."""
    columns: list[dict[str, object]] = []
    kinds = [
        ("Exit Ticket", "formative"),
        ("Quiz", "summative"),
        ("Project", "summative"),
        ("Check-in", "summative"),
        ("Do Now", "formative"),
        ("Performance Task", "summative"),
    ]
    for oi, outcome in enumerate(outcomes):
        start = (oi * WEEKS // max(len(outcomes), 1)) % 5
        for k in range(per_outcome):
            retake = per_outcome >= 3 and k == per_outcome - 1
            week = 6 + k % 2 if retake else min(start + k, 7)
            day = TERM_START + timedelta(weeks=int(week), days=int(rng.integers(0, 4)))
            name, kind = ("Update Week", "update") if retake else kinds[k % len(kinds)]
            columns.append(
                {
                    "name": f"{name} {outcome[0]}.{k + 1}",
                    "outcome": outcome[0],
                    "date": day,
                    "type": kind,
                    "week": week,
                    "retake": retake,
                }
            )
    columns.sort(key=lambda c: (c["date"], c["outcome"]))  # type: ignore[arg-type,return-value]
    return columns


def _scores_sheet(
    book: Workbook,
    rng: np.random.Generator,
    roster: list[list[str]],
    columns: list[dict[str, object]],
) -> None:
    sheet = book.create_sheet("Scores")
    sheet.freeze_panes = "C5"
    sheet.append(["Student ID", "Student Name", *[c["name"] for c in columns]])
    sheet.append(["Outcome", "", *[c["outcome"] for c in columns]])
    sheet.append(["Date", "", *[date_cell(sheet, c["date"]) for c in columns]])  # type: ignore[arg-type]
    sheet.append(["Type", "", *[c["type"] for c in columns]])
    ability = rng.normal(2.6, 0.55, size=len(roster))
    growth = rng.normal(0.08, 0.05, size=len(roster))
    weeks = np.array([c["week"] for c in columns], dtype=float)
    retake = np.array([bool(c["retake"]) for c in columns])
    formative = np.array([c["type"] == "formative" for c in columns])
    noise = rng.normal(0, 0.6, size=(len(roster), len(columns)))
    raw = ability[:, None] + growth[:, None] * weeks[None, :] + noise
    levels = np.clip(np.rint(raw), 1, 4).astype(int)
    chance = rng.random(size=levels.shape)
    takes_retake = rng.random(size=levels.shape) < 0.45
    for i, student in enumerate(roster):
        cells: list[object] = [student[0], student[1]]
        for j in range(len(columns)):
            if retake[j] and not takes_retake[i, j]:
                cells.append(None)  # only students who need it sit the update-week retake
            elif chance[i, j] < 0.035 and not formative[j]:
                cells.append("MI")
            elif chance[i, j] < 0.045:
                cells.append("EX")
            elif chance[i, j] < 0.06 and not formative[j]:
                cells.append("NY")
            else:
                cells.append(int(levels[i, j]))
        sheet.append(cells)


def _evidence_sheet(
    book: Workbook,
    rng: np.random.Generator,
    roster: list[list[str]],
    outcomes: list[list[str]],
    n: int,
) -> None:
    sheet = book.create_sheet("Evidence")
    sheet.freeze_panes = "A2"
    sheet.append(["Student ID", "Outcome ID", "Date", "Score", "Assessment", "Type"])
    for _ in range(n):
        student = roster[rng.integers(len(roster))]
        outcome = outcomes[rng.integers(len(outcomes))]
        day = TERM_START + timedelta(days=int(rng.integers(7, 7 * WEEKS)))
        sheet.append(
            [
                student[0],
                outcome[0],
                date_cell(sheet, day),
                int(rng.integers(2, 5)),
                "Conference",
                "summative",
            ]
        )


def _behaviour_sheet(
    book: Workbook, rng: np.random.Generator, roster: list[list[str]], n: int
) -> None:
    notes = (
        "Left class without a pass",
        "Phone out during the quiz",
        "Conflict at lunch",
        "Late to class three times",
        "Did not follow lab safety",
    )
    rows: list[list[object]] = [["Date", "Student ID", "Note", "Resolved"]]
    sheet = book.create_sheet("Behavior")
    for k in range(n):
        student = roster[rng.integers(len(roster))]
        day = TERM_START + timedelta(days=int(rng.integers(3, 7 * WEEKS)))
        rows.append(
            [date_cell(sheet, day), student[0], notes[k % len(notes)], "Yes" if k % 3 == 0 else ""]
        )
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append(row)


def sheet_rows(
    book: Workbook, title: str, rows: Sequence[Sequence[object]], freeze: str = ""
) -> None:
    sheet = book.create_sheet(title)
    if freeze:
        sheet.freeze_panes = freeze
    for row in rows:
        sheet.append(row)


def date_cell(sheet: object, day: date) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=datetime(day.year, day.month, day.day))
    cell.number_format = "yyyy-mm-dd"
    return cell
