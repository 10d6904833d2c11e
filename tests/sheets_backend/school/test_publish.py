"""School publishing: a cross-course report per student, private; a page per mentor, mentees only."""

from __future__ import annotations

import re
from html import escape

from workbooks import EVIL_NAME

from sheets_backend.cli import main
from sheets_backend.school.publish import mentor_page_name, school_report_name

NAMES = {"S1": "Ana Rivera", "S2": "Omar Diallo", "S3": EVIL_NAME, "S4": "Mei Chen",
         "S5": "Zoe Kim"}


def _publish(school, capsys):
    out = school.folder / "pages"
    assert main(["school", "publish", str(school.path), "--out", str(out)]) == 0
    assert "5 private cross-course reports and 2 mentor pages" in capsys.readouterr().out
    return out


def test_a_cross_course_report_holds_all_the_students_courses_and_no_one_else(school, capsys):
    out = _publish(school, capsys)
    page = (out / school_report_name("S1")).read_text("utf-8")
    assert re.findall(r'<h2 class="course">([^<]*)</h2>', page) == ["Math (Ms Lee)",
                                                                       "ELA (Mr Park)"]
    for outcome in ("I can solve one-step equations.", "I can write a clear claim."):
        assert outcome in page  # Math's and ELA's outcomes, in one report
    assert "Debate" in page and "Quiz 1" in page  # evidence from both courses
    for sid, name in NAMES.items():
        if sid != "S1":
            assert escape(name) not in page and sid not in page
    assert '<html lang="es">' in page  # the family's language


def test_a_student_in_one_course_gets_that_course_only(school, capsys):
    out = _publish(school, capsys)
    page = (out / school_report_name("S3")).read_text("utf-8")
    assert re.findall(r'<h2 class="course">([^<]*)</h2>', page) == ["Math (Ms Lee)"]
    assert escape(EVIL_NAME) in page and EVIL_NAME not in page  # escaped, never markup


def test_a_mentor_page_holds_only_their_mentees(school, capsys):
    out = _publish(school, capsys)
    page = (out / mentor_page_name("Ms Ortiz")).read_text("utf-8")
    assert "Ana Rivera" in page and escape(EVIL_NAME) in page
    for other in ("Omar Diallo", "Mei Chen", "Zoe Kim"):
        assert other not in page
    baker = (out / mentor_page_name("Mr Baker")).read_text("utf-8")
    assert all(n in baker for n in ("Omar Diallo", "Mei Chen", "Zoe Kim"))
    assert "Ana Rivera" not in baker


def test_publishing_again_removes_the_pages_of_students_who_left(school, capsys):
    out = _publish(school, capsys)
    roster = school.tabs["school.xlsx"]["Roster"]
    school.tabs["school.xlsx"]["Roster"] = [r for r in roster if r[0] != "S4"]
    school.write("school.xlsx")
    (out / "notes.txt").write_text("the admin's own file")
    assert main(["school", "publish", str(school.path), "--out", str(out)]) == 0
    capsys.readouterr()
    # S4 is still on the Math gradebook's Roster, but the school's Roster decides who is listed.
    assert not (out / school_report_name("S4")).exists()
    assert (out / school_report_name("S1")).exists() and (out / "notes.txt").exists()
