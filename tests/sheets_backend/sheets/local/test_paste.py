"""copyPaste, cutPaste, hidden tabs and updateCells from a start, as Hive's staged writes use them."""

from __future__ import annotations

from typing import Any

import gspread
import pytest
from gspread.urls import SPREADSHEET_BATCH_UPDATE_URL

FIELDS = ("sheets(properties(title,hidden),"
          "data.rowData.values(userEnteredValue,note,userEnteredFormat.backgroundColorStyle))")
RED = {"red": 1, "green": 0, "blue": 0}  # Google echoes it without the zeros


def batch(http: Any, sid: str, *requests: dict[str, Any]) -> dict[str, Any]:
    reply = http.request("post", SPREADSHEET_BATCH_UPDATE_URL % sid,
                         json={"requests": list(requests)})
    return dict(reply.json())


def cells(http: Any, sid: str, title: str) -> list[list[dict[str, Any]]]:
    reply = http.fetch_sheet_metadata(sid, params={"fields": FIELDS, "ranges": [title]})
    return [r.get("values", []) for r in reply["sheets"][0]["data"][0].get("rowData", [])]


def span(sheet_id: int, rows: int, cols: int) -> dict[str, int]:
    return {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": rows, "startColumnIndex": 0,
            "endColumnIndex": cols}


def test_a_hidden_tab_pasted_over_a_visible_one_brings_values_notes_colours_and_blanks(
    http: Any, sid: str
) -> None:
    batch(http, sid,
          {"addSheet": {"properties": {"sheetId": 77, "title": "stage", "hidden": True,
                                       "gridProperties": {"rowCount": 3, "columnCount": 3}}}},
          {"updateCells": {"start": {"sheetId": 77, "rowIndex": 0, "columnIndex": 0},
                           "rows": [{"values": [{"userEnteredValue": {"stringValue": "=not"},
                                                 "note": "why",
                                                 "userEnteredFormat": {"backgroundColorStyle": {
                                                     "rgbColor": RED}}}]}],
                           "fields": "userEnteredValue,note,userEnteredFormat"}})
    titles = {s["properties"]["title"]: s["properties"].get("hidden", False)
              for s in http.fetch_sheet_metadata(sid, params={"fields": "sheets.properties"})[
                  "sheets"]}
    assert titles["stage"] is True
    batch(http, sid, {"copyPaste": {"source": span(77, 3, 3), "destination": span(0, 3, 3),
                                    "pasteType": "PASTE_NORMAL", "pasteOrientation": "NORMAL"}},
          {"deleteSheet": {"sheetId": 77}})
    # Everything of the 3 x 3 source, blanks included: the old rows 2 and 3 are cleared.
    assert cells(http, sid, "Roster") == [[{
        "userEnteredValue": {"stringValue": "=not"}, "note": "why",
        "userEnteredFormat": {"backgroundColorStyle": {"rgbColor": {"red": 1}}}}]]
    assert "stage" not in {s["properties"]["title"] for s in http.fetch_sheet_metadata(
        sid, params={"fields": "sheets.properties"})["sheets"]}


def test_cut_paste_moves_cells_and_leaves_the_source_empty(http: Any, sid: str) -> None:
    batch(http, sid, {"cutPaste": {"source": span(0, 1, 1),
                                   "destination": {"sheetId": 0, "rowIndex": 0, "columnIndex": 4},
                                   "pasteType": "PASTE_NORMAL"}})
    first = cells(http, sid, "Roster")[0]
    assert first[0] == {} and first[4] == {"userEnteredValue": {"stringValue": "Student ID"}}


def test_update_cells_from_a_start_writes_only_the_cells_given(http: Any, sid: str) -> None:
    batch(http, sid, {"updateCells": {
        "start": {"sheetId": 0, "rowIndex": 0, "columnIndex": 1},
        "rows": [{"values": [{"note": "n"}]}, {}, {"values": [{}, {"note": "m"}]}],
        "fields": "note"}})
    roster = cells(http, sid, "Roster")
    assert roster[0][1] == {"userEnteredValue": {"stringValue": "Name"}, "note": "n"}
    assert roster[1][1] == {"userEnteredValue": {"stringValue": "Ann"}}  # an empty row: untouched
    assert roster[2][2] == {"userEnteredValue": {"numberValue": 43832}, "note": "m"}


def test_a_paste_past_the_grid_is_refused_like_google(http: Any, sid: str) -> None:
    with pytest.raises(gspread.exceptions.APIError) as caught:
        batch(http, sid, {"copyPaste": {"source": span(0, 3, 3),
                                        "destination": {"sheetId": 0, "startRowIndex": 999,
                                                        "endRowIndex": 1000,
                                                        "startColumnIndex": 0,
                                                        "endColumnIndex": 1}}})
    assert "exceeds grid limits" in caught.value.response.json()["error"]["message"]
