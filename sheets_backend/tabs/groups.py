"""The `Groups` tab: for each outcome, who has not met it yet, by section, and what each still needs.

Reteach groups, not rankings: students keep their Roster order within each section, and nothing
here compares one student with another.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from policy_engine import Evaluation, Status
from sheets_backend.gradebook.template import Gradebook
from sheets_backend.tabs.plan import CellData, TabContent, text_cell

GROUPS = "Groups"
HEADER_COLOUR = "#d9e2f3"
HEADERS = ("Outcome ID", "Outcome", "Section", "Student ID", "Student Name", "Status", "Still needs")
NOT_MET = (Status.ON_TRACK.value, Status.NOT_YET.value)
NO_SECTION = "(no section)"


@dataclass(frozen=True)
class Member:
    """One student in a reteach group: where they stand and what they still need."""

    student_id: str
    name: str
    status: str  # the status words as the Mastery tab shows them ("On track (1 of 3)")
    colour: str
    needs: str  # "Two more demonstrations at Meeting or above on a different day"


@dataclass(frozen=True)
class ReteachGroup:
    """The students of one section who have been assessed on an outcome and not yet met it."""

    outcome_id: str
    section: str
    members: tuple[Member, ...]


def groups_for(book: Gradebook, evaluation: Evaluation, outcome_id: str) -> tuple[ReteachGroup, ...]:
    """One outcome's reteach groups, one per section (in the order sections first appear on the
    Roster), students in Roster order. Students not assessed yet are left out: there is nothing
    to reteach from. An outcome everyone has met has no groups."""
    table = _not_met(book, evaluation, [outcome_id])
    return tuple(
        ReteachGroup(
            outcome_id,
            str(section),
            tuple(
                Member(r.student_id, r.name, r.label, r.colour, r.needs)
                for r in rows.itertuples(index=False)
            ),
        )
        for section, rows in table.groupby("section", sort=False)
    )


def groups_tab(book: Gradebook, evaluation: Evaluation) -> TabContent:
    """Every outcome's reteach groups, one row per student, outcome by outcome (Outcomes order)."""
    table = _not_met(book, evaluation, [o.id for o in book.outcomes])
    texts = {o.id: o.text for o in book.outcomes}
    header = [text_cell(h, bold=True, background=HEADER_COLOUR) for h in HEADERS]
    rows: list[list[CellData]] = [header]
    colours = {c: text_cell("x", background=c).get("userEnteredFormat") for c in set(table["colour"])}
    for r in table.itertuples(index=False):
        status: CellData = {"userEnteredValue": {"stringValue": r.label}}
        if colours.get(r.colour):
            status["userEnteredFormat"] = colours[r.colour]
        rows.append([
            text_cell(r.outcome_id), text_cell(texts[r.outcome_id]), text_cell(r.section),
            text_cell(r.student_id), text_cell(r.name), status, text_cell(r.needs),
        ])
    if len(rows) == 1:
        rows.append([text_cell("Every student assessed so far has met every outcome.")])
    widths = [90, 260, 90, 90, 160, 130, 360]
    return TabContent(GROUPS, rows, frozen_rows=1, column_widths=widths)


def _not_met(book: Gradebook, evaluation: Evaluation, outcome_ids: list[str]) -> pd.DataFrame:
    """Rows of `evaluation.outcomes` not met yet, ordered by outcome, section, then Roster."""
    out = evaluation.outcomes
    keep = out["status"].isin(NOT_MET).to_numpy() & out["outcome_id"].isin(outcome_ids).to_numpy()
    table = out.loc[keep, ["student_id", "outcome_id", "label", "colour", "next_step"]]
    students = {s.id: s for s in book.students}
    sections = list(dict.fromkeys(s.section or NO_SECTION for s in book.students))
    section = table["student_id"].map(lambda sid: students[sid].section or NO_SECTION)
    table = table.assign(
        section=section,
        name=table["student_id"].map(lambda sid: students[sid].name),
        needs=_needs(table["next_step"]),
        colour=table["colour"].fillna("").astype(str),
        _outcome=pd.Index(outcome_ids).get_indexer(table["outcome_id"]),
        _section=pd.Index(sections).get_indexer(section),
        _roster=np.arange(len(table)),  # the frame is already in Roster order within an outcome
    )
    table = table.sort_values(["_outcome", "_section", "_roster"], kind="stable")
    return table.drop(columns=["_outcome", "_section", "_roster", "next_step"])


def _needs(next_step: pd.Series) -> pd.Series:
    """`Next: two more demonstrations ... .` -> `Two more demonstrations ...`: what is left."""
    words = next_step.fillna("").astype(str).str.removeprefix("Next: ").str.rstrip(".")
    return words.str[:1].str.upper() + words.str[1:]
