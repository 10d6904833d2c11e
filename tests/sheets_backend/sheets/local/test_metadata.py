"""Developer metadata in the local service: create, update, delete, search, get, and the .xlsx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gspread
import pytest

from sheets_backend.sheets.local import LocalSheets

from .conftest import ROSTER

API = "https://sheets.googleapis.com/v4/spreadsheets"


def _batch(http: Any, sid: str, *requests: dict[str, Any]) -> dict[str, Any]:
    reply: dict[str, Any] = http.request("post", f"{API}/{sid}:batchUpdate",
                                         json={"requests": list(requests)}).json()
    return reply


def _create(key: str, value: str, location: dict[str, Any] | None = None,
            **extra: Any) -> dict[str, Any]:
    return {"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": key, "metadataValue": value, "visibility": "PROJECT",
        "location": location or {"spreadsheet": True}, **extra}}}


def _search(http: Any, sid: str, **lookup: Any) -> list[dict[str, Any]]:
    reply = http.request("post", f"{API}/{sid}/developerMetadata:search",
                         json={"dataFilters": [{"developerMetadataLookup": lookup}]}).json()
    return [m["developerMetadata"] for m in reply.get("matchedDeveloperMetadata", [])]


def test_created_metadata_is_found_by_key_and_id(http: Any, sid: str) -> None:
    reply = _batch(http, sid, _create("hiveJob", "a"), _create("other", "b"))
    made = reply["replies"][0]["createDeveloperMetadata"]["developerMetadata"]
    assert made["location"] == {"locationType": "SPREADSHEET", "spreadsheet": True}
    assert [m["metadataValue"] for m in _search(http, sid, metadataKey="hiveJob")] == ["a"]
    got = http.request("get", f"{API}/{sid}/developerMetadata/{made['metadataId']}").json()
    assert got == made


def test_update_changes_only_the_masked_fields_of_the_matched_entries(http: Any, sid: str) -> None:
    _batch(http, sid, _create("hiveJob", "a", metadataId=7), _create("hiveJob", "b", metadataId=8))
    reply = _batch(http, sid, {"updateDeveloperMetadata": {
        "dataFilters": [{"developerMetadataLookup": {"metadataId": 7}}],
        "developerMetadata": {"metadataValue": "a2", "metadataKey": "ignored"},
        "fields": "metadataValue"}})
    assert [m["metadataValue"] for m in
            reply["replies"][0]["updateDeveloperMetadata"]["developerMetadata"]] == ["a2"]
    found = {m["metadataId"]: (m["metadataKey"], m["metadataValue"])
             for m in _search(http, sid, metadataKey="hiveJob")}
    assert found == {7: ("hiveJob", "a2"), 8: ("hiveJob", "b")}


def test_delete_removes_what_the_filter_selects(http: Any, sid: str) -> None:
    _batch(http, sid, _create("hiveJob", "a", metadataId=7), _create("hiveJob", "b", metadataId=8))
    reply = _batch(http, sid, {"deleteDeveloperMetadata": {
        "dataFilter": {"developerMetadataLookup": {"metadataValue": "a"}}}})
    gone = reply["replies"][0]["deleteDeveloperMetadata"]["deletedDeveloperMetadata"]
    assert [m["metadataId"] for m in gone] == [7]
    assert [m["metadataId"] for m in _search(http, sid, metadataKey="hiveJob")] == [8]
    missing = http.request  # a deleted id is Google's 404
    with pytest.raises(gspread.exceptions.APIError) as caught:
        missing("get", f"{API}/{sid}/developerMetadata/7")
    assert caught.value.response.status_code == 404


def test_a_taken_id_is_refused_and_nothing_of_the_batch_is_kept(http: Any, sid: str) -> None:
    _batch(http, sid, _create("k", "a", metadataId=7))
    with pytest.raises(gspread.exceptions.APIError) as caught:
        _batch(http, sid, _create("k", "b", metadataId=9), _create("k", "c", metadataId=7))
    assert "already exists" in str(caught.value)
    assert [m["metadataId"] for m in _search(http, sid, metadataKey="k")] == [7]


def test_unknown_fields_are_refused_by_the_discovery_document(http: Any, sid: str) -> None:
    with pytest.raises(gspread.exceptions.APIError) as caught:
        _batch(http, sid, {"createDeveloperMetadata": {"developerMetadata": {
            "metadataKey": "k", "visibility": "PROJECT", "location": {"spreadsheet": True},
            "metadataVal": "typo"}}})
    assert 'Unknown name "metadataVal"' in str(caught.value)


def test_spreadsheets_get_shows_spreadsheet_and_tab_metadata(
    http: Any, sid: str, service: LocalSheets
) -> None:
    tab = service.workbook(sid).sheets[0].sheet_id
    _batch(http, sid, _create("book", "1"), _create("tab", "2", {"sheetId": tab}))
    got = http.request("get", f"{API}/{sid}",
                       params={"fields": "developerMetadata,sheets(developerMetadata)"}).json()
    assert [m["metadataKey"] for m in got["developerMetadata"]] == ["book"]
    assert got["sheets"][0]["developerMetadata"][0]["location"] == {
        "locationType": "SHEET", "sheetId": tab}
    assert "developerMetadata" not in got["sheets"][1]


def test_metadata_survives_saving_and_reopening_the_xlsx(tmp_path: Path) -> None:
    service = LocalSheets()
    path = tmp_path / "class.xlsx"
    sid = service.create_workbook_from_rows({"Roster": ROSTER}, path)
    client = gspread.Client(auth=None, session=service.session())
    _batch(client.http_client, sid, _create("hiveJob", '{"done": 3}', metadataId=11))
    reopened = LocalSheets()
    reopened.open_workbook(path)
    assert reopened.workbook(sid).developer_metadata == [{
        "metadataId": 11, "metadataKey": "hiveJob", "metadataValue": '{"done": 3}',
        "location": {"locationType": "SPREADSHEET", "spreadsheet": True},
        "visibility": "PROJECT"}]
