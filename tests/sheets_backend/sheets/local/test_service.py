"""The endpoints Hive's gateway uses, through real gspread and real HTTP bodies."""

from __future__ import annotations

from typing import Any

import gspread
import pytest

from sheets_backend.sheets.local import LocalSheets

READ = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"}


def error_of(call: Any) -> dict[str, Any]:
    with pytest.raises(gspread.exceptions.APIError) as caught:
        call()
    return caught.value.response.json()["error"]


def test_batch_get_reads_whole_tabs_unformatted(http: Any, sid: str) -> None:
    reply = http.values_batch_get(sid, ["Roster", "'Student Summary'"], params=READ)
    roster, summary = reply["valueRanges"]
    assert roster == {
        "range": "Roster!A1:Z1000",
        "majorDimension": "ROWS",
        "values": [["Student ID", "Name", "Joined"], ["s1", "Ann", 43831], ["s2", "Bo", 43832]],
    }
    assert summary == {"range": "'Student Summary'!A1:Z1000", "majorDimension": "ROWS"}


def test_user_entered_dates_read_as_serials_or_strings(http: Any, sid: str) -> None:
    http.values_update(
        sid,
        "Roster!C2",
        params={"valueInputOption": "USER_ENTERED"},
        body={"values": [["2020-01-01"]]},
    )
    assert http.values_get(sid, "Roster!C2", params=READ)["values"] == [[43831]]
    formatted = http.values_get(sid, "Roster!C2")["values"]
    assert formatted == [["2020-01-01"]]


def test_string_starting_with_equals_stays_text(http: Any, sid: str) -> None:
    http.batch_update(
        sid,
        {
            "requests": [
                {
                    "updateCells": {
                        "start": {"sheetId": 0, "rowIndex": 5, "columnIndex": 0},
                        "rows": [
                            {
                                "values": [
                                    {"userEnteredValue": {"stringValue": "=1+1"}},
                                    {"userEnteredValue": {"formulaValue": "=1+1"}},
                                ]
                            }
                        ],
                        "fields": "userEnteredValue",
                    }
                }
            ]
        },
    )
    assert http.values_get(sid, "Roster!A6:B6", params=READ)["values"] == [["=1+1", 2]]
    formula = http.values_get(sid, "Roster!A6:B6", params={"valueRenderOption": "FORMULA"})
    assert formula["values"] == [["=1+1", "=1+1"]]


def test_failed_batch_update_changes_nothing(http: Any, sid: str, service: LocalSheets) -> None:
    before = http.fetch_sheet_metadata(sid)
    error = error_of(
        lambda: http.batch_update(
            sid,
            {
                "requests": [
                    {"addSheet": {"properties": {"title": "New"}}},
                    {"deleteSheet": {"sheetId": 999}},
                ]
            },
        )
    )
    assert error == {
        "code": 400,
        "status": "INVALID_ARGUMENT",
        "message": "Invalid requests[1].deleteSheet: No sheet with id: 999",
    }
    assert http.fetch_sheet_metadata(sid) == before


def test_unknown_field_is_googles_invalid_argument(http: Any, sid: str) -> None:
    error = error_of(
        lambda: http.batch_update(sid, {"requests": [{"updateCells": {"foo": 1, "fields": "*"}}]})
    )
    assert error["message"] == (
        "Invalid JSON payload received. Unknown name \"foo\" at 'requests[0].update_cells': "
        "Cannot find field."
    )
    assert error["details"][0]["fieldViolations"][0]["field"] == "requests[0].update_cells"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Nope!A1", "Unable to parse range: Nope!A1"),
        ("Roster!A1:B2:C3", "Unable to parse range: Roster!A1:B2:C3"),
        (
            "Roster!A1:AA1",
            "Range (Roster!A1:AA1) exceeds grid limits. Max rows: 1000, max columns: 26",
        ),
    ],
    ids=["unknown-tab", "garbled", "past-the-grid"],
)
def test_bad_ranges_are_400(http: Any, sid: str, text: str, message: str) -> None:
    error = error_of(lambda: http.values_get(sid, text))
    assert (error["code"], error["message"]) == (400, message)


def test_unknown_spreadsheet_is_404(http: Any) -> None:
    assert error_of(lambda: http.fetch_sheet_metadata("missing"))["code"] == 404


@pytest.mark.parametrize(
    "request_",
    [
        {"addSheet": {"properties": {"title": "roster"}}},
        {"updateSheetProperties": {"properties": {"sheetId": 1, "title": "ROSTER"},
                                   "fields": "title"}},
    ],
    ids=["addSheet", "updateSheetProperties"],
)
def test_tab_names_differing_only_in_case_are_refused_as_google_does(
    http: Any, sid: str, request_: dict[str, Any]
) -> None:
    error = error_of(lambda: http.batch_update(sid, {"requests": [request_]}))
    kind = next(iter(request_))
    title = request_[kind]["properties"]["title"]
    assert (error["code"], error["status"], error["message"]) == (
        400,
        "INVALID_ARGUMENT",
        f'Invalid requests[0].{kind}: A sheet with the name "{title}" already exists. '
        "Please enter another name.",
    )


def test_a_tab_may_change_the_case_of_its_own_name(http: Any, sid: str) -> None:
    http.batch_update(sid, {"requests": [{"updateSheetProperties": {
        "properties": {"sheetId": 0, "title": "ROSTER"}, "fields": "title"}}]})
    assert [s["properties"]["title"] for s in http.fetch_sheet_metadata(sid)["sheets"]] == [
        "ROSTER", "Student Summary"]


def test_add_sheet_honours_id_and_grid(http: Any, sid: str) -> None:
    reply = http.batch_update(
        sid,
        {
            "requests": [
                {
                    "addSheet": {
                        "properties": {
                            "sheetId": 42,
                            "title": "Hive Results",
                            "gridProperties": {
                                "rowCount": 5,
                                "columnCount": 3,
                                "frozenRowCount": 1,
                            },
                        }
                    }
                }
            ]
        },
    )
    assert reply["replies"][0]["addSheet"]["properties"] == {
        "sheetId": 42,
        "title": "Hive Results",
        "index": 2,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": 5, "columnCount": 3, "frozenRowCount": 1},
    }


def test_protected_ranges_round_trip_through_metadata(http: Any, sid: str) -> None:
    reply = http.batch_update(
        sid,
        {
            "requests": [
                {
                    "addProtectedRange": {
                        "protectedRange": {
                            "range": {"sheetId": 1},
                            "description": "Hive writes here",
                            "warningOnly": True,
                        }
                    }
                }
            ]
        },
    )
    added = reply["replies"][0]["addProtectedRange"]["protectedRange"]
    meta = http.fetch_sheet_metadata(sid, params={"fields": "sheets(properties,protectedRanges)"})
    listed = meta["sheets"][1]["protectedRanges"][0]
    assert listed["protectedRangeId"] == added["protectedRangeId"]
    assert (listed["description"], listed["warningOnly"]) == ("Hive writes here", True)
    http.batch_update(
        sid,
        {"requests": [{"deleteProtectedRange": {"protectedRangeId": added["protectedRangeId"]}}]},
    )
    meta = http.fetch_sheet_metadata(sid, params={"fields": "sheets(properties,protectedRanges)"})
    assert "protectedRanges" not in meta["sheets"][1]


def test_star_mask_clears_what_the_cell_data_leaves_out(http: Any, sid: str) -> None:
    rng = {
        "sheetId": 0,
        "startRowIndex": 1,
        "endRowIndex": 2,
        "startColumnIndex": 0,
        "endColumnIndex": 1,
    }
    http.batch_update(
        sid,
        {
            "requests": [
                {
                    "repeatCell": {
                        "range": rng,
                        "cell": {
                            "note": "why",
                            "userEnteredFormat": {
                                "backgroundColorStyle": {"rgbColor": {"red": 1}},
                                "textFormat": {"bold": True},
                            },
                        },
                        "fields": "note,userEnteredFormat",
                    }
                }
            ]
        },
    )
    params = {"ranges": "Roster!A2", "fields": "sheets.data.rowData.values(note,userEnteredFormat)"}
    cell = http.fetch_sheet_metadata(sid, params=params)["sheets"][0]["data"][0]["rowData"][0]
    assert cell["values"][0] == {
        "note": "why",
        "userEnteredFormat": {
            "backgroundColor": {"red": 1},
            "backgroundColorStyle": {"rgbColor": {"red": 1}},
            "textFormat": {"bold": True},
        },
    }
    http.batch_update(
        sid,
        {
            "requests": [
                {
                    "updateCells": {
                        "range": rng,
                        "rows": [{"values": [{"userEnteredValue": {"numberValue": 3}}]}],
                        "fields": "*",
                    }
                }
            ]
        },
    )
    data = http.fetch_sheet_metadata(sid, params=params)["sheets"][0]["data"][0]
    assert data == {}  # nothing left to show: Google trims empty cells and rows away
    assert http.values_get(sid, "Roster!A2", params=READ)["values"] == [[3]]


def test_gspread_worksheets_work_end_to_end(service: LocalSheets, sid: str) -> None:
    client = gspread.Client(auth=None, session=service.session())
    sheet = client.open_by_key(sid)
    assert [w.title for w in sheet.worksheets()] == ["Roster", "Student Summary"]
    sheet.worksheet("Student Summary").update([["a", 1]], "A1")
    assert sheet.worksheet("Student Summary").get_all_values() == [["a", "1"]]


def test_update_protected_range_changes_only_the_named_fields(http: Any, sid: str) -> None:
    meta = http.fetch_sheet_metadata(sid)
    sheet_id = meta["sheets"][0]["properties"]["sheetId"]
    added = http.batch_update(sid, {"requests": [{"addProtectedRange": {"protectedRange": {
        "range": {"sheetId": sheet_id}, "description": "before", "warningOnly": True}}}]})
    pid = added["replies"][0]["addProtectedRange"]["protectedRange"]["protectedRangeId"]
    reply = http.batch_update(sid, {"requests": [{"updateProtectedRange": {
        "protectedRange": {"protectedRangeId": pid, "description": "after", "warningOnly": False},
        "fields": "description"}}]})
    assert reply["replies"] == [{}]
    [kept] = http.fetch_sheet_metadata(sid)["sheets"][0]["protectedRanges"]
    assert (kept["protectedRangeId"], kept["description"], kept["warningOnly"]) == (
        pid, "after", True)
    missing = error_of(lambda: http.batch_update(sid, {"requests": [{"updateProtectedRange": {
        "protectedRange": {"protectedRangeId": pid + 1, "description": "x"},
        "fields": "description"}}]}))
    assert missing["code"] == 400 and f"No protected range with id: {pid + 1}" in missing["message"]
    no_fields = error_of(lambda: http.batch_update(sid, {"requests": [{"updateProtectedRange": {
        "protectedRange": {"protectedRangeId": pid, "description": "x"}}}]}))
    assert no_fields["code"] == 400 and "'fields' is required" in no_fields["message"]


# --- request bodies on the wire -----------------------------------------------------------------

def _post(http: Any, sid: str, body: bytes, encoding: str | None) -> Any:
    headers = {"Content-Type": "application/json"}
    if encoding is not None:
        headers["Content-Encoding"] = encoding
    return http.request("post", gspread.urls.SPREADSHEET_BATCH_UPDATE_URL % sid, data=body,
                        headers=headers)


def test_a_gzip_body_is_applied_like_the_same_json(http: Any, sid: str) -> None:
    import gzip

    import orjson

    body = orjson.dumps({"requests": [{"addSheet": {"properties": {"title": "Zipped"}}}]})
    reply = _post(http, sid, gzip.compress(body), "gzip").json()
    assert reply["replies"][0]["addSheet"]["properties"]["title"] == "Zipped"
    titles = [s["properties"]["title"] for s in http.fetch_sheet_metadata(sid)["sheets"]]
    assert "Zipped" in titles


@pytest.mark.parametrize(("body", "encoding", "message"), [
    (b"\x1f\x8b not really gzip", "gzip", "Invalid gzip-compressed request body."),
    (b'{"requests": []}', "br", "Unsupported Content-Encoding: br"),
])
def test_a_body_google_could_not_decode_is_refused_and_nothing_changes(
    http: Any, sid: str, body: bytes, encoding: str, message: str
) -> None:
    before = http.fetch_sheet_metadata(sid)
    error = error_of(lambda: _post(http, sid, body, encoding))
    assert error == {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}
    assert http.fetch_sheet_metadata(sid) == before
