"""Marks the school defines: codes typed instead of (or beside) a score, and what each does."""

from __future__ import annotations

import pytest
from workbooks import read_notes, read_tab, recompute_workbook, snapshot_of

from policy_engine import Mark, MarkEffect, evaluate
from sheets_backend.gradebook.policies import default_policies, parse_policy_tab, policy_tab_rows
from sheets_backend.gradebook.template import read_gradebook
from sheets_backend.problems import Reason

SCHOOL_MARKS = (
    "NY Not Yet = 1; MI Missing = 1; EX Excused = excluded; L Late = flag; "
    "AB Absent = none; NA Not assessed = excluded"
)


def with_policy(tabs, marks: str = SCHOOL_MARKS):
    tabs["Policy"] = [["Setting", "Default"], ["Marks", marks]]
    return tabs


def evaluated(tabs):
    book = read_gradebook(snapshot_of(tabs))
    result = evaluate(book.evidence, book.policies, students=[s.id for s in book.students],
                      outcomes=[o.id for o in book.outcomes], outcome_policy=book.outcome_policy)
    return book, result.outcomes.set_index(["student_id", "outcome_id"])


def test_the_marks_setting_declares_codes_words_and_effects() -> None:
    policies, problems = parse_policy_tab([["Setting", "Default"], ["Marks", SCHOOL_MARKS]])
    assert problems == []
    marks = {m.code: m for m in policies["Default"].marks}
    assert marks["L"] == Mark("L", "Late", MarkEffect.FLAG)
    assert marks["AB"] == Mark("AB", "Absent", MarkEffect.NONE)
    assert marks["MI"] == Mark("MI", "Missing", MarkEffect.LEVEL, 1.0)
    assert marks["NA"].effect is MarkEffect.EXCLUDED and marks["NA"].label == "Not assessed"
    again, _ = parse_policy_tab([list(r) for r in policy_tab_rows(policies)])
    assert again["Default"].marks == policies["Default"].marks


def test_a_workbook_without_a_policy_tab_knows_late_absent_and_not_assessed() -> None:
    codes = {m.code: m.effect for m in default_policies()["Default"].marks}
    assert codes == {"NY": MarkEffect.LEVEL, "MI": MarkEffect.MISSING, "EX": MarkEffect.EXCLUDED,
                     "L": MarkEffect.FLAG, "AB": MarkEffect.NONE, "NA": MarkEffect.EXCLUDED}


@pytest.mark.parametrize(
    ("marks", "words"),
    [
        pytest.param("L Late = sometimes", "is not a level (a number), flag, none", id="effect"),
        pytest.param("Late", 'is not a mark (write "NY Not Yet = 1")', id="shape"),
        pytest.param("MI Missing = 9", "out of range", id="level-off-scale"),
        pytest.param("L Late = flag; L Lost = none", "out of range", id="code-twice"),
    ],
)
def test_a_bad_marks_setting_is_named_by_its_cell(marks: str, words: str) -> None:
    _, problems = parse_policy_tab([["Setting", "Default"], ["Marks", marks]])
    assert [p.cell for p in problems] == ["Policy!B2"]
    assert words in problems[0].message
    assert problems[0].reason is Reason.POLICY_SETTING


def test_a_flag_beside_a_score_keeps_the_score_and_shows_the_word(base_tabs) -> None:
    base_tabs["Scores"][4][5] = "3 L"  # S1's Quiz 2, handed in late
    base_tabs["Scores"][6][5] = "4l"  # S3's Quiz 2
    book, plain = evaluated(base_tabs)
    assert book.problems == ()
    cells = book.evidence.set_index("cell")
    assert (cells.loc["Scores!F5", "score"], cells.loc["Scores!F5", "mark"]) == (3, "L")
    row = plain.loc[("S1", "M1")]
    assert row.status == "mastered"  # the late 3 still counts
    assert "Quiz 2, Sep 21: 3 (Late)" in row.explanation
    assert "Noted: Late (Quiz 2, Sep 21)." in row.explanation
    assert " L" not in row.explanation.replace(" Late", "")


def test_a_flag_never_changes_a_level(base_tabs) -> None:
    _, before = evaluated(base_tabs)
    base_tabs["Scores"][4][5] = "3 L"
    base_tabs["Scores"][6][2] = "4 L"
    _, after = evaluated(base_tabs)
    columns = ["level", "status", "label", "demonstrations", "evidence_count", "counted"]
    assert after[columns].equals(before[columns])


def test_a_lone_flag_or_absent_is_tracked_in_the_note_never_counted(base_tabs) -> None:
    base_tabs["Scores"][4][5] = "L"  # S1's Quiz 2: late, no score yet
    base_tabs["Scores"][6][2] = "ab"  # S3's Quiz 1: absent
    _, out = evaluated(base_tabs)
    s1, s3 = out.loc[("S1", "M1")], out.loc[("S3", "M1")]
    assert (s1.label, s1.missing_count, s1.counted) == ("On track (2 of 3)", 0, 2)
    assert "Noted: Late (Quiz 2, Sep 21)." in s1.explanation
    assert (s3.label, s3.counted, s3.missing_count) == ("On track (1 of 3)", 1, 0)
    assert "Noted: Absent (Quiz 1, Sep 14)." in s3.explanation


def test_a_mark_counted_as_a_level_says_so(base_tabs) -> None:
    with_policy(base_tabs)["Policy"].append(["Method", "average"])  # names every score
    _, out = evaluated(base_tabs)
    s2 = out.loc[("S2", "M1")]  # 3, then MI (= 1 under this school's policy), then NY
    assert (s2.counted, s2.missing_count) == (3, 0)
    assert s2.level == pytest.approx(1.67)  # (3 + 1 + 1) / 3
    assert "Quiz 2, Sep 21: Missing (counts as 1)" in s2.explanation
    assert "Project, Oct 5: Not Yet (counts as 1)" in s2.explanation


@pytest.mark.parametrize("code", ["EX", "NA", "na"])
def test_excused_and_not_assessed_are_left_out_entirely(base_tabs, code) -> None:
    base_tabs["Scores"][6][2] = code  # S3's Quiz 1 (a 4) becomes excused / not assessed
    _, out = evaluated(base_tabs)
    s3 = out.loc[("S3", "M1")]
    assert (s3.label, s3.evidence_count, s3.counted) == ("On track (1 of 3)", 1, 1)
    assert "Noted" not in s3.explanation


@pytest.mark.parametrize(
    ("value", "cell"),
    [pytest.param("3 AB", "Scores!F5", id="tracked-only-code-beside-a-score"),
     pytest.param("3 Q", "Scores!F5", id="unknown-code-beside-a-score"),
     pytest.param("9 L", "Scores!F5", id="flagged-score-off-the-scale")],
)
def test_a_bad_flagged_score_is_named_by_its_cell(base_tabs, value, cell) -> None:
    base_tabs["Scores"][4][5] = value
    book = read_gradebook(snapshot_of(base_tabs))
    found = {p.cell: p for p in book.problems}
    assert found[cell].reason is Reason.SCORE_NOT_ON_SCALE
    assert f'"{value}" is not a score on this scale' in found[cell].message
    assert "L, AB, NA" in found[cell].message
    assert cell not in set(book.evidence["cell"])


def test_marks_reach_the_mastery_note_and_teacher_tabs_stay_untouched(workbook, base_tabs):
    base_tabs["Scores"][4][5] = "3 L"
    base_tabs["Scores"][6][2] = "3 Q"
    path = workbook(with_policy(base_tabs))
    teacher = {t: read_tab(path, t) for t in ("Roster", "Outcomes", "Scores", "Policy")}
    summary = recompute_workbook(path)
    assert [(w.cell, w.reason) for w in summary.warnings] == [
        ("Scores!C7", Reason.SCORE_NOT_ON_SCALE)]
    value, note = read_notes(path, "Mastery")[("S1", "M1")]
    assert value == "Mastered" and "Noted: Late (Quiz 2, Sep 21)." in note
    assert {t: read_tab(path, t) for t in teacher} == teacher
