"""End to end on a local workbook: real gspread, the local Sheets service, the real write plan."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from workbooks import EVIL_NAME, read_tab

from sheets_backend.cli import main
from sheets_backend.errors import HiveError, SheetsUnavailable, TemplateInvalid
from sheets_backend.recompute import recompute
from sheets_backend.sheets.gateway import SheetsGateway, local_client
from sheets_backend.sheets.local import LocalSheets

TEACHER_TABS = ("Roster", "Outcomes", "Scores", "Behavior")


class Recompute:
    """Runs Hive on a workbook the way a teacher does, and reads back what it wrote."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def cli(self, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
        code = main(["recompute", str(self.path), "--json", *args])
        return code, json.loads(capsys.readouterr().out)

    def run(self, **kwargs):
        service = LocalSheets()
        sid = service.open_workbook(self.path, autosave=not kwargs.get("dry_run", False))
        gateway = SheetsGateway(local_client(service, base_delay=0.0, budget=1.0), sid)
        return recompute(gateway, **kwargs), service

    def mastery(self) -> dict[str, dict[str, object]]:
        rows = read_tab(self.path, "Mastery")
        header = rows[0]
        return {row[0]: dict(zip(header, row, strict=False)) for row in rows[1:]}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def hive(workbook) -> Recompute:
    return Recompute(workbook())


def test_recompute_reports_counts_statuses_and_api_calls(hive, capsys):
    code, summary = hive.cli(capsys=capsys)
    assert code == 0
    assert (summary["students"], summary["outcomes"], summary["evidence"]) == (4, 3, 13)
    assert summary["statuses"] == {"Mastered": 1, "On track": 3, "Not Yet": 1, "Not assessed": 7}
    assert summary["warnings"] == []
    calls = summary["api_calls"]
    assert (calls["read"], calls["write"]) == (2, 1)  # a first recompute: no Hive tab to read
    assert 0 < calls["bytes_written"] < 2_000_000
    assert summary["written"] is True


def test_mastery_tab_holds_statuses_colours_notes_and_counts(hive):
    hive.run()
    mastery = hive.mastery()
    assert mastery["S1"]["M1"] == "Mastered"
    assert mastery["S1"]["L1"] == "Not Yet"
    assert mastery["S1"]["M2"] is None  # formative only: tracked, never a level
    # 3, Missing, then NY (counts as 1): the latest result is below Meeting, so it slips.
    assert mastery["S2"]["M1"] == "On track (1 of 3) ↓"
    assert mastery["S3"]["M1"] == "On track (2 of 3)"
    assert mastery["S1"]["Outcomes met"] == 1
    assert mastery["S1"]["Outcomes assessed"] == 2
    assert mastery["S1"]["% met of assessed"] == pytest.approx(0.5)
    assert mastery["S2"]["Missing work"] == 1
    assert mastery["S2"]["Incentive eligible"] == "No"
    assert mastery["S1"]["Incentive eligible"] == "Yes"
    sheet = load_workbook(hive.path)["Mastery"]
    s1_m1 = sheet["D2"]
    assert s1_m1.value == "Mastered"
    assert s1_m1.fill.fgColor.rgb.upper().endswith("8FD1D0")
    assert "Quiz 1" in s1_m1.comment.text and "Project" in s1_m1.comment.text
    assert "Next:" in sheet["D3"].comment.text  # S2 is on track: a next step is named
    assert sheet.freeze_panes == "C2"


def test_student_names_are_written_as_text_never_formulas(hive):
    hive.run()
    sheet = load_workbook(hive.path)["Mastery"]
    name = sheet["B4"]
    assert name.value == EVIL_NAME
    assert name.data_type == "s"


def test_teacher_tabs_are_never_modified(hive):
    before = {tab: read_tab(hive.path, tab) for tab in TEACHER_TABS}
    hive.run()
    hive.run()
    assert {tab: read_tab(hive.path, tab) for tab in TEACHER_TABS} == before


def test_recompute_is_idempotent(hive):
    hive.run()
    first = {tab: read_tab(hive.path, tab) for tab in ("Mastery", "Student Summary")}
    titles = load_workbook(hive.path).sheetnames
    hive.run()
    assert load_workbook(hive.path).sheetnames == titles
    assert {tab: read_tab(hive.path, tab) for tab in ("Mastery", "Student Summary")} == first


def test_a_teachers_own_mastery_tab_is_left_alone(workbook, base_tabs):
    base_tabs["Mastery"] = [["My own notes"], ["do not touch"]]
    hive = Recompute(workbook(base_tabs))
    summary, _ = hive.run()
    assert read_tab(hive.path, "Mastery") == [["My own notes"], ["do not touch"]]
    assert "Mastery (Hive)" in load_workbook(hive.path).sheetnames
    assert any(w.reason == "tab_name_taken" and w.cell == "Mastery!A1" for w in summary.warnings)


def test_student_summary_speaks_to_one_student_in_plain_words(hive):
    hive.run()
    rows = read_tab(hive.path, "Student Summary")
    text = [" ".join(str(v) for v in row if v is not None) for row in rows]
    ana = text.index("Ana Rivera")
    assert text[ana + 1] == (
        "So far you have met 1 of 2 learning outcomes that have been assessed."
    )
    block = text[ana : text.index("Omar Diallo")]
    assert not any("Omar" in line or "Mei" in line for line in block)
    omar = text.index("Omar Diallo")
    assert any(line.startswith("Work to hand in: Quiz 2 (M1, Sep 21)") for line in text[omar:])
    assert not any("Phone out" in line for line in text)  # behaviour never appears


def test_dry_run_writes_nothing(hive, capsys):
    before = digest(hive.path)
    code, summary = hive.cli("--dry-run", capsys=capsys)
    assert code == 0 and summary["written"] is False
    assert summary["api_calls"] == {"read": 2, "write": 0, "bytes_written": 0, "json_bytes": 0}
    assert digest(hive.path) == before


def test_as_of_uses_only_evidence_up_to_that_date(hive):
    from datetime import date

    hive.run(as_of=date(2026, 9, 30))
    assert hive.mastery()["S1"]["M1"] == "On track (2 of 3)"


def test_a_fatal_template_problem_writes_nothing(workbook, base_tabs, capsys):
    del base_tabs["Roster"]
    path = workbook(base_tabs)
    before = digest(path)
    code = main(["recompute", str(path), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert out["error"]["code"] == "template_invalid"
    assert {"cell": "Roster!A1", "reason": "missing_tab"}.items() <= out["error"]["problems"][
        0
    ].items()
    assert digest(path) == before
    with pytest.raises(TemplateInvalid):
        Recompute(path).run()


def test_warnings_name_cells_and_good_cells_still_count(workbook, base_tabs, capsys):
    base_tabs["Scores"][4][5] = "3+"
    hive = Recompute(workbook(base_tabs))
    code, summary = hive.cli(capsys=capsys)
    assert code == 0
    assert summary["warnings"][0]["cell"] == "Scores!F5"
    assert summary["warnings"][0]["message"].startswith('"3+" is not a score on this scale')
    assert hive.mastery()["S1"]["M1"] == "On track (2 of 3)"


def test_google_failing_throughout_leaves_the_workbook_unchanged(hive):
    service = LocalSheets()
    sid = service.open_workbook(hive.path, autosave=True)
    before = digest(hive.path)
    service.faults.fail_next(status=503, count=50)
    gateway = SheetsGateway(local_client(service, base_delay=0.0, budget=1.0), sid)
    with pytest.raises(SheetsUnavailable):
        recompute(gateway)
    assert digest(hive.path) == before


def test_human_summary_is_short_and_readable(hive, capsys):
    assert main(["recompute", str(hive.path)]) == 0
    out = capsys.readouterr().out
    assert "4 students, 3 outcomes, 13 pieces of evidence" in out
    assert "Mastered 1" in out
    assert "Wrote Mastery, Student Summary" in out
    assert ": 1 batch update, " in out and " KB of JSON; 2 reads)." in out


def outcome_columns(mastery: dict[str, dict[str, object]]) -> dict[str, list[object]]:
    return {sid: [row[o] for o in ("M1", "M2", "L1")] for sid, row in mastery.items()}


def test_behaviour_and_mentoring_never_move_a_mastery_level(workbook, base_tabs):
    from datetime import datetime

    plain = Recompute(workbook(base_tabs, name="plain.xlsx"))
    plain.run()
    base_tabs["Behavior"] += [
        [datetime(2026, 10, 2), sid, "Incident", ""] for sid in ("S1", "S3", "S4")
    ]
    base_tabs["Mentoring"] = [
        ["Student ID", "Mentor", "Date", "Note"],
        ["S1", "Ms. Okafor", datetime(2026, 9, 20), "Goal setting"],
        ["S1", "", datetime(2026, 10, 12), "Check-in"],
        ["S3", "Mr. Lin", datetime(2026, 10, 1), "First meeting"],
    ]
    busy = Recompute(workbook(base_tabs, name="busy.xlsx"))
    busy.run()
    assert outcome_columns(busy.mastery()) == outcome_columns(plain.mastery())
    mastery = busy.mastery()
    assert [mastery[s]["Incentive eligible"] for s in ("S1", "S2", "S3", "S4")] == ["No"] * 4
    assert (mastery["S1"]["Mentor"], mastery["S1"]["Last check-in"]) == ("Ms. Okafor", "2026-10-12")
    assert mastery["S2"]["Mentor"] is None
    assert "Mentor" not in plain.mastery()["S1"]


def test_resolving_an_incident_restores_incentive_eligibility(workbook, base_tabs):
    base_tabs["Behavior"][1][3] = "yes"
    hive = Recompute(workbook(base_tabs))
    hive.run()
    assert hive.mastery()["S2"]["Incentive eligible"] == "Yes"


def test_summary_names_the_policies_in_plain_words(hive, capsys):
    _, summary = hive.cli(capsys=capsys)
    assert summary["policies"][0]["name"] == "Default"
    assert "Meeting" in summary["policies"][0]["description"]


def test_publish_writes_one_private_page_per_student(hive, tmp_path, capsys):
    out = tmp_path / "reports"
    assert main(["publish", str(hive.path), "--out", str(out)]) == 0
    assert "Wrote 4 private reports" in capsys.readouterr().out
    pages = sorted(out.glob("progress-*.html"))
    assert len(pages) == 4 and (out / "index.html").exists()  # and the teacher's index
    texts = [p.read_text(encoding="utf-8") for p in pages]
    assert sum("Ana Rivera" in t for t in texts) == 1
    assert sum("Omar Diallo" in t for t in texts) == 1
    assert not any("Ana Rivera" in t and "Omar Diallo" in t for t in texts)


@pytest.mark.parametrize(
    ("status", "code", "words"),
    [(403, "sheets_forbidden", "don't have access"), (404, "spreadsheet_not_found", "not found")],
)
def test_sheets_refusing_access_is_told_plainly_and_nothing_is_written(hive, status, code, words):
    service = LocalSheets()
    sid = service.open_workbook(hive.path, autosave=True)
    before = digest(hive.path)
    service.faults.fail_next(status=status, count=1)
    gateway = SheetsGateway(local_client(service, base_delay=0.0, budget=1.0), sid)
    with pytest.raises(HiveError) as caught:
        recompute(gateway)
    assert caught.value.code == code and words in caught.value.message
    assert gateway.calls.to_dict() == {"read": 1, "write": 0, "bytes_written": 0, "json_bytes": 0}  # no retry
    assert digest(hive.path) == before


def test_a_teacher_tab_named_like_a_cell_is_read_as_a_tab(workbook, base_tabs):
    # Unquoted, "Q1" in a range means cell Q1 of the first tab, not the tab called Q1.
    base_tabs["Q1"] = base_tabs.pop("Scores")  # renamed; found again by its headers
    hive = Recompute(workbook(base_tabs))
    summary, _ = hive.run()
    assert summary.evidence == 13
    assert hive.mastery()["S1"]["M1"] == "Mastered"
