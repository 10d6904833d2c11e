"""What a family reads around the statuses: their own language, who it is from, when, the key."""

from __future__ import annotations

import datetime as dt
import re
from datetime import datetime

from workbooks import snapshot_of

from sheets_backend.gradebook.template import read_gradebook
from sheets_backend.i18n.words import words_for
from sheets_backend.recompute import evaluate_book
from sheets_backend.reports.content import student_reports
from sheets_backend.reports.html import render
from sheets_backend.tabs.summary import summary_tab

OUTCOMES_EN = ["I can solve one-step equations.", "I can cite evidence to support my claim."]


def tabs(**extra):
    return {
        "Roster": [["Student ID", "Student Name", "Family Language"],
                   ["S1", "Ana Rivera", "Spanish"], ["S2", "Mei Chen", "中文"],
                   ["S3", "Omar Diallo", "English"]],
        "Outcomes": [
            ["Outcome ID", "Outcome", "Outcome (Spanish)", "Outcome (zh)"],
            ["M1", OUTCOMES_EN[0], "Puedo resolver ecuaciones de un paso.", "我会解一步方程。"],
            ["L1", OUTCOMES_EN[1], "Puedo citar evidencia para apoyar mi idea.",
             "我会引用证据支持我的观点。"],
        ],
        "Scores": [
            ["Student ID", "Student Name", "Quiz 1", "Quiz 2", "Quiz 3", "Essay 1"],
            ["Outcome", "", "M1", "M1", "M1", "L1"],
            ["Date", "", datetime(2026, 9, 14), datetime(2026, 9, 21), datetime(2026, 9, 28),
             datetime(2026, 9, 20)],
            ["Type", "", "summative", "summative", "summative", "summative"],
            ["Name (es)", "", "Prueba 1", "Prueba 2", "Prueba 3", "Ensayo 1"],
            ["S1", "Ana Rivera", 3, 3, 2, 4],
            ["S2", "Mei Chen", 3, 4, 4, 2],
            ["S3", "Omar Diallo", 2, 3, 2, 3],
        ],
        **extra,
    }


def reports(snapshot_tabs, as_of=None):
    book, evaluation = evaluate_book(read_gradebook(snapshot_of(snapshot_tabs)))
    assert not book.problems, book.problems
    return book, evaluation, {
        r.student.name: render(r, words_for(r.student.family_language))
        for r in student_reports(book, evaluation.outcomes, evaluation.students, as_of=as_of)
    }


def visible(page: str) -> str:
    body = page[page.index("<body>"):]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_a_spanish_familys_report_holds_the_spanish_wording_and_no_english_outcome_text():
    _, _, pages = reports(tabs())
    ana = visible(pages["Ana Rivera"])
    assert "Puedo resolver ecuaciones de un paso." in ana
    assert "Puedo citar evidencia para apoyar mi idea." in ana
    assert not any(text in ana for text in OUTCOMES_EN)
    assert "Prueba 3" in ana and "Quiz 3" not in ana  # assessment names from `Name (es)`


def test_a_chinese_family_gets_chinese_outcomes_and_an_english_one_the_schools_words():
    _, _, pages = reports(tabs())
    mei = visible(pages["Mei Chen"])
    assert "我会解一步方程。" in mei and not any(text in mei for text in OUTCOMES_EN)
    assert "Quiz 1" in mei  # no `Name (zh)` row: the school's name, never a gap
    omar = visible(pages["Omar Diallo"])
    assert all(text in omar for text in OUTCOMES_EN) and "Puedo" not in omar


def test_a_missing_translation_falls_back_to_the_schools_wording():
    t = tabs()
    t["Outcomes"][2][2] = ""
    _, _, pages = reports(t)
    ana = visible(pages["Ana Rivera"])
    assert "Puedo resolver ecuaciones de un paso." in ana and OUTCOMES_EN[1] in ana


def test_the_student_summary_block_shows_both_wordings_for_a_spanish_family():
    book, evaluation = evaluate_book(read_gradebook(snapshot_of(tabs())))
    text = "\n".join(c.get("userEnteredValue", {}).get("stringValue", "")
                     for row in summary_tab(book, evaluation.outcomes, evaluation.students).rows
                     for c in row)
    assert f"{OUTCOMES_EN[0]}\nPuedo resolver ecuaciones de un paso." in text
    # Ana's M1 (3, 3, then 2) slipped: the status cell says the latest score in both languages.
    assert ("Your latest score on this was Approaching (2), on Quiz 3 (Sep 28). That is below "
            "Meeting.\nTu nota más reciente aquí fue En desarrollo (2), en Prueba 3 (28 sept).") in text
    assert "Report card grade: 1" in text and "Levels: 4 Exceeding" in text


def test_the_header_says_school_course_teacher_term_and_as_of():
    about = [["School", "MS 442"], ["Course", "Grade 7 Math"], ["Teacher", "Ms. Lopez"],
             ["Term", "Fall 2026"]]
    _, _, pages = reports(tabs(About=about), as_of=dt.date(2026, 10, 1))
    omar, ana = visible(pages["Omar Diallo"]), visible(pages["Ana Rivera"])
    assert "MS 442 · Grade 7 Math · Teacher: Ms. Lopez · Fall 2026" in omar
    assert "Progress as of October 1, 2026" in omar
    assert "MS 442 · Grade 7 Math · Docente: Ms. Lopez · Fall 2026" in ana
    assert "Progreso al 1 de octubre de 2026" in ana


def test_without_an_about_tab_the_course_is_the_spreadsheet_title_and_today_is_the_date():
    _, _, pages = reports(tabs())
    omar = visible(pages["Omar Diallo"])
    assert "Gradebook" in omar  # snapshot_of's spreadsheet title
    today = dt.date.today()
    assert f"Progress as of {today:%B} {today.day}, {today.year}" in omar


def test_the_key_gives_the_levels_and_the_policy_in_one_sentence():
    _, _, pages = reports(tabs())
    omar, ana = visible(pages["Omar Diallo"]), visible(pages["Ana Rivera"])
    assert "Levels: 4 Exceeding · 3 Meeting · 2 Approaching · 1 Not Yet" in omar
    assert "An outcome is Mastered when your child has shown Meeting (3)" in omar
    assert "Niveles: 4 Supera · 3 Cumple · 2 En desarrollo · 1 Todavía no" in ana
    assert ("Un resultado queda Dominado después de 3 notas con nivel Cumple o más, cada una en "
            "un día distinto.") in ana


def test_the_report_card_grade_comes_with_its_rule_in_words():
    _, evaluation, pages = reports(tabs())
    grades = dict(zip(evaluation.students["student_id"], evaluation.students["report_card"],
                      strict=True))
    mei = visible(pages["Mei Chen"])  # M1 Mastered, L1 Not Yet: 50% met
    assert grades["S2"] == "2"
    assert "Report card grade: 2" not in mei and "成绩单等级：2" in mei
    assert "2：至少达成 40% 的已评估目标" in mei or "2: 至少达成 40% 的已评估目标" in mei
    omar = visible(pages["Omar Diallo"])
    assert f"Report card grade: {grades['S3']}" in omar
    assert "1: less than 40% of assessed outcomes met" in omar


def test_a_slipping_outcome_says_the_latest_score_plainly():
    _, _, pages = reports(tabs())
    ana = visible(pages["Ana Rivera"])  # M1: 3, 3, then 2: On track (2 of 3), latest below
    assert ("Tu nota más reciente aquí fue En desarrollo (2), en Prueba 3 (28 sept). Está por "
            "debajo de Cumple.") in ana
    omar = visible(pages["Omar Diallo"])
    assert "Your latest score on this was Approaching (2), on Quiz 3 (Sep 28)." in omar
