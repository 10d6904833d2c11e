"""A save changes only what Hive changed: the teacher's parts are copied byte for byte, and what
a tab holds (formulas and their cached values, dates, error values, hidden tabs) reads back."""

from __future__ import annotations

import hashlib
import logging
import os
import zipfile
from pathlib import Path
from typing import Any

import gspread
import pytest
from xlsx_craft import X, cells_of, craft_xlsx

from sheets_backend.sheets.local import LocalSheets
from sheets_backend.sheets.local.permissions import Grant
from tests.sheets_backend.sheets.local.conftest import FakeClock, make_client

LISTING = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}
UNFORMATTED = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"}


def teacher_file(path: Path) -> Path:
    return craft_xlsx(
        path,
        {
            "Scores": [
                ["Student ID", "Quiz", "Test", "When"],
                ["s1", X(3, formula="VLOOKUP(A2,Keys!A:B,2,FALSE)"), X(3, style="date"),
                 X(45538, style="date")],
                ["s2", X(4, formula="MAX(2,4)", style="bold"), X("#N/A", error=True), "#N/A"],
                ["s3", float("inf"), 1e300, X("ok", formula='IF(1,"ok","no")')],
            ],
            "Keys": [["s1", 3], ["s2", 4]],
            "Secret": [["do not show"]],
        },
        states={"Secret": "veryHidden"},
    )


def hive_writes(service: LocalSheets, sid: str, clock: FakeClock) -> None:
    """What a recompute does to the file: a new tab of its own, with values."""
    http = make_client(service, clock).http_client
    if service.workbook(sid).sheet_by_title("Mastery") is None:
        http.batch_update(sid, {"requests": [{"addSheet": {"properties": {"title": "Mastery"}}}]})
    clock.now += 1
    http.values_update(sid, "Mastery!A1:C1", params={"valueInputOption": "RAW"},
                       body={"values": [["Student", "Status", clock.now]]})


def reopen(path: Path) -> tuple[LocalSheets, str]:
    service = LocalSheets()
    return service, service.open_workbook(path)


def values(service: LocalSheets, sid: str, clock: FakeClock, rng: str) -> list[list[Any]]:
    http = make_client(service, clock).http_client
    return http.values_get(sid, rng, params=UNFORMATTED).get("values", [])


def test_a_save_copies_every_part_hive_did_not_change_byte_for_byte(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = teacher_file(tmp_path / "class.xlsx")
    original = zipfile.ZipFile(path)
    before = {n: original.read(n) for n in original.namelist()}
    service, sid = reopen(path)
    hive_writes(service, sid, clock)
    after = zipfile.ZipFile(path)
    for name, data in before.items():
        if name not in LISTING:
            assert after.read(name) == data, name
    assert {"xl/sharedStrings.xml", "docProps/custom.xml"} <= set(after.namelist())


def test_teacher_tabs_read_back_identical_cell_by_cell(tmp_path: Path, clock: FakeClock) -> None:
    path = teacher_file(tmp_path / "class.xlsx")
    before = cells_of(path)
    service, sid = reopen(path)
    hive_writes(service, sid, clock)
    after = cells_of(path)
    assert {t: after[t] for t in before} == before
    assert after["Secret"][0] == "veryHidden"
    assert set(after) == {*before, "Mastery", "_hive_meta"}


@pytest.mark.parametrize("dirty", [False, True], ids=["copied", "rewritten"])
def test_formulas_dates_errors_and_huge_numbers_survive_three_saves(
    tmp_path: Path, clock: FakeClock, dirty: bool
) -> None:
    path = teacher_file(tmp_path / "class.xlsx")
    first = values(*reopen(path), clock, "Scores!A2:D4")
    for _ in range(3):
        service, sid = reopen(path)
        if dirty:  # a change to the teacher's tab through the API: that tab is rewritten
            make_client(service, clock).http_client.values_update(
                sid, "Scores!F1", params={"valueInputOption": "RAW"}, body={"values": [["x"]]}
            )
        hive_writes(service, sid, clock)
    service, sid = reopen(path)
    assert values(service, sid, clock, "Scores!A2:D4") == first
    # The formula's value is its cached result (VLOOKUP cannot be evaluated here), the
    # date-formatted 3 is still 3, error and text #N/A both read "#N/A" (as Google renders
    # them UNFORMATTED), and JSON has no infinity (the file keeps it, below).
    assert first == [
        ["s1", 3, 3, 45538],
        ["s2", 4, "#N/A", "#N/A"],
        ["s3", None, 1e300, "ok"],
    ]
    seen = cells_of(path)["Scores"][1]
    assert seen[(2, 2)].value == "=VLOOKUP(A2,Keys!A:B,2,FALSE)" and seen[(2, 2)].cached == 3
    assert seen[(3, 2)].data_type == "f" and seen[(3, 2)].style == "bold"
    assert seen[(2, 3)].value == 3 and seen[(2, 3)].style == "date"
    assert seen[(3, 3)].data_type == "e" or dirty  # an error value rewritten reads as its text
    assert seen[(3, 4)].data_type == "s" and seen[(3, 4)].value == "#N/A"
    assert seen[(4, 2)].value == float("inf")
    assert cells_of(path)["Secret"][0] == "veryHidden"
    if dirty:
        assert seen[(1, 6)].value == "x"


def test_a_formula_score_keeps_counting_after_a_save(tmp_path: Path, clock: FakeClock) -> None:
    path = teacher_file(tmp_path / "class.xlsx")
    service, sid = reopen(path)
    hive_writes(service, sid, clock)
    service, sid = reopen(path)
    assert values(service, sid, clock, "Scores!B2:B3") == [[3], [4]]


def test_the_file_keeps_its_permissions(tmp_path: Path, clock: FakeClock) -> None:
    path = teacher_file(tmp_path / "class.xlsx")
    os.chmod(path, 0o644)
    service, sid = reopen(path)
    hive_writes(service, sid, clock)
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)


def test_a_failed_save_leaves_the_file_and_no_temp_file(tmp_path: Path, clock: FakeClock) -> None:
    path = teacher_file(tmp_path / "class.xlsx")
    before = path.read_bytes()
    service, sid = reopen(path)
    book = service.workbook(sid)
    book.source = type(book.source)(b"not a zip", book.source.workbook_part, book.source.sheets,
                                    book.source.by_sheet_id)
    with pytest.raises(zipfile.BadZipFile):
        hive_writes(service, sid, clock)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["class.xlsx"]


def test_opening_a_workbook_removes_temp_files_a_killed_save_left(tmp_path: Path) -> None:
    path = teacher_file(tmp_path / "class.xlsx")
    (tmp_path / ".class-abc123.xlsx.tmp").write_bytes(b"half a zip")
    (tmp_path / ".other-abc123.xlsx.tmp").write_bytes(b"another workbook's")
    reopen(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other-abc123.xlsx.tmp", "class.xlsx"]


def test_a_tab_renamed_in_excel_keeps_its_own_ownership(tmp_path: Path, clock: FakeClock) -> None:
    """The teacher renames Hive's Mastery tab and gives its name to her own tab: hers is hers."""
    path = teacher_file(tmp_path / "class.xlsx")
    service, sid = reopen(path)
    hive_writes(service, sid, clock)
    http = make_client(service, clock).http_client
    mastery = service.workbook(sid).sheet_by_title("Mastery")
    assert mastery is not None
    http.batch_update(sid, {"requests": [{"addProtectedRange": {"protectedRange": {
        "range": {"sheetId": mastery.sheet_id}, "warningOnly": True, "description": "Hive's"}}}]})
    # As Excel renames: only the names in workbook.xml change, each tab keeps its sheetId.
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts["xl/workbook.xml"].decode()
    xml = xml.replace('name="Mastery"', 'name="Old Mastery"').replace('name="Keys"', 'name="Mastery"')
    parts["xl/workbook.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    service, sid = reopen(path)
    book = service.workbook(sid)
    hers, old = book.sheet_by_title("Mastery"), book.sheet_by_title("Old Mastery")
    assert hers is not None and old is not None
    assert hers.protected_ranges == [] and hers.rows[0] == ["s1", 3]
    assert old.protected_ranges[0]["description"] == "Hive's"
    assert old.sheet_id == mastery.sheet_id


def test_a_spreadsheet_not_shared_with_the_caller_is_googles_403(
    tmp_path: Path, clock: FakeClock
) -> None:
    """Google answers 403 PERMISSION_DENIED for a file that exists but is not shared with the
    caller (404 is only for ids that exist nowhere); Hive then says to ask the owner."""
    from sheets_backend.errors import SheetsAccessDenied
    from sheets_backend.sheets.gateway import SheetsGateway, local_client

    path = teacher_file(tmp_path / "theirs.xlsx")
    service = LocalSheets()
    sid = service.open_workbook(path, owner="colleague@school.example")
    http = make_client(service, clock).http_client
    error = pytest.raises(gspread.exceptions.APIError, http.fetch_sheet_metadata, sid).value
    assert error.response.status_code == 403
    assert error.response.json()["error"]["status"] == "PERMISSION_DENIED"
    with pytest.raises(SheetsAccessDenied, match="Ask its owner to share it with you"):
        SheetsGateway(local_client(service), sid).read_snapshot()
    missing = pytest.raises(gspread.exceptions.APIError, http.fetch_sheet_metadata, "nowhere")
    assert missing.value.response.status_code == 404
    # Once the colleague shares it, the caller reads it.
    item = service.drive._file(sid)
    item.grants = [*item.grants, Grant("user", "writer", email=service.owner)]
    assert http.fetch_sheet_metadata(sid)["properties"]["title"] == "theirs"


def test_local_logs_name_a_spreadsheet_by_its_short_hash(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = teacher_file(tmp_path / "1SecretSpreadsheetId.xlsx")
    with caplog.at_level(logging.INFO, logger="sheets_backend.sheets.local"):
        LocalSheets().open_workbook(path)
    record = next(r for r in caplog.records if r.getMessage() == "local workbook opened")
    assert record.sheet == hashlib.sha256(b"1SecretSpreadsheetId").hexdigest()[:12]
    assert all("1SecretSpreadsheetId" not in str(vars(r)) for r in caplog.records)


def test_a_chartsheet_hive_does_not_model_is_kept(tmp_path: Path, clock: FakeClock) -> None:
    import openpyxl
    from openpyxl.chart import BarChart, Reference

    book = openpyxl.Workbook()
    book.active.title = "Scores"
    for row in (["s1", 3], ["s2", 4]):
        book.active.append(row)
    chart = BarChart()
    chart.add_data(Reference(book.active, min_col=2, min_row=1, max_row=2))
    book.create_chartsheet("Chart").add_chart(chart)
    book.save(tmp_path / "class.xlsx")
    with zipfile.ZipFile(tmp_path / "class.xlsx") as z:
        before = {n: z.read(n) for n in z.namelist() if "chart" in n}
    service, sid = reopen(tmp_path / "class.xlsx")
    hive_writes(service, sid, clock)
    with zipfile.ZipFile(tmp_path / "class.xlsx") as z:
        assert {n: z.read(n) for n in z.namelist() if "chart" in n} == before
    again = openpyxl.load_workbook(tmp_path / "class.xlsx")
    assert again.sheetnames == ["Scores", "Mastery", "Chart", "_hive_meta"]
    assert len(again["Chart"]._charts) == 1


def test_widths_and_font_sizes_set_through_the_api_survive_a_save(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = teacher_file(tmp_path / "book.xlsx")
    service = LocalSheets()
    sid = service.open_workbook(path)
    http = make_client(service, clock).http_client
    sheet_id = http.fetch_sheet_metadata(sid)["sheets"][0]["properties"]["sheetId"]
    http.batch_update(sid, {"requests": [
        {"updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 3},
            "properties": {"pixelSize": 240}, "fields": "pixelSize"}},
        {"repeatCell": {
            "range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1,
                      "startColumnIndex": 0, "endColumnIndex": 1},
            "cell": {"userEnteredFormat": {"textFormat": {"bold": True, "fontSize": 14}}},
            "fields": "userEnteredFormat.textFormat"}},
    ]})
    again = LocalSheets()
    sid = again.open_workbook(path)
    reply = make_client(again, clock).http_client.fetch_sheet_metadata(sid, params={
        "includeGridData": "true", "ranges": ["Scores!A1:D1"],
        "fields": "sheets(data(rowData.values.userEnteredFormat.textFormat,"
                  "columnMetadata.pixelSize))"})
    data = reply["sheets"][0]["data"][0]
    assert [m["pixelSize"] for m in data["columnMetadata"][:4]] == [100, 240, 240, 100]
    assert data["rowData"][0]["values"][0]["userEnteredFormat"]["textFormat"] == {
        "bold": True, "fontSize": 14}


def test_a_second_recompute_of_a_saved_file_writes_nothing(tmp_path: Path) -> None:
    from sheets_backend.demo import write_demo_gradebook
    from sheets_backend.recompute import recompute
    from sheets_backend.sheets.gateway import SheetsGateway, local_client

    path = write_demo_gradebook(tmp_path / "gradebook.xlsx")
    counts = []
    for _ in range(3):  # each time from the file, as the CLI does
        service = LocalSheets()
        gateway = SheetsGateway(local_client(service), service.open_workbook(path))
        counts.append(recompute(gateway).api_calls["write"])
    assert counts[0] >= 1 and counts[1:] == [0, 0]


def test_saving_at_the_end_saves_once_and_a_failed_command_not_at_all(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = teacher_file(tmp_path / "book.xlsx")
    original = path.read_bytes()
    service = LocalSheets()
    sid = service.open_workbook(path)  # autosaved: each call would save
    http = make_client(service, clock).http_client
    raw = {"valueInputOption": "RAW"}
    with service.saving_at_the_end():
        http.values_update(sid, "Scores!B2", params=raw, body={"values": [[1]]})
        http.values_update(sid, "Scores!C2", params=raw, body={"values": [[2]]})
        assert path.read_bytes() == original  # nothing written while the command runs
    assert cells_of(path)["Scores"][1][(2, 2)].value == 1
    assert cells_of(path)["Scores"][1][(2, 3)].value == 2
    saved = path.read_bytes()
    with pytest.raises(RuntimeError), service.saving_at_the_end():
        http.values_update(sid, "Scores!B2", params=raw, body={"values": [[4]]})
        raise RuntimeError("the command failed part-way")
    assert path.read_bytes() == saved
