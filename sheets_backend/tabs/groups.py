"""The `Groups` tab: for each outcome, who has not met it yet, grouped by what they need next.

Reteach groups, not rankings: a group is a need (Not Yet; 1 of 3; 2 of 3; not shown for a long
while), students keep their Roster order inside it, and the section is a column to filter on,
never a sort. Nothing here compares one student with another.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from policy_engine import Evaluation, Status
from sheets_backend.gradebook.template import Gradebook
from sheets_backend.tabs.plan import CellData, TabContent, text_cell

GROUPS = "Groups"
HEADER_COLOUR = "#d9e2f3"
HEADERS = ("Outcome ID", "Outcome", "Group", "Section", "Student ID", "Student Name", "Status",
           "Still needs")
NOT_MET = (Status.ON_TRACK.value, Status.NOT_YET.value)
NO_SECTION = "(no section)"
# No counted evidence for this long before the class's usual latest evidence on the outcome (the
# median student's): the student needs to be seen again, whatever their status says. The median,
# not the newest, so one late conference does not make the whole class look absent.
GAP = pd.Timedelta(days=28)
NOT_YET, ON_TRACK, GAP_NEED = "not_yet", "on_track", "not_shown"


@dataclass(frozen=True)
class Member:
    """One student in a reteach group: where they stand and what they still need."""

    student_id: str
    name: str
    section: str
    status: str  # the status words as the Mastery tab shows them ("On track (1 of 3)")
    colour: str
    needs: str  # "Two more demonstrations at Meeting or above, each on a different day"
    last_date: str  # the latest counted evidence, YYYY-MM-DD ("" when none)


@dataclass(frozen=True)
class ReteachGroup:
    """The students who need the same next step on one outcome, in Roster order."""

    outcome_id: str
    need: str  # "not_yet", "on_track_1" ("1 of 3"), "on_track" (level methods), "not_shown"
    label: str  # "Not Yet", "1 of 3", "Not shown since Oct 2"
    members: tuple[Member, ...]


def groups_for(book: Gradebook, evaluation: Evaluation, outcome_id: str,
               section: str | None = None) -> tuple[ReteachGroup, ...]:
    """One outcome's reteach groups by need, optionally for one section (a filter, never a sort).
    Students not assessed yet are left out: there is nothing to reteach from. An outcome everyone
    has met has no groups."""
    table = _not_met(book, evaluation, [outcome_id])
    if section is not None:
        table = table[table["section"] == (section or NO_SECTION)]
    return tuple(
        ReteachGroup(
            outcome_id, str(need), str(rows["group"].iloc[0]),
            tuple(
                Member(r.student_id, r.name, r.section, r.label, r.colour, r.needs, r.last)
                for r in rows.itertuples(index=False)
            ),
        )
        for need, rows in table.groupby("need", sort=False)
    )


def sections_of(book: Gradebook) -> tuple[str, ...]:
    """Every section on the Roster, in the order they first appear (the sidebar's filter)."""
    return tuple(dict.fromkeys(s.section or NO_SECTION for s in book.students))


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
            text_cell(r.outcome_id), text_cell(texts[r.outcome_id]), text_cell(r.group),
            text_cell(r.section), text_cell(r.student_id), text_cell(r.name), status,
            text_cell(r.needs),
        ])
    if len(rows) == 1:
        rows.append([text_cell("Every student assessed so far has met every outcome.")])
    widths = [90, 260, 150, 90, 90, 160, 130, 360]
    return TabContent(GROUPS, rows, frozen_rows=1, column_widths=widths)


def _not_met(book: Gradebook, evaluation: Evaluation, outcome_ids: list[str]) -> pd.DataFrame:
    """Rows of `evaluation.outcomes` not met yet, ordered by outcome, need, then Roster."""
    out = evaluation.outcomes
    in_outcomes = out["outcome_id"].isin(outcome_ids).to_numpy()
    keep = out["status"].isin(NOT_MET).to_numpy() & in_outcomes
    columns = ["student_id", "outcome_id", "status", "label", "colour", "next_step",
               "demonstrations", "needed", "last_date"]
    table = out.loc[keep, columns]
    students = {s.id: s for s in book.students}
    section = table["student_id"].map(lambda sid: students[sid].section or NO_SECTION)
    need, group, rank = _needs_of(table, _newest_per_outcome(out[in_outcomes]))
    table = table.assign(
        section=section,
        name=table["student_id"].map(lambda sid: students[sid].name),
        needs=_needs(table["next_step"]),
        colour=table["colour"].fillna("").astype(str),
        need=need,
        group=group,
        last=pd.to_datetime(table["last_date"]).dt.strftime("%Y-%m-%d").fillna(""),
        _outcome=pd.Index(outcome_ids).get_indexer(table["outcome_id"]),
        _need=rank,
        _roster=np.arange(len(table)),  # the frame is already in Roster order within an outcome
    )
    table = table.sort_values(["_outcome", "_need", "_roster"], kind="stable")
    return table.drop(columns=["_outcome", "_need", "_roster", "next_step", "status",
                               "demonstrations", "needed", "last_date"])


def _newest_per_outcome(out: pd.DataFrame) -> pd.Series:
    """The class's usual latest evidence date per outcome: "now" for gaps, without a clock."""
    days = pd.to_datetime(out["last_date"])
    ns = days.to_numpy("datetime64[ns]").view("int64").astype(float)
    ns[days.isna().to_numpy()] = np.nan  # pandas cannot take the median of an all-NaT group
    median = pd.Series(ns, index=out.index).groupby(out["outcome_id"], sort=False).median()
    return pd.to_datetime(median)


def _needs_of(table: pd.DataFrame, newest: pd.Series) -> tuple[list[str], list[str], list[float]]:
    """Per row: the need code, the group's words, and the group's place (Not Yet first)."""
    if table.empty:
        return [], [], []
    last = pd.to_datetime(table["last_date"])
    gap = (table["outcome_id"].map(newest) - last) > GAP
    # One gap group per outcome, named by the most recent date among its students.
    since = last.where(gap).groupby(table["outcome_id"]).transform("max")
    needs, groups, ranks = [], [], []
    for status, shown, needed, long_gap, when in zip(
            table["status"], table["demonstrations"], table["needed"], gap, since, strict=True):
        if long_gap:
            day = _day(when)
            needs.append(GAP_NEED)
            groups.append(f"Not shown since {day:%b} {day.day} or earlier")
            ranks.append(1000)
        elif status == Status.NOT_YET.value:
            needs.append(NOT_YET)
            groups.append("Not Yet")
            ranks.append(0)
        elif pd.notna(needed):
            needs.append(f"{ON_TRACK}_{int(shown)}")
            groups.append(f"{int(shown)} of {int(needed)}")
            ranks.append(1 + int(shown))
        else:
            needs.append(ON_TRACK)
            groups.append("On track")
            ranks.append(500)
    return needs, groups, ranks


def _day(value: pd.Timestamp) -> dt.date:
    return pd.Timestamp(value).date()


def _needs(next_step: pd.Series) -> pd.Series:
    """`Next: two more demonstrations ... .` -> `Two more demonstrations ...`: what is left."""
    words = next_step.fillna("").astype(str).str.removeprefix("Next: ").str.rstrip(".")
    return words.str[:1].str.upper() + words.str[1:]
