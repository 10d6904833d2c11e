"""The teacher's own wording per language: `Outcome (es)` columns, `Name (es)` rows, the About tab."""

from __future__ import annotations

from datetime import datetime

import pytest
from workbooks import BASE_TABS, snapshot_of

from sheets_backend.gradebook.template import read_gradebook
from sheets_backend.gradebook.translations import labelled_language
from sheets_backend.problems import Reason


@pytest.mark.parametrize(("label", "language"), [
    ("Outcome (es)", "es"), ("Outcome (Spanish)", "es"), ("outcome (español)", "es"),
    ("Outcome (中文)", "zh"), ("Outcome（zh-CN）", "zh"), ("Outcome", None), ("Outcomes (es)", None),
])
def test_a_translation_header_names_its_language_like_the_roster_does(label, language):
    assert labelled_language(label, "Outcome") == language


def with_tabs(**tabs):
    return read_gradebook(snapshot_of({**BASE_TABS, **tabs}))


def test_outcome_columns_give_each_language_its_wording_and_blank_falls_back():
    outcomes = [["Outcome ID", "Outcome", "Outcome (es)", "Outcome (Chinese)"],
                ["M1", "I can solve one-step equations.", "Puedo resolver ecuaciones.", ""],
                ["M2", "I can use ratios.", "", "我会用比率。"], ["L1", "I can cite.", "", ""]]
    book = with_tabs(Outcomes=outcomes)
    m1, m2, _ = book.outcomes
    assert (m1.text_in("es"), m1.text_in("zh"), m1.text_in("en")) == (
        "Puedo resolver ecuaciones.", "I can solve one-step equations.",
        "I can solve one-step equations.")
    assert (m2.text_in("es"), m2.text_in("zh")) == ("I can use ratios.", "我会用比率。")
    assert not book.problems


def test_a_translation_column_in_a_language_hive_lacks_is_warned_at_its_header():
    outcomes = [["Outcome ID", "Outcome", "Outcome (Klingon)"], ["M1", "I can solve.", "x"],
                ["M2", "I can use ratios.", ""], ["L1", "I can cite.", ""]]
    book = with_tabs(Outcomes=outcomes)
    assert [(p.cell, p.reason) for p in book.problems] == [("Outcomes!C1", Reason.UNKNOWN_LANGUAGE)]


def test_name_rows_translate_assessments_and_are_never_read_as_students():
    scores = [list(r) for r in BASE_TABS["Scores"]]
    scores.insert(4, ["Name (es)", "", "Prueba 1", "", "Ensayo 1"])
    book = with_tabs(Scores=scores)
    assert not book.problems
    assert book.assessment_in("Quiz 1", "es") == "Prueba 1"
    assert book.assessment_in("Exit Ticket 1", "es") == "Exit Ticket 1"  # blank: as written
    assert len(book.evidence) == len(with_tabs().evidence)


def test_evidence_tab_columns_translate_its_assessments():
    evidence = [["Student ID", "Outcome ID", "Date", "Score", "Assessment", "Assessment (zh)"],
                ["S1", "M1", datetime(2026, 10, 2), 3, "Conference", "面谈"]]
    book = with_tabs(Evidence=evidence)
    assert book.assessment_in("Conference", "zh") == "面谈"


def test_the_about_tab_names_school_course_teacher_and_term():
    about = [["School", "MS 442"], ["Teacher", "Ms. Lopez"], ["Course", ""], ["Term", "Fall"]]
    book = with_tabs(About=about)
    assert (book.about.school, book.about.course, book.about.teacher, book.about.term) == (
        "MS 442", "Gradebook", "Ms. Lopez", "Fall")  # a blank course: the spreadsheet's title
    assert with_tabs().about.course == "Gradebook" and with_tabs().about.school == ""
