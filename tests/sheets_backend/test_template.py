"""The sheet contract: what Hive reads from a teacher's tabs, and every bad input named by its cell."""

from __future__ import annotations

from datetime import datetime

import pytest
from workbooks import EVIL_NAME, snapshot_of

from sheets_backend.problems import Reason
from sheets_backend.template import read_gradebook


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
            Reason.UNKNOWN_OUTCOME,
            False,
            'outcome "M9"',
            id="unknown-outcome",
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
