"""The `Mastery` tab: a row per student, a coloured status per outcome with its explanation as a
note, then the per-student counts. Students keep their Roster order: Hive never ranks."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sheets_backend.gradebook.template import Gradebook, Mentoring
from sheets_backend.reports.current_level import DOWN, latest_levels
from sheets_backend.tabs.plan import CellData, TabContent, number_cell, text_cell

MASTERY = "Mastery"
HEADER_COLOUR = "#d9e2f3"
SUMMARY_HEADERS = (
    "Outcomes met",
    "Outcomes assessed",
    "% met of assessed",
    "Missing work",
    "Incentive eligible",
)
REPORT_CARD_HEADER = "Report card"
MENTORING_HEADERS = ("Mentor", "Last check-in")
NEXT = "Next: "
OVERRIDDEN = "✎"  # in the cell text, not only a colour: an override is visible in any view


def mastery_tab(book: Gradebook, outcomes: pd.DataFrame, students: pd.DataFrame) -> TabContent:
    """Render the evaluation; `outcomes` is in roster x outcome order, `students` in roster order."""
    n_students, n_outcomes = len(book.students), len(book.outcomes)
    header = [
        text_cell(h, bold=True, background=HEADER_COLOUR)
        for h in ("Student ID", "Student Name", "Section")
    ]
    header += [
        text_cell(o.id, bold=True, background=HEADER_COLOUR, note=o.text) for o in book.outcomes
    ]
    card = _has_report_card(book, students)
    extra = (
        SUMMARY_HEADERS
        + ((REPORT_CARD_HEADER,) if card else ())
        + (MENTORING_HEADERS if book.mentoring is not None else ())
    )
    header += [text_cell(h, bold=True, background=HEADER_COLOUR, wrap=True) for h in extra]
    outcomes = latest_levels(book, outcomes)
    labels = _labels(outcomes).reshape(n_students, n_outcomes)
    colours = outcomes["colour"].to_numpy(dtype=object).reshape(n_students, n_outcomes)
    notes = _notes(outcomes).reshape(n_students, n_outcomes)
    per_student = students.set_index("student_id")
    rows: list[list[CellData]] = [header]
    # One format object per colour, shared by every cell of that colour: 36k cells, a few formats.
    formats = {c: text_cell("x", background=c).get("userEnteredFormat") for c in set(colours.flat)}
    for i, student in enumerate(book.students):
        row = [text_cell(student.id), text_cell(student.name), text_cell(student.section)]
        row += [
            _status_cell(labels[i, j], formats[colours[i, j]], notes[i, j])
            for j in range(n_outcomes)
        ]
        row += _summary_cells(per_student.loc[student.id], book.incentive_eligible, student.id)
        if card:
            row.append(text_cell(str(per_student.loc[student.id, "report_card"] or "")))
        if book.mentoring is not None:
            row += _mentoring_cells(book.mentoring.get(student.id))
        rows.append(row)
    widths = [90, 160, 70] + [110] * n_outcomes + [90] * len(extra)
    return TabContent(MASTERY, rows, frozen_rows=1, frozen_columns=2, column_widths=widths)


def _status_cell(label: str, fmt: dict[str, object] | None, note: str) -> CellData:
    cell: CellData = {"userEnteredValue": {"stringValue": label}} if label else {}
    if fmt:
        cell["userEnteredFormat"] = fmt
    if note:
        cell["note"] = note
    return cell


def _has_report_card(book: Gradebook, students: pd.DataFrame) -> bool:
    """The engine grades with the Default policy's report card; no card, no column."""
    default = book.policies.get("Default")
    return default is not None and default.report_card is not None and "report_card" in students


def _labels(outcomes: pd.DataFrame) -> np.ndarray:
    """The status words; a latest result below the threshold adds a down arrow ("On track (2 of
    3) ↓"); an overridden status carries the override mark ("Mastered ✎")."""
    labels = outcomes["label"].fillna("").astype(str)
    labels = labels.where(~outcomes["slipping"].to_numpy(dtype=bool), labels + f" {DOWN}")
    if "override" in outcomes:
        overridden = outcomes["override"].fillna("").astype(str) != ""
        labels = labels.where(~overridden, labels + f" {OVERRIDDEN}")
    return labels.to_numpy(dtype=object)


def _notes(outcomes: pd.DataFrame) -> np.ndarray:
    """The cell note: the latest result when it is below the threshold, how the status was
    computed, and what comes next, from the engine's words. "Next: " is written once: the engine's
    next step already starts with it."""
    explanation = outcomes["explanation"].fillna("").astype(str)
    step = outcomes["next_step"].fillna("").astype(str).str.removeprefix(NEXT).str.strip()
    add_next = (step != "") & ~explanation.str.contains(NEXT.strip(), regex=False)
    notes = explanation.where(~add_next, explanation + "\n" + NEXT + step)
    slipping = outcomes["slipping"].to_numpy(dtype=bool)
    if slipping.any():
        notes = notes.copy()
        notes[slipping] = _latest_sentence(outcomes[slipping]) + " " + notes[slipping]
    return notes.to_numpy(dtype=object)


def _latest_sentence(outcomes: pd.DataFrame) -> pd.Series:
    """`Latest: Approaching (2) on Quiz 3, Oct 27: below Meeting.`"""
    value = outcomes["latest"].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    label = outcomes["latest_label"].fillna("").astype(str)
    level = label.where(label == "", label + " (" + value + ")").where(label != "", value)
    day = pd.to_datetime(outcomes["latest_date"]).dt.strftime("%b %-d").fillna("")
    return ("Latest: " + level + " on " + outcomes["latest_assessment"].astype(str) + ", " + day
            + ": below " + outcomes["threshold_label"].astype(str) + ".")


def _summary_cells(row: pd.Series, eligible: Mapping[str, bool], student_id: str) -> list[CellData]:
    percent = row["percent_met"]
    return [
        number_cell(int(row["met"])),
        number_cell(int(row["assessed"])),
        number_cell(None if pd.isna(percent) else float(percent) / 100, pattern="0%"),
        number_cell(int(row["missing_count"])),
        text_cell("Yes" if eligible.get(student_id, True) else "No"),
    ]


def _mentoring_cells(mentoring: Mentoring | None) -> list[CellData]:
    if mentoring is None:
        return [{}, {}]
    day = mentoring.last_check_in
    return [text_cell(mentoring.mentor), text_cell(f"{day:%Y-%m-%d}" if day is not None else "")]
