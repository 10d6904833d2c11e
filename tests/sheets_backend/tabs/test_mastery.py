"""The Mastery tab: status words, the latest result when it slips, notes, the report-card grade."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from workbooks import snapshot_of

from sheets_backend.demo import write_demo_gradebook
from sheets_backend.gradebook.policies import default_policies, policy_tab_rows
from sheets_backend.gradebook.template import read_gradebook
from sheets_backend.recompute import evaluate_book, evaluate_sheet
from sheets_backend.sheets.gateway import SheetsGateway, local_client
from sheets_backend.sheets.local import LocalSheets
from sheets_backend.tabs.mastery import REPORT_CARD_HEADER, mastery_tab


@pytest.fixture(scope="module")
def demo_tab(tmp_path_factory):
    path = write_demo_gradebook(tmp_path_factory.mktemp("demo") / "gradebook.xlsx")
    service = LocalSheets()
    gateway = SheetsGateway(local_client(service), service.open_workbook(path, autosave=False))
    book, evaluation = evaluate_sheet(gateway)
    return book, evaluation, mastery_tab(book, evaluation.outcomes, evaluation.students)


def _cells(tab):
    n = len(tab.rows[0])
    return [c for row in tab.rows[1:] for c in row[3:n]]


def test_no_note_repeats_a_prefix(demo_tab):
    notes = [c["note"] for c in _cells(demo_tab[2]) if c.get("note")]
    assert len(notes) > 1000
    for note in notes:
        assert "Next: Next:" not in note
        # No word-and-colon label ("Next:", "Latest:", "On track:") twice in a row.
        assert not re.search(r"\b(\w[\w ]*):\s*\1:", note), note
        assert note.count("Next:") <= 1, note


def _tabs(scores):
    return {
        "Roster": [["Student ID", "Student Name"], ["S1", "Ana"], ["S2", "Omar"]],
        "Outcomes": [["Outcome ID", "Outcome"], ["M1", "I can solve one-step equations."]],
        "Scores": [
            ["Student ID", "Student Name", "Quiz 1", "Quiz 2", "Quiz 3"],
            ["Outcome", "", "M1", "M1", "M1"],
            ["Date", "", datetime(2026, 9, 14), datetime(2026, 9, 21), datetime(2026, 9, 28)],
            ["Type", "", "summative", "summative", "summative"],
            *scores,
        ],
    }


def _render(tabs):
    book, evaluation = evaluate_book(read_gradebook(snapshot_of(tabs)))
    return mastery_tab(book, evaluation.outcomes, evaluation.students)


def test_a_latest_result_below_the_threshold_shows_a_down_arrow_and_says_so_first():
    tab = _render(_tabs([["S1", "Ana", 3, 3, 2], ["S2", "Omar", 2, 3, 3]]))
    slipping, steady = tab.rows[1][3], tab.rows[2][3]
    assert slipping["userEnteredValue"]["stringValue"] == "On track (2 of 3) ↓"
    assert slipping["note"].startswith("Latest: Approaching (2) on Quiz 3, Sep 28: below Meeting.")
    assert steady["userEnteredValue"]["stringValue"] == "On track (2 of 3)"
    assert not steady["note"].startswith("Latest")
    # The colour still follows the status, not the arrow.
    assert slipping["userEnteredFormat"] == steady["userEnteredFormat"]


def test_not_yet_gets_no_arrow_its_status_already_says_below():
    tab = _render(_tabs([["S1", "Ana", 2, 2, 1], ["S2", "Omar", 3, 3, 3]]))
    assert tab.rows[1][3]["userEnteredValue"]["stringValue"] == "Not Yet"
    assert tab.rows[2][3]["userEnteredValue"]["stringValue"] == "Mastered"


def test_the_report_card_column_shows_the_policys_grade(demo_tab):
    book, evaluation, tab = demo_tab
    header = [c["userEnteredValue"]["stringValue"] for c in tab.rows[0]]
    column = header.index(REPORT_CARD_HEADER)
    shown = [row[column]["userEnteredValue"]["stringValue"] for row in tab.rows[1:]]
    assert shown == evaluation.students["report_card"].tolist()
    assert set(shown) <= {"1", "2", "3", "4"} and len(set(shown)) > 1


def test_no_report_card_column_without_a_report_card():
    rows = [r for r in policy_tab_rows(default_policies())
            if not str(r[0]).lower().startswith("report card")]
    tab = _render({**_tabs([["S1", "Ana", 3, 3, 2]]), "Policy": rows})
    header = [c["userEnteredValue"]["stringValue"] for c in tab.rows[0]]
    assert REPORT_CARD_HEADER not in header
