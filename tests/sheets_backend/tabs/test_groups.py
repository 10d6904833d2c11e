"""Reteach groups: per outcome, who has not met it yet, by section, Roster order, what is left."""

from __future__ import annotations

from datetime import datetime

from workbooks import EVIL_NAME, read_tab, recompute_workbook, snapshot_of

import policy_engine
from sheets_backend.gradebook.template import read_gradebook
from sheets_backend.tabs.groups import HEADERS, groups_for, groups_tab, sections_of
from sheets_backend.tabs.plan import build_plan


def evaluated(tabs):
    book = read_gradebook(snapshot_of(tabs))
    evaluation = policy_engine.evaluate(
        book.evidence, book.policies, students=[s.id for s in book.students],
        outcomes=[o.id for o in book.outcomes], outcome_policy=book.outcome_policy)
    return book, evaluation


def test_groups_are_by_need_in_roster_order_with_sections_as_a_filter(base_tabs):
    # S5 (section 801) is on the Roster after S3 and S4 (802): Roster order, not section order.
    base_tabs["Roster"].append(["S5", "Zoe Adams", "801", ""])
    base_tabs["Scores"].append(["S5", "Zoe Adams", 1, None, None, None, None])
    base_tabs["Roster"].append(["S6", "Lin Wu", "802", ""])
    base_tabs["Scores"].append(["S6", "Lin Wu", 3, None, None, 2, None])
    book, evaluation = evaluated(base_tabs)
    groups = groups_for(book, evaluation, "M1")
    assert [(g.label, [m.student_id for m in g.members]) for g in groups] == [
        ("Not Yet", ["S5"]), ("1 of 3", ["S2", "S6"]), ("2 of 3", ["S3"])]
    s2 = groups[1].members[0]
    assert (s2.name, s2.status, s2.section) == ("Omar Diallo", "On track (1 of 3)", "801")
    assert s2.needs == "Two more demonstrations at Meeting or above, each on a different day"
    zoe = groups[0].members[0]
    assert zoe.needs == (
        "A first demonstration at Meeting or above; 3 are needed, each on a different day")
    only_802 = groups_for(book, evaluation, "M1", section="802")
    assert [(g.label, [m.student_id for m in g.members]) for g in only_802] == [
        ("1 of 3", ["S6"]), ("2 of 3", ["S3"])]
    assert sections_of(book) == ("801", "802")


def test_a_long_gap_is_its_own_group_named_by_its_date(base_tabs):
    # Five students shown on M1 in October; S1 last seen Sep 14, four weeks before the class.
    base_tabs["Scores"] = [
        ["Student ID", "Student Name", "Quiz 1", "Quiz 2", "Project"],
        ["Outcome", "", "M1", "M1", "M1"],
        ["Date", "", datetime(2026, 9, 14), datetime(2026, 10, 20), datetime(2026, 10, 27)],
        ["Type", "", "summative", "summative", "summative"],
        ["S1", "Ana Rivera", 3, None, None],
        ["S2", "Omar Diallo", 2, 3, None],
        ["S3", EVIL_NAME, None, 2, 2],
        ["S4", "Mei Chen", None, 3, 4],
    ]
    book, evaluation = evaluated(base_tabs)
    groups = groups_for(book, evaluation, "M1")
    assert [(g.label, [m.student_id for m in g.members]) for g in groups] == [
        ("Not Yet", ["S3"]), ("1 of 3", ["S2"]), ("2 of 3", ["S4"]),
        ("Not shown since Sep 14 or earlier", ["S1"])]
    assert groups[-1].need == "not_shown" and groups[-1].members[0].last_date == "2026-09-14"


def test_a_met_or_unassessed_outcome_has_no_group(base_tabs):
    book, evaluation = evaluated(base_tabs)
    assert groups_for(book, evaluation, "M2") == ()  # formative only: nobody assessed
    # L1: S1 (a 2) and S3 (one 3) are assessed and not met; S2 was excused, S4 has nothing
    assert [m.student_id for g in groups_for(book, evaluation, "L1") for m in g.members] == [
        "S1", "S3"]
    assert groups_for(book, evaluation, "nope") == ()


def test_the_groups_tab_has_a_row_per_student_and_outcome_not_met(base_tabs):
    book, evaluation = evaluated(base_tabs)
    content = groups_tab(book, evaluation)
    values = [[c.get("userEnteredValue", {}).get("stringValue", "") for c in row]
              for row in content.rows]
    assert tuple(values[0]) == HEADERS
    assert [(r[0], r[2], r[3], r[4]) for r in values[1:]] == [
        ("M1", "1 of 3", "801", "S2"), ("M1", "2 of 3", "802", "S3"),
        ("L1", "Not Yet", "801", "S1"), ("L1", "1 of 3", "802", "S3")]
    plan = build_plan(snapshot_of(base_tabs), [content])
    assert plan.tabs == ("Groups",)


def test_a_class_that_met_everything_gets_a_plain_sentence(base_tabs):
    base_tabs["Scores"] = base_tabs["Scores"][:4] + [base_tabs["Scores"][4]]
    base_tabs["Scores"][4][4] = None  # S1: only M1, mastered
    book, evaluation = evaluated(base_tabs)
    rows = groups_tab(book, evaluation).rows
    assert rows[1][0]["userEnteredValue"]["stringValue"].startswith("Every student assessed")


def test_the_recompute_rebuilds_the_groups_tab_after_student_summary(workbook, base_tabs):
    path = workbook(base_tabs)
    summary = recompute_workbook(path)
    assert summary.tabs == ("Mastery", "Student Summary", "Groups")
    first = read_tab(path, "Groups")
    assert first[1][:5] == ["M1", "I can solve one-step equations.", "1 of 3", "801", "S2"]
    recompute_workbook(path)
    assert read_tab(path, "Groups") == first
