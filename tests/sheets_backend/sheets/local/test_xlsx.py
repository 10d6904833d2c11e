"""Workbooks survive save and load; files that are not workbooks say so."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from sheets_backend.errors import WorkbookInvalid
from sheets_backend.sheets.local import LocalSheets, xlsx
from tests.sheets_backend.sheets.local.conftest import FakeClock, make_client

GREEN = {"red": 0.7176471, "green": 0.88235295, "blue": 0.8039216}  # #B7E1CD, exact in 8 bits


def everything(service: LocalSheets, path: Path, clock: FakeClock) -> str:
    sid = service.create_workbook_from_rows(
        {"Roster": [["Student ID", "Name"], ["s1", "Ann"]], "Scores": [["Date", "Score"]]}, path
    )
    http = make_client(service, clock).http_client
    http.values_update(
        sid,
        "Scores!A2:B2",
        params={"valueInputOption": "USER_ENTERED"},
        body={"values": [["2024-09-03", "=1+2"]]},
    )
    http.batch_update(
        sid,
        {
            "requests": [
                {"addSheet": {"properties": {"sheetId": 9, "title": "Summary", "index": 0}}},
                {
                    "updateCells": {
                        "start": {"sheetId": 0, "rowIndex": 1, "columnIndex": 1},
                        "fields": "note,userEnteredFormat(backgroundColor,textFormat.bold)",
                        "rows": [
                            {
                                "values": [
                                    {
                                        "note": "new this term",
                                        "userEnteredFormat": {
                                            "backgroundColor": GREEN,
                                            "textFormat": {"bold": True},
                                        },
                                    }
                                ]
                            }
                        ],
                    }
                },
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": 1, "gridProperties": {"frozenRowCount": 1}},
                        "fields": "gridProperties.frozenRowCount",
                    }
                },
                {
                    "addProtectedRange": {
                        "protectedRange": {
                            "range": {"sheetId": 9},
                            "warningOnly": True,
                            "description": "Hive writes here",
                        }
                    }
                },
                {
                    "setDataValidation": {
                        "range": {
                            "sheetId": 1,
                            "startRowIndex": 1,
                            "endRowIndex": 3,
                            "startColumnIndex": 1,
                            "endColumnIndex": 2,
                        },
                        "rule": {
                            "condition": {
                                "type": "ONE_OF_LIST",
                                "values": [{"userEnteredValue": "NY"}, {"userEnteredValue": "EX"}],
                            },
                            "strict": True,
                            "showCustomUi": True,
                        },
                    }
                },
            ]
        },
    )
    return sid


def snapshot(service: LocalSheets, sid: str, clock: FakeClock) -> dict[str, Any]:
    http = make_client(service, clock).http_client
    meta = http.fetch_sheet_metadata(sid, params={"includeGridData": "true"})
    meta.pop("spreadsheetId")
    meta.pop("spreadsheetUrl")
    return meta


def test_round_trip_keeps_what_hive_relies_on(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "class.xlsx"
    first = LocalSheets()
    sid = everything(first, path, clock)
    second = LocalSheets()
    sid2 = second.open_workbook(path)
    assert sid2 == "class"
    assert snapshot(second, sid2, clock) == snapshot(first, sid, clock)
    second.save(sid2, tmp_path / "again.xlsx")
    third = LocalSheets()
    sid3 = third.open_workbook(tmp_path / "again.xlsx", spreadsheet_id="class")
    assert snapshot(third, sid3, clock) == snapshot(first, sid, clock)


def test_round_trip_details(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "class.xlsx"
    everything(LocalSheets(), path, clock)
    service = LocalSheets()
    book = service.workbook(service.open_workbook(path))
    assert [s.title for s in book.sheets] == ["Summary", "Roster", "Scores"]
    summary, roster, scores = book.sheets
    assert scores.rows[1][0] == 45538 and scores.formats[(1, 0)]["numberFormat"]["type"] == "DATE"
    assert scores.rows[1][1].text == "=1+2" and scores.rows[1][1].value == 3
    assert roster.notes[(1, 1)] == "new this term"
    assert roster.formats[(1, 1)]["backgroundColor"] == GREEN
    assert scores.frozen_rows == 1
    assert summary.sheet_id == 9 and summary.protected_ranges[0]["warningOnly"] is True
    assert scores.validations[(2, 1)]["condition"]["type"] == "ONE_OF_LIST"


def test_excel_file_without_hive_meta_loads(tmp_path: Path) -> None:
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Roster"
    ws.append(["Student ID", "Joined"])
    ws.append(["s1", __import__("datetime").date(2020, 1, 1)])
    ws["A2"].fill = PatternFill("solid", fgColor="FFFF0000")
    ws["A2"].comment = Comment("teacher note", "me")
    ws.freeze_panes = "A2"
    wb.create_sheet("Scores")
    wb.save(tmp_path / "plain.xlsx")
    service = LocalSheets()
    book = service.workbook(service.open_workbook(tmp_path / "plain.xlsx"))
    roster = book.sheets[0]
    assert roster.rows == [["Student ID", "Joined"], ["s1", 43831]]
    assert roster.formats[(1, 0)]["backgroundColor"] == {"red": 1}
    assert roster.notes[(1, 0)].startswith("teacher note")
    assert (roster.frozen_rows, [s.sheet_id for s in book.sheets]) == (1, [0, 1])


def test_from_folder_serves_every_workbook(tmp_path: Path) -> None:
    LocalSheets().create_workbook_from_rows({"A": [[1]]}, tmp_path / "one.xlsx")
    LocalSheets().create_workbook_from_rows({"B": [[2]]}, tmp_path / "two.xlsx")
    assert LocalSheets.from_folder(tmp_path).spreadsheet_ids == ["one", "two"]


def _encrypted(path: Path) -> None:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)


def _text(path: Path) -> None:
    path.write_text("Student ID,Name\ns1,Ann\n")


def _broken_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")


@pytest.mark.parametrize(
    ("make", "words"),
    [(_encrypted, "password protected"), (_text, "not an .xlsx"), (_broken_zip, "not a readable")],
    ids=["encrypted", "csv-text", "zip-without-workbook"],
)
def test_bad_files_are_workbook_invalid(tmp_path: Path, make: Any, words: str) -> None:
    path = tmp_path / "bad.xlsx"
    make(path)
    with pytest.raises(WorkbookInvalid, match=words):
        LocalSheets().open_workbook(path)


def test_too_many_cells_is_workbook_invalid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    for _ in range(20):
        wb.active.append(list(range(10)))
    wb.save(tmp_path / "big.xlsx")
    monkeypatch.setattr(xlsx, "MAX_CELLS", 100)
    with pytest.raises(WorkbookInvalid, match="200 cells"):
        LocalSheets().open_workbook(tmp_path / "big.xlsx")
