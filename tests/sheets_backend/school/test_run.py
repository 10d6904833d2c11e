"""A school recompute end to end: real gradebooks and a school workbook on disk, real gspread, the
local Sheets service; what the Students, Mentors and Courses tabs say is read back from the files."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sheets_backend.cli import main
from sheets_backend.school.tabs import MENTORS


def _mastery(school, name: str) -> dict[str, dict[str, object]]:
    rows = school.tab("Mastery", name)
    return {row[0]: dict(zip(rows[0], row, strict=False)) for row in rows[1:]}


def test_students_figures_equal_each_gradebooks_own_mastery_tab(school, capsys):
    summary = school.cli("recompute", capsys=capsys)
    assert (summary["gradebooks"], summary["read"], summary["students"]) == (2, 2, 5)
    assert summary["tabs"] == ["Students", "Mentors", "Courses"]
    students = school.students()
    checked = 0
    for course, name in (("Math", "math.xlsx"), ("ELA", "ela.xlsx")):
        mastery = _mastery(school, name)
        outcome_ids = [r[0] for r in school.tabs[name]["Outcomes"][1:]]
        for sid, row in mastery.items():
            mine = students[sid]
            assert mine[f"{course}: % met of assessed"] == row["% met of assessed"]
            assert mine[f"{course}: Missing work"] == row["Missing work"]
            on_track = sum(str(row[o] or "").startswith("On track") for o in outcome_ids)
            assert mine[f"{course}: On track"] == on_track
            checked += 1
    assert checked == 7  # 4 in Math, 3 in ELA
    # S4 has no evidence anywhere: nothing assessed, so no percent; S3 takes no ELA.
    assert students["S4"]["All courses: % met of assessed"] is None
    assert students["S3"]["ELA: On track"] is None


def test_all_courses_add_up_each_students_courses(school, capsys):
    school.cli("recompute", capsys=capsys)
    s1 = school.students()["S1"]
    assert s1["All courses: Missing work"] == s1["Math: Missing work"] + s1["ELA: Missing work"]
    assert s1["All courses: On track"] == s1["Math: On track"] + s1["ELA: On track"]


def test_rows_keep_the_school_roster_order_never_results(school, capsys):
    school.tabs["school.xlsx"]["Roster"][1:] = school.tabs["school.xlsx"]["Roster"][:0:-1]
    school.write("school.xlsx")
    school.cli("recompute", capsys=capsys)
    assert list(school.students()) == ["S5", "S4", "S3", "S2", "S1"]


def test_without_a_school_roster_students_are_in_name_order(school, capsys):
    del school.tabs["school.xlsx"]["Roster"]
    school.write("school.xlsx")
    summary = school.cli("recompute", capsys=capsys)
    names = [row["Student Name"] for row in school.students().values()]
    assert names == sorted(names, key=str.casefold)
    assert summary["students"] == 5


def test_an_unresolved_incident_in_one_course_makes_a_student_ineligible_everywhere(
    school, capsys
):
    school.cli("recompute", capsys=capsys)
    students = school.students()
    # S5's incident is in ELA only; S2's in Math only (Behavior!B2 of each gradebook).
    assert students["S5"]["Incentive eligible"] == "No"
    assert students["S5"]["Unresolved incidents"] == "ELA (Mr Park): Behavior!B2"
    assert students["S2"]["Incentive eligible"] == "No"
    assert students["S2"]["Unresolved incidents"] == "Math (Ms Lee): Behavior!B2"
    assert students["S1"]["Incentive eligible"] == "Yes"  # S1's Math incident is resolved

    school.tabs["ela.xlsx"]["Behavior"][1][3] = "Yes"
    school.write("ela.xlsx")
    school.cli("recompute", capsys=capsys)
    assert school.students()["S5"]["Incentive eligible"] == "Yes"


def test_a_school_wide_incident_counts_too(school, capsys):
    school.tabs["school.xlsx"]["Behavior"].append([datetime(2026, 10, 3), "S1", "Hallway", ""])
    school.write("school.xlsx")
    school.cli("recompute", capsys=capsys)
    s1 = school.students()["S1"]
    assert (s1["Incentive eligible"], s1["Unresolved incidents"]) == ("No", "School: Behavior!B2")


def test_a_mentors_block_holds_their_mentees_only(school, capsys):
    school.cli("recompute", capsys=capsys)
    rows = school.tab(MENTORS)
    blocks: dict[str, list[str]] = {}
    mentor = ""
    for row in rows:
        if row and row[0] in ("Ms Ortiz", "Mr Baker"):
            mentor = row[0]
            blocks[mentor] = []
        elif row and row[0] and row[0] != "Student ID":
            blocks[mentor].append(row[0])
    assert blocks == {"Mr Baker": ["S2", "S4", "S5"], "Ms Ortiz": ["S1", "S3"]}
    by_id = {row[0]: row for row in rows if row and row[0]}
    assert by_id["S2"][3] == "2026-10-02"  # the latest check-in
    assert by_id["S1"][3] == "none yet"
    # S2 has missing work in Math (MI) and ELA (MI): both courses need a check-in.
    assert "Math:" in by_id["S2"][4] and "ELA:" in by_id["S2"][4] and "missing" in by_id["S2"][4]


def test_courses_counts_every_student_once_per_outcome_and_names_no_one(school, capsys):
    school.cli("recompute", capsys=capsys)
    rows = school.tab("Courses")
    assert rows[0] == ["Course", "Outcome ID", "Mastered", "On track", "Not Yet", "Not assessed"]
    counts = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert list(counts) == [("Math", "M1"), ("Math", "M2"), ("Math", "L1"),
                            ("ELA", "L1"), ("ELA", "L2")]
    assert all(sum(c) == 4 for (course, _), c in counts.items() if course == "Math")
    assert all(sum(c) == 3 for (course, _), c in counts.items() if course == "ELA")
    text = " ".join(str(v) for r in rows for v in r)
    assert "Rivera" not in text and "S1" not in text


def test_policy_drift_is_reported_at_the_gradebooks_cell_with_both_values(school, capsys):
    policy = school.tabs["ela.xlsx"]["Policy"]
    assert policy[2][0] == "Demonstrations needed (n)"
    policy[2][1] = "2"
    school.write("ela.xlsx")
    summary = school.cli("recompute", capsys=capsys)
    drift = [w for w in summary["warnings"] if w["reason"] == "policy_drift"]
    assert len(drift) == 1
    assert drift[0]["gradebook"] == "ELA (Mr Park)"
    assert drift[0]["cell"] == "Policy!B3"
    assert '"2" here but "3"' in drift[0]["message"]
    assert "Demonstrations needed (n)" in drift[0]["message"]
    validated = school.cli("validate", capsys=capsys)
    assert [w["cell"] for w in validated["warnings"] if w["reason"] == "policy_drift"] == [
        "Policy!B3"]


def test_a_gradebook_without_a_policy_tab_uses_the_schools(school, capsys):
    school.tabs["school.xlsx"]["Policy"][2][1] = "1"  # one demonstration is enough, school-wide
    school.write("school.xlsx")
    school.cli("recompute", capsys=capsys)
    # S3 has two 4s on M1 in Math (no Policy tab): Mastered under the school's n = 1.
    assert str(_mastery(school, "math.xlsx")["S3"]["M1"]).startswith("Mastered")


def test_a_missing_gradebook_is_reported_and_the_others_still_computed(school, capsys):
    school.tabs["school.xlsx"]["Gradebooks"].insert(
        2, ["gone.xlsx", "Science", "Ms Ng", "ng@school.example.org", "Science"])
    school.write("school.xlsx")
    assert main(["school", "recompute", str(school.path)]) == 0
    out = capsys.readouterr().out
    assert "2 of 3 gradebooks read" in out
    assert "NOT READ Gradebooks!A3" in out
    summary = school.cli("recompute", capsys=capsys)
    assert (summary["gradebooks"], summary["read"]) == (3, 2)
    assert [w["cell"] for w in summary["not_read"]] == ["Gradebooks!A3"]
    assert summary["not_read"][0]["reason"] == "gradebook_unreadable"
    assert school.tab("Students")[0][0].startswith("2 of 3 gradebooks read. Not read: "
                                                   "Gradebooks!A3 Science (Ms Ng)")
    assert school.students()["S5"]["ELA: On track"] is not None  # the others still computed
    assert "Mastery" in [t for t in _titles(school.folder / "ela.xlsx")]


def test_a_student_id_with_two_names_is_named_at_the_gradebooks_roster_cell(school, capsys):
    school.tabs["ela.xlsx"]["Roster"][2][1] = "Omar Diallo-Bah"
    school.tabs["ela.xlsx"]["Scores"][5][1] = "Omar Diallo-Bah"
    school.write("ela.xlsx")
    summary = school.cli("validate", capsys=capsys)
    found = [w for w in summary["warnings"] if w["reason"] == "name_mismatch"]
    assert [(w["gradebook"], w["cell"]) for w in found] == [("ELA (Mr Park)", "Roster!B3")]
    assert "the school's Roster tab" in found[0]["message"]


def test_validate_reads_everything_and_writes_nothing(school, capsys):
    before = {p.name: _digest(p) for p in school.folder.glob("*.xlsx")}
    summary = school.cli("validate", capsys=capsys)
    assert summary["written"] is False and summary["api_calls"]["write"] == 0
    assert {p.name: _digest(p) for p in school.folder.glob("*.xlsx")} == before
    # S3, S4 and S5's rows give no Mentor Email, but their mentors have one on another row.
    assert [w for w in summary["warnings"] if w["reason"] == "mentor_no_email"] == []


def test_a_mentor_with_no_email_is_named_at_the_roster_cell(school, capsys):
    school.tabs["school.xlsx"]["Roster"][4][3] = "Mx Quinn"  # S4's mentor, no email anywhere
    school.write("school.xlsx")
    summary = school.cli("validate", capsys=capsys)
    found = [w for w in summary["warnings"] if w["reason"] == "mentor_no_email"]
    assert [(w["gradebook"], w["cell"]) for w in found] == [("", "Roster!E5")]
    assert "Mx Quinn" in found[0]["message"]


def test_a_second_recompute_writes_the_same_school_tabs(school, capsys):
    first = school.cli("recompute", capsys=capsys)
    tabs = [school.tab(t) for t in ("Students", "Mentors", "Courses")]
    second = school.cli("recompute", capsys=capsys)
    assert [school.tab(t) for t in ("Students", "Mentors", "Courses")] == tabs
    calls = [{k: s["api_calls"][k] for k in ("read", "write")} for s in (first, second)]
    assert calls[0] == {"read": 6, "write": 3}
    # The second reads Hive's tabs back (one more read per workbook) and writes only what differs.
    assert calls[1]["read"] == 9
    assert second["api_calls"]["bytes_written"] < first["api_calls"]["bytes_written"] / 5


def test_a_school_workbook_without_gradebooks_stops_with_the_cell(school, capsys):
    del school.tabs["school.xlsx"]["Gradebooks"]
    school.write("school.xlsx")
    assert main(["school", "recompute", str(school.path)]) == 1
    assert "Gradebooks!A1" in capsys.readouterr().err


def _titles(path):
    from openpyxl import load_workbook

    return load_workbook(path, read_only=True).sheetnames


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_gradebooks_named_by_google_links_open_by_id_and_an_unknown_one_is_reported(school):
    from sheets_backend.school.run import GoogleOpener, recompute_school
    from sheets_backend.sheets.gateway import SheetsGateway, local_client
    from sheets_backend.sheets.local import LocalSheets

    school.tabs["school.xlsx"]["Gradebooks"][1][0] = (
        "https://docs.google.com/spreadsheets/d/math-id/edit#gid=0")
    school.tabs["school.xlsx"]["Gradebooks"][2][0] = "no-such-id"
    school.write("school.xlsx")
    service = LocalSheets()
    service.open_workbook(school.folder / "math.xlsx", spreadsheet_id="math-id")
    client = local_client(service, base_delay=0.0, budget=1.0)
    gateway = SheetsGateway(client, service.open_workbook(school.path))
    summary = recompute_school(gateway, GoogleOpener(client)).to_dict()
    assert (summary["gradebooks"], summary["read"]) == (2, 1)
    assert [(w["cell"], w["gradebook"]) for w in summary["not_read"]] == [
        ("Gradebooks!A3", "ELA (Mr Park)")]
    assert "not found" in summary["not_read"][0]["message"]
    assert school.students()["S1"]["Math: On track"] is not None


def test_validate_names_a_missing_gradebook_at_its_cell(school, capsys):
    school.tabs["school.xlsx"]["Gradebooks"].append(["gone.xlsx", "Art", "", "", ""])
    school.write("school.xlsx")
    summary = school.cli("validate", capsys=capsys)
    assert [(w["cell"], w["reason"]) for w in summary["not_read"]] == [
        ("Gradebooks!A4", "gradebook_unreadable")]
    assert summary["read"] == 2


def test_a_school_policy_hive_cannot_read_stops_before_any_gradebook_is_written(school, capsys):
    school.tabs["school.xlsx"]["Policy"][2][1] = "three"
    school.write("school.xlsx")
    before = _digest(school.folder / "math.xlsx")
    assert main(["school", "recompute", str(school.path)]) == 1
    assert "Policy!B3" in capsys.readouterr().err
    assert _digest(school.folder / "math.xlsx") == before


def test_a_name_that_looks_like_a_formula_stays_text_on_every_school_tab(school, capsys):
    from openpyxl import load_workbook
    from workbooks import EVIL_NAME

    school.cli("recompute", capsys=capsys)
    book = load_workbook(school.path)
    found = [cell for title in ("Students", "Mentors") for row in book[title].iter_rows()
             for cell in row if cell.value == EVIL_NAME]
    assert len(found) == 2 and all(cell.data_type == "s" for cell in found)
