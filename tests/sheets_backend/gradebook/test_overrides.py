"""The Overrides tab: a teacher's judgement wins, stays visible as one, and every bad row is named."""

from __future__ import annotations

from datetime import datetime

import pytest
from workbooks import read_notes, read_tab, recompute_workbook, snapshot_of

from sheets_backend.gradebook.template import read_gradebook
from sheets_backend.problems import Reason

HEADER = ["Student ID", "Outcome ID", "Status", "Reason", "Date", "Teacher"]
CONFERENCE = ["S3", "M1", "Mastered", "Showed it in a conference", datetime(2026, 10, 3),
              "Ms. Rivera"]


def with_overrides(tabs, *rows, header=HEADER):
    tabs["Overrides"] = [list(header), *[list(r) for r in rows]]
    return tabs


def test_an_override_wins_is_marked_and_keeps_the_calculation_in_the_note(workbook, base_tabs):
    path = workbook(with_overrides(base_tabs, CONFERENCE))
    summary = recompute_workbook(path)
    assert summary.warnings == ()
    assert summary.statuses["Mastered"] == 2
    value, note = read_notes(path, "Mastery")[("S3", "M1")]
    assert value == "Mastered ✎"
    assert note.startswith("Calculated: On track (2 of 3). Overridden by Ms. Rivera on Oct 3: "
                           "Showed it in a conference.")
    assert "Quiz 1" in note  # the calculation's own explanation follows
    mastery = read_notes(path, "Mastery")
    assert mastery[("S3", "Outcomes met")][0] == 1
    assert mastery[("S1", "M1")][0] == "Mastered"  # no override, no mark


def test_an_override_survives_every_recompute_and_the_teachers_tab_is_untouched(workbook,
                                                                                base_tabs):
    path = workbook(with_overrides(base_tabs, CONFERENCE))
    before = read_tab(path, "Overrides")
    recompute_workbook(path)
    first = read_tab(path, "Mastery")
    recompute_workbook(path)
    assert read_tab(path, "Mastery") == first
    assert read_tab(path, "Overrides") == before


@pytest.mark.parametrize(
    ("level", "label"),
    [(4, "Mastered ✎"), (3, "Mastered ✎"), (2, "On track ✎"), (1, "Not Yet ✎")],
)
def test_a_level_override_is_banded_by_the_outcomes_policy(base_tabs, level, label):
    header = ["Student ID", "Outcome ID", "Level", "Reason", "Date", "Teacher"]
    tabs = with_overrides(base_tabs, ["S1", "L1", level, "Portfolio", "2026-10-03", ""],
                          header=header)
    out = _evaluate(tabs).set_index(["student_id", "outcome_id"]).loc[("S1", "L1")]
    assert f"{out.label} ✎" == label
    assert out.level == level
    assert "Overridden on Oct 3: Portfolio." in out.explanation  # no teacher named


def test_one_status_or_level_column_holds_either(base_tabs):
    header = ["Student ID", "Outcome ID", "Status or Level", "Reason", "Date"]
    tabs = with_overrides(base_tabs, ["S1", "L1", 3, "Portfolio", "2026-10-03"],
                          ["S2", "M1", "not yet", "Copied work", "2026-10-03"], header=header)
    out = _evaluate(tabs).set_index(["student_id", "outcome_id"])
    assert out.loc[("S1", "L1"), "status"] == "mastered"
    assert out.loc[("S2", "M1"), "status"] == "not_yet"


def test_the_newest_override_of_one_outcome_wins(base_tabs):
    older = ["S3", "M1", "Not Yet", "First look", datetime(2026, 10, 1), "Ms. Rivera"]
    tabs = with_overrides(base_tabs, CONFERENCE, older)
    out = _evaluate(tabs).set_index(["student_id", "outcome_id"]).loc[("S3", "M1")]
    assert (out.status, out.override) == ("mastered", "Overrides!C2")


def test_an_override_expires_with_new_evidence_when_the_policy_says_so(workbook, base_tabs):
    early = ["S3", "M1", "Mastered", "Conference", datetime(2026, 9, 15), "Ms. Rivera"]
    base_tabs["Policy"] = [["Setting", "Default"], ["Override expires with new evidence", "yes"]]
    path = workbook(with_overrides(base_tabs, early))
    summary = recompute_workbook(path)
    [warning] = summary.warnings
    assert (warning.cell, warning.reason) == ("Overrides!C2", Reason.OVERRIDE)
    assert "no longer applies: counted evidence dated Sep 21 came after it" in warning.message
    assert read_notes(path, "Mastery")[("S3", "M1")][0] == "On track (2 of 3)"


def test_an_override_does_not_expire_unless_the_policy_says_so(base_tabs):
    early = ["S3", "M1", "Mastered", "Conference", datetime(2026, 9, 15), "Ms. Rivera"]
    out = _evaluate(with_overrides(base_tabs, early))
    assert out.set_index(["student_id", "outcome_id"]).loc[("S3", "M1"), "status"] == "mastered"


@pytest.mark.parametrize(
    ("row", "cell", "words"),
    [
        pytest.param(["S9", "M1", "Mastered", "r", "2026-10-03"], "Overrides!A2",
                     'Student ID "S9" is not on the Roster', id="unknown-student"),
        pytest.param(["S1", "Z9", "Mastered", "r", "2026-10-03"], "Overrides!B2",
                     'outcome "Z9" is not on the Outcomes tab', id="unknown-outcome"),
        pytest.param(["S1", "M1", "Masterd", "r", "2026-10-03"], "Overrides!C2",
                     '"Masterd" is not a status (Mastered, On track, Not Yet)',
                     id="unknown-status"),
        pytest.param(["S1", "M1", 7, "r", "2026-10-03"], "Overrides!C2",
                     "7 is not a level on this scale (1 to 4)", id="level-off-the-scale"),
        pytest.param(["S1", "M1", "", "r", "2026-10-03"], "Overrides!C2",
                     "no status or level", id="no-status"),
        pytest.param(["S1", "M1", "Mastered", "", "2026-10-03"], "Overrides!D2",
                     "an override needs a reason", id="missing-reason"),
        pytest.param(["S1", "M1", "Mastered", "r", "Sept 31"], "Overrides!E2",
                     '"Sept 31" is not a date', id="bad-date"),
        pytest.param(["S1", "M1", "Mastered", "r", ""], "Overrides!E2",
                     "no date; an override needs the date it was made", id="missing-date"),
    ],
)
def test_a_bad_override_is_a_warning_naming_its_cell(base_tabs, row, cell, words):
    book = read_gradebook(snapshot_of(with_overrides(base_tabs, row)))
    [problem] = book.problems
    assert (problem.cell, problem.reason, problem.fatal) == (cell, Reason.OVERRIDE, False)
    assert words in problem.message and problem.message.endswith("this override was not applied")
    assert book.overrides.empty


def test_an_overrides_tab_without_a_status_column_is_named(base_tabs):
    tabs = with_overrides(base_tabs, ["S1", "M1", "r"], header=["Student ID", "Outcome ID",
                                                                   "Reason"])
    [problem] = read_gradebook(snapshot_of(tabs)).problems
    assert problem.cell == "Overrides!A1" and '"Status" or "Level"' in problem.message


def test_a_bad_override_writes_nothing_to_the_teachers_tabs(workbook, base_tabs):
    path = workbook(with_overrides(base_tabs, ["S1", "M1", "Masterd", "r", "2026-10-03"]))
    teacher = {t: read_tab(path, t) for t in ("Roster", "Outcomes", "Scores", "Overrides")}
    summary = recompute_workbook(path)
    assert [(w.cell, w.reason) for w in summary.warnings] == [("Overrides!C2", Reason.OVERRIDE)]
    assert {t: read_tab(path, t) for t in teacher} == teacher
    assert read_notes(path, "Mastery")[("S1", "M1")][0] == "Mastered"


def _evaluate(tabs):
    from policy_engine import apply_overrides, evaluate

    book = read_gradebook(snapshot_of(tabs))
    assert book.problems == ()
    result = evaluate(book.evidence, book.policies, students=[s.id for s in book.students],
                      outcomes=[o.id for o in book.outcomes], outcome_policy=book.outcome_policy)
    return apply_overrides(result, book.overrides, book.policies)[0].outcomes
