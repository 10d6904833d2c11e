"""Reading a school workbook: each tab's problems named at the school workbook's cell."""

from __future__ import annotations

from datetime import datetime

from workbooks import snapshot_of

from sheets_backend.problems import Reason
from sheets_backend.school.workbook import read_school

GRADEBOOKS = [
    ["Course", "Gradebook", "Teacher"],  # columns found by name, in any order
    ["Math", "math.xlsx", "Ms Lee"],
    ["ELA", "", "Mr Park"],
    ["Science", "math.xlsx", "Ms Ng"],
    ["", "", ""],
    ["Art", "https://docs.google.com/spreadsheets/d/abc/edit", ""],
]


def test_gradebooks_rows_are_read_with_their_cells_and_bad_rows_named():
    school = read_school(snapshot_of({"Gradebooks": GRADEBOOKS}))
    assert [(c.course, c.ref, c.cell) for c in school.courses] == [
        ("Math", "math.xlsx", "Gradebooks!B2"),
        ("Art", "https://docs.google.com/spreadsheets/d/abc/edit", "Gradebooks!B6"),
    ]
    assert school.courses[0].label == "Math (Ms Lee)" and school.courses[1].label == "Art"
    found = {(p.cell, p.reason) for p in school.problems}
    assert ("Gradebooks!B3", Reason.MISSING_GRADEBOOK) in found  # ELA names no gradebook
    assert ("Gradebooks!B4", Reason.MISSING_GRADEBOOK) in found  # math.xlsx listed twice
    assert ("Policy!A1", Reason.MISSING_TAB) in found  # no Policy tab: a warning, defaults used
    assert not school.fatal and school.roster is None


def test_no_gradebooks_tab_is_fatal():
    school = read_school(snapshot_of({"Roster": [["Student ID", "Student Name"]]}))
    assert school.fatal
    assert [(p.cell, p.reason) for p in school.problems if p.fatal] == [
        ("Gradebooks!A1", Reason.MISSING_TAB)]


def test_roster_mentoring_and_behavior_are_read_with_cells():
    school = read_school(snapshot_of({
        "Gradebooks": GRADEBOOKS[:2],
        "Roster": [["Student ID", "Student Name", "Mentor", "Grade"],
                   ["S1", "Ana", "Ms Ortiz", "8"], ["S2", "Omar", "Mr Baker", "8"],
                   ["S1", "Ana again", "", ""]],
        "Mentoring": [["Date", "Student ID", "Mentor"],
                      [datetime(2026, 9, 1), "S1", "Ms Ortiz"], ["Sept 31", "S2", "Mr Baker"],
                      [datetime(2026, 9, 2), "S9", "Ms Ortiz"]],
        "Behavior": [["Date", "Student ID", "Note", "Resolved"],
                     [datetime(2026, 9, 3), "S2", "Late", "no"],
                     [datetime(2026, 9, 4), "S1", "Late", "✓"]],
    }))
    assert [(s.id, s.name, s.grade, s.mentor) for s in school.roster] == [
        ("S1", "Ana", "8", "Ms Ortiz"), ("S2", "Omar", "8", "Mr Baker")]
    assert [(i.student_id, i.where) for i in school.incidents] == [("S2", "School: Behavior!B2")]
    assert [c.student_id for c in school.check_ins] == ["S1", "S2"]
    found = {(p.cell, p.reason) for p in school.problems}
    assert ("Roster!A4", Reason.DUPLICATE_STUDENT) in found
    assert ("Mentoring!A3", Reason.BAD_DATE) in found
    assert ("Mentoring!B4", Reason.UNKNOWN_STUDENT) in found
    # No Mentor Email column at all: each mentor is named once, at their first Mentor cell.
    assert ("Roster!C2", Reason.MENTOR_NO_EMAIL) in found
    assert ("Roster!C3", Reason.MENTOR_NO_EMAIL) in found


def test_a_google_sheets_link_gives_its_spreadsheet_id():
    school = read_school(snapshot_of({"Gradebooks": GRADEBOOKS}))
    assert school.courses[1].spreadsheet_id == "abc"
    assert school.courses[0].spreadsheet_id == "math.xlsx"  # a local path or a bare id, as typed
