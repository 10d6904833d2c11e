"""The sheet contract: what Hive reads from a teacher's tabs, and every bad input named by its cell."""

from __future__ import annotations

import copy
from datetime import datetime

import pandas as pd
import pytest
from workbooks import EVIL_NAME, read_notes, read_tab, recompute_workbook, snapshot_of

from sheets_backend.gradebook.template import read_gradebook
from sheets_backend.problems import Reason


def problems_of(tabs):
    return {(p.cell, p.reason): p for p in read_gradebook(snapshot_of(tabs)).problems}


def test_base_gradebook_reads_cleanly(base_tabs):
    book = read_gradebook(snapshot_of(base_tabs))
    assert book.problems == ()
    assert [s.id for s in book.students] == ["S1", "S2", "S3", "S4"]
    assert book.students[2].name == EVIL_NAME
    assert [o.id for o in book.outcomes] == ["M1", "M2", "L1"]
    # 5 cells for S1, 5 for S2 (EX, MI, NY are evidence too), 3 for S3, none for S4
    assert len(book.evidence) == 13
    s2 = book.evidence[book.evidence["student_id"] == "S2"].set_index("assessment")
    assert s2.loc["Quiz 2", "mark"] == "MI"
    assert s2.loc["Project", "mark"] == "NY"
    assert s2.loc["Quiz 1", "score"] == 3
    assert s2.loc["Quiz 1", "cell"] == "Scores!C6"
    assert s2.loc["Quiz 1", "date"] == datetime(2026, 9, 14)
    assert s2.loc["Exit Ticket 1", "type"] == "formative"
    assert book.incentive_eligible == {"S1": True, "S2": False, "S3": True, "S4": True}


def test_headers_match_case_and_space_insensitively(base_tabs):
    base_tabs["Roster"][0] = ["  student  ID", "STUDENT NAME", "section", "family language"]
    base_tabs["roster "] = base_tabs.pop("Roster")
    book = read_gradebook(snapshot_of(base_tabs))
    assert book.problems == ()
    assert len(book.students) == 4


def test_moved_columns_are_found_by_header(base_tabs):
    base_tabs["Roster"] = [[r[1], r[3], r[0], r[2]] for r in base_tabs["Roster"]]
    base_tabs["Scores"] = [[r[1], r[0], *r[2:]] for r in base_tabs["Scores"]]
    book = read_gradebook(snapshot_of(base_tabs))
    assert [p for p in book.problems if p.reason != Reason.MISSING_HEADER] == []
    assert len(book.evidence) == 13


@pytest.mark.parametrize(
    ("edit", "cell", "reason", "fatal", "words"),
    [
        pytest.param(
            lambda t: t.pop("Roster"),
            "Roster!A1",
            Reason.MISSING_TAB,
            True,
            '"Roster"',
            id="missing-roster-tab",
        ),
        pytest.param(
            lambda t: t.pop("Outcomes"),
            "Outcomes!A1",
            Reason.MISSING_TAB,
            True,
            '"Outcomes"',
            id="missing-outcomes-tab",
        ),
        pytest.param(
            lambda t: t["Roster"][0].__setitem__(1, "Name?"),
            "Roster!A1",
            Reason.MISSING_HEADER,
            True,
            '"Student Name"',
            id="missing-header",
        ),
        pytest.param(
            lambda t: t["Roster"].__setitem__(slice(1, None), []),
            "Roster!A2",
            Reason.EMPTY_ROSTER,
            True,
            "no students",
            id="empty-roster",
        ),
        pytest.param(
            lambda t: t["Roster"].append(["S2", "Someone Else"]),
            "Roster!A6",
            Reason.DUPLICATE_STUDENT,
            False,
            "already used in row 3",
            id="duplicate-student-id",
        ),
        pytest.param(
            lambda t: t["Scores"][1].__setitem__(3, "M9"),
            "Scores!D2",
            Reason.ORPHANED_EVIDENCE,
            False,
            'outcome "M9" of "Exit Ticket 1" is not on the Outcomes tab; its 2 scores are orphaned',
            id="unknown-outcome-with-scores",
        ),
        pytest.param(
            lambda t: [r.append(v) for r, v in
                       zip(t["Scores"], ["Quiz 9", "M9", "2026-10-01", ""], strict=False)],
            "Scores!H2",
            Reason.UNKNOWN_OUTCOME,
            False,
            'outcome "M9" of "Quiz 9" is not on the Outcomes tab; its scores will be skipped',
            id="unknown-outcome-no-scores-yet",
        ),
        pytest.param(
            lambda t: t["Scores"][4].__setitem__(5, "3+"),
            "Scores!F5",
            Reason.SCORE_NOT_ON_SCALE,
            False,
            '"3+" is not a score on this scale',
            id="score-3-plus",
        ),
        pytest.param(
            lambda t: t["Scores"][4].__setitem__(5, "three"),
            "Scores!F5",
            Reason.SCORE_NOT_ON_SCALE,
            False,
            '"three" is not a score',
            id="score-word",
        ),
        pytest.param(
            lambda t: t["Scores"][4].__setitem__(5, 7),
            "Scores!F5",
            Reason.SCORE_NOT_ON_SCALE,
            False,
            '"7" is not a score',
            id="score-7",
        ),
        pytest.param(
            lambda t: t["Scores"][2].__setitem__(5, "Sept 31"),
            "Scores!F3",
            Reason.BAD_DATE,
            False,
            '"Sept 31" is not a date',
            id="bad-date",
        ),
        pytest.param(
            lambda t: t["Scores"][3].__setitem__(5, "quizz"),
            "Scores!F4",
            Reason.BAD_TYPE,
            False,
            '"quizz" is not a type',
            id="bad-type",
        ),
        pytest.param(
            lambda t: t["Scores"].append(["S9", "New Kid", 3]),
            "Scores!A9",
            Reason.UNKNOWN_STUDENT,
            False,
            '"S9" is not on the Roster',
            id="unknown-student-in-scores",
        ),
        pytest.param(
            lambda t: t["Behavior"].append(["", "S77", "x", ""]),
            "Behavior!B4",
            Reason.UNKNOWN_STUDENT,
            False,
            '"S77"',
            id="unknown-student-in-behavior",
        ),
    ],
)
def test_bad_input_is_named_by_tab_and_cell(base_tabs, edit, cell, reason, fatal, words):
    edit(base_tabs)
    found = problems_of(base_tabs)
    assert (cell, reason) in found, sorted(found)
    problem = found[(cell, reason)]
    assert problem.fatal is fatal
    assert words in problem.message
    assert str(problem).startswith(f"{cell}: ")


def test_a_bad_cell_is_skipped_and_good_ones_still_count(base_tabs):
    base_tabs["Scores"][4][5] = "3+"  # S1's Quiz 2
    book = read_gradebook(snapshot_of(base_tabs))
    assert len(book.evidence) == 12
    assert "Scores!F5" not in set(book.evidence["cell"])
    assert "Scores!C5" in set(book.evidence["cell"])


def test_a_column_with_an_unknown_outcome_skips_only_that_column(base_tabs):
    base_tabs["Scores"][1][3] = "M9"
    book = read_gradebook(snapshot_of(base_tabs))
    assert set(book.evidence["assessment"]) == {"Quiz 1", "Essay 1", "Quiz 2", "Project"}


def test_scores_typed_as_text_and_lowercase_marks_are_read(base_tabs):
    base_tabs["Scores"][4][2] = " 3 "
    base_tabs["Scores"][5][5] = "mi"
    book = read_gradebook(snapshot_of(base_tabs))
    assert book.problems == ()
    cells = book.evidence.set_index("cell")
    assert cells.loc["Scores!C5", "score"] == 3
    assert cells.loc["Scores!F6", "mark"] == "MI"


def test_dates_typed_as_text_are_read_month_first(base_tabs):
    base_tabs["Scores"][2][2] = "10/3/2026"
    book = read_gradebook(snapshot_of(base_tabs))
    assert book.evidence.set_index("cell").loc["Scores!C5", "date"] == datetime(2026, 10, 3)


def test_evidence_tab_adds_long_form_evidence_with_named_problems(base_tabs):
    base_tabs["Evidence"] = [
        ["Student ID", "Outcome ID", "Date", "Score", "Assessment", "Type"],
        ["S4", "L1", datetime(2026, 10, 2), 3, "Conference", "summative"],
        ["S4", "Z9", datetime(2026, 10, 2), 3, "Conference", ""],
        ["S4", "L1", "someday", 3, "Conference", ""],
        ["S4", "L1", datetime(2026, 10, 3), "3+", "Conference", ""],
    ]
    book = read_gradebook(snapshot_of(base_tabs))
    found = {(p.cell, p.reason) for p in book.problems}
    assert found == {
        ("Evidence!B3", Reason.UNKNOWN_OUTCOME),
        ("Evidence!C4", Reason.BAD_DATE),
        ("Evidence!D5", Reason.SCORE_NOT_ON_SCALE),
    }
    conference = book.evidence[book.evidence["assessment"] == "Conference"]
    assert list(conference["cell"]) == ["Evidence!D2"]


def test_hundreds_of_empty_trailing_rows_change_nothing(base_tabs):
    base_tabs["Scores"] += [["", ""] for _ in range(500)]
    base_tabs["Roster"] += [["", ""] for _ in range(500)]
    book = read_gradebook(snapshot_of(base_tabs))
    assert book.problems == ()
    assert len(book.evidence) == 13


def _latest_policy() -> list[list[object]]:
    return [["Setting", "Default"], ["Method", "latest"]]


def test_make_up_work_dated_earlier_is_not_most_recent_through_a_recompute(workbook, base_tabs):
    # S1's Project (Oct 5) is a 3; a make-up quiz typed in a later column is dated Sep 1 and is a 1.
    # By column the make-up is newest (Not Yet); by date the Project is (Mastered under "latest").
    scores = base_tabs["Scores"]
    for row, value in zip(scores, ["Make-up", "M1", datetime(2026, 9, 1), "summative", 1],
                          strict=False):
        row.append(value)
    base_tabs["Policy"] = _latest_policy()
    path = workbook(base_tabs)
    summary = recompute_workbook(path)
    assert summary.warnings == ()
    value, note = read_notes(path, "Mastery")[("S1", "M1")]
    assert value == "Mastered"
    assert note.index("Make-up, Sep 1: 1") < note.index("Project, Oct 5: 3")


def test_one_date_is_ordered_by_column_through_a_recompute(workbook, base_tabs):
    scores = base_tabs["Scores"]
    for row, value in zip(scores, ["Same day", "M1", datetime(2026, 10, 5), "summative", 1],
                          strict=False):
        row.append(value)  # same date as Project, one column to the right: it is the newest
    base_tabs["Policy"] = _latest_policy()
    path = workbook(base_tabs)
    recompute_workbook(path)
    assert read_notes(path, "Mastery")[("S1", "M1")][0] == "Not Yet"


def _add_column(tabs, header, outcome, when, kind, values):
    """Append an assessment column to Scores: header, Outcome, Date, Type, then one per student."""
    for row, value in zip(tabs["Scores"], [header, outcome, when, kind, *values], strict=False):
        row.extend([""] * (7 - len(row)))
        row.append(value)


@pytest.mark.parametrize("kind", ["update: Quiz 1", "Update:quiz 1", "retake: QUIZ 1"])
def test_a_retake_names_the_assessment_it_retakes_in_its_type_cell(base_tabs, kind):
    _add_column(base_tabs, "Quiz 1 retake", "M1", datetime(2026, 10, 9), kind, [4, 2])
    book = read_gradebook(snapshot_of(base_tabs))
    assert book.problems == ()
    retake = book.evidence.set_index("cell").loc["Scores!H5"]
    assert (retake["type"], retake["retakes"]) == ("update", "Quiz 1")
    assert set(book.evidence.loc[book.evidence["cell"] != "Scores!H5", "retakes"]) <= {"", "Quiz 1"}


@pytest.mark.parametrize(
    ("kind", "words"),
    [("update: Quiz 9", '"Quiz 9" is not an assessment on this tab'),
     ("summative: Quiz 1", '"summative: Quiz 1" is not a type'),
     ("update:", '"update:" is not a type')],
)
def test_a_bad_retake_type_is_named_by_its_cell(base_tabs, kind, words):
    _add_column(base_tabs, "Quiz 1 retake", "M1", datetime(2026, 10, 9), kind, [4, 2])
    found = problems_of(base_tabs)
    problem = found[("Scores!H4", Reason.BAD_TYPE)]
    assert words in problem.message and "were skipped" in problem.message


def test_retakes_beyond_the_policy_cap_are_warned_tracked_and_not_counted(workbook, base_tabs):
    base_tabs["Policy"] = [["Setting", "Default"], ["Retakes allowed", 1]]
    _add_column(base_tabs, "Essay retake A", "L1", datetime(2026, 10, 9), "update: Essay 1", [3])
    _add_column(base_tabs, "Essay retake B", "L1", datetime(2026, 10, 2), "update: Essay 1", [3])
    path = workbook(base_tabs)
    teacher = read_tab(path, "Scores")
    summary = recompute_workbook(path)
    [warning] = summary.warnings
    assert warning.cell == "Scores!H5"  # typed first, but the later date: the second attempt
    assert 'retake 2 of "Essay 1": the policy allows 1' in warning.message
    value, note = read_notes(path, "Mastery")[("S1", "L1")]
    assert value == "On track (1 of 3)"
    assert "Essay retake B (retake 1 of Essay 1), Oct 2: 3" in note
    assert "Not counted (1 retake allowed): Essay retake A (retake 2 of Essay 1), Oct 9." in note
    assert read_tab(path, "Scores") == teacher


def test_evidence_tab_rows_can_be_retakes(base_tabs):
    base_tabs["Evidence"] = [
        ["Student ID", "Outcome ID", "Date", "Score", "Assessment", "Type"],
        ["S4", "L1", datetime(2026, 10, 2), 3, "Conference", "update: Essay 1"],
        ["S4", "L1", datetime(2026, 10, 3), 3, "Conference", "formative: Essay 1"],
    ]
    book = read_gradebook(snapshot_of(base_tabs))
    assert [(p.cell, p.reason) for p in book.problems] == [("Evidence!F3", Reason.BAD_TYPE)]
    assert list(book.evidence.loc[book.evidence["cell"] == "Evidence!D2", "retakes"]) == ["Essay 1"]


def _results(tabs):
    from sheets_backend.recompute import evaluate_book

    book, evaluation = evaluate_book(read_gradebook(snapshot_of(tabs)))
    return book, evaluation.outcomes.set_index(["student_id", "outcome_id"])[
        ["status", "label", "level", "explanation"]]


def test_a_renamed_tab_with_the_same_headers_is_used_and_named(base_tabs):
    _, before = _results(base_tabs)
    base_tabs["Gradebook T1"] = base_tabs.pop("Scores")
    book, after = _results(base_tabs)
    [problem] = book.problems
    assert (problem.cell, problem.reason) == ("'Gradebook T1'!A1", Reason.TAB_RENAMED)
    assert 'Hive read it as the Scores tab; rename it "Scores" to confirm' in problem.message
    assert after.drop(columns="explanation").equals(before.drop(columns="explanation"))


def test_two_renamed_tabs_with_one_layout_are_ambiguous_and_neither_is_used(base_tabs):
    base_tabs["Gradebook T1"] = base_tabs.pop("Scores")
    base_tabs["Gradebook T2"] = copy.deepcopy(base_tabs["Gradebook T1"])
    book = read_gradebook(snapshot_of(base_tabs))
    reasons = {(p.cell, p.reason) for p in book.problems}
    assert ("'Gradebook T1'!A1", Reason.TAB_RENAMED) in reasons
    assert ("Scores!A1", Reason.MISSING_TAB) in reasons
    assert book.evidence.empty


def test_renaming_an_outcome_while_its_id_stays_changes_no_result(base_tabs):
    _, before = _results(base_tabs)
    base_tabs["Outcomes"][1][1] = "I can solve equations in one step."
    _, after = _results(base_tabs)
    assert after.equals(before)


def test_deleting_an_outcome_orphans_its_evidence_and_never_retags_it(base_tabs):
    _, before = _results(base_tabs)
    del base_tabs["Outcomes"][3]  # L1, while Essay 1 still points to it
    book, after = _results(base_tabs)
    [problem] = book.problems
    assert (problem.cell, problem.reason) == ("Scores!E2", Reason.ORPHANED_EVIDENCE)
    assert "its 3 scores are orphaned: skipped, never re-tagged" in problem.message
    assert "L1" not in set(book.evidence["outcome_id"])
    assert after.equals(before.drop(index="L1", level="outcome_id"))


def test_a_merged_header_names_every_column_it_spans(base_tabs):
    # "Project" merged over G1:H1 (and its date and type over G3:H4): H has only its outcome.
    for row, value in zip(base_tabs["Scores"], [None, "L1", None, None, 4, 2, None, None],
                          strict=True):
        row.append(value)
    book = read_gradebook(snapshot_of(base_tabs))
    assert book.problems == ()
    added = book.evidence.set_index("cell").loc[["Scores!H5", "Scores!H6"]]
    assert set(added["assessment"]) == {"Project"} and set(added["outcome_id"]) == {"L1"}
    assert set(added["date"]) == {pd.Timestamp(2026, 10, 5)}


def test_inserted_moved_and_spaced_columns_change_no_result(base_tabs):
    _, before = _results(base_tabs)
    for title in ("Roster", "Outcomes", "Scores"):
        base_tabs[title] = [[None, *reversed(row)] for row in base_tabs[title]]
        base_tabs[title][0] = [f"  {v} " if v else v for v in base_tabs[title][0]]
    base_tabs["Scores"] += [[None] * 9 for _ in range(300)]
    book, after = _results(base_tabs)
    assert book.problems == ()
    # Same statuses and levels; cells in the explanations moved with their columns.
    assert after.drop(columns="explanation").equals(before.drop(columns="explanation"))


def test_references_quote_tabs_whose_names_read_as_cells():
    from sheets_backend.problems import cell_ref, quote_tab

    # Unquoted, "Q1" would name cell Q1, not the tab: the gateway's read ranges and every
    # warning's cell use the same quoting as Google's echoed ranges.
    assert quote_tab("Q1") == "'Q1'" and quote_tab("R1C1") == "'R1C1'"
    assert quote_tab("Roster") == "Roster"
    assert cell_ref("Q1", 3, 4) == "'Q1'!D3"
    assert cell_ref("Student Summary", 1, 1) == "'Student Summary'!A1"
