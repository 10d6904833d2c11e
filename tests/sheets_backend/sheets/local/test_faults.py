"""Injected failures against the bounded retry client, and all-or-nothing writes on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gspread
import pytest
import requests

from sheets_backend.errors import SheetsUnavailable
from sheets_backend.sheets.local import LocalSheets
from tests.sheets_backend.sheets.local.conftest import FakeClock, make_client


@pytest.mark.parametrize("status", [429, 500, 503])
def test_bounded_retry_recovers_from_a_short_burst(
    service: LocalSheets, sid: str, clock: FakeClock, status: int
) -> None:
    service.faults.fail_next(status=status, count=2)
    http = make_client(service, clock, max_attempts=4, base_delay=0.2, budget=10.0).http_client
    assert http.fetch_sheet_metadata(sid)["spreadsheetId"] == sid
    assert clock.sleeps == [0.2, 0.4]


def test_persistent_429_ends_in_sheets_unavailable(
    service: LocalSheets, sid: str, clock: FakeClock
) -> None:
    service.faults.fail_next(status=429, count=100)
    http = make_client(service, clock, max_attempts=4, base_delay=0.2, budget=10.0).http_client
    with pytest.raises(SheetsUnavailable):
        http.fetch_sheet_metadata(sid)
    assert len(clock.sleeps) == 3 and clock.now <= 10.0
    assert service.faults.pending == 96


def test_time_budget_stops_retries_before_max_attempts(
    service: LocalSheets, sid: str, clock: FakeClock
) -> None:
    service.faults.fail_next(status=503, count=100)
    http = make_client(service, clock, max_attempts=50, base_delay=1.0, budget=5.0).http_client
    with pytest.raises(SheetsUnavailable):
        http.fetch_sheet_metadata(sid)
    assert clock.now <= 5.0


def test_client_errors_are_not_retried(service: LocalSheets, clock: FakeClock) -> None:
    http = make_client(service, clock).http_client
    with pytest.raises(gspread.exceptions.APIError):
        http.fetch_sheet_metadata("missing")
    assert clock.sleeps == []


def test_connection_errors_are_retried(clock: FakeClock) -> None:
    class Refusing(requests.adapters.BaseAdapter):
        calls = 0

        def send(self, request: Any, **kwargs: Any) -> Any:
            Refusing.calls += 1
            raise requests.ConnectionError("refused")

        def close(self) -> None:
            pass

    session = requests.Session()
    session.mount("https://", Refusing())
    from sheets_backend.sheets.retry import bounded_retry_http_client

    client_class = bounded_retry_http_client(max_attempts=3, sleep=clock.sleep, clock=clock)
    http = client_class(None, session)  # type: ignore[arg-type]
    with pytest.raises(SheetsUnavailable):
        http.fetch_sheet_metadata("x")
    assert Refusing.calls == 3


def test_fault_answers_with_googles_envelope(service: LocalSheets, sid: str) -> None:
    service.faults.fail_next(status=503)
    reply = service.session().get(f"https://sheets.googleapis.com/v4/spreadsheets/{sid}")
    assert reply.status_code == 503
    assert reply.json()["error"]["status"] == "UNAVAILABLE"


def test_delay_holds_each_call(clock: FakeClock) -> None:
    service = LocalSheets(sleep=clock.sleep)
    sid = service.create_workbook_from_rows({"A": [[1]]})
    service.faults.delay = 0.2
    service.session().get(f"https://sheets.googleapis.com/v4/spreadsheets/{sid}")
    assert clock.sleeps == [0.2]


def test_failing_batch_update_leaves_the_workbook_file_unchanged(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "class.xlsx"
    service = LocalSheets()
    sid = service.create_workbook_from_rows({"Roster": [["Student ID"], ["s1"]]}, path)
    before = path.read_bytes()
    http = make_client(service, clock).http_client
    with pytest.raises(gspread.exceptions.APIError):
        http.batch_update(
            sid,
            {
                "requests": [
                    {
                        "updateCells": {
                            "start": {"sheetId": 0},
                            "fields": "userEnteredValue",
                            "rows": [{"values": [{"userEnteredValue": {"stringValue": "x"}}]}],
                        }
                    },
                    {
                        "updateCells": {
                            "start": {"sheetId": 7},
                            "fields": "userEnteredValue",
                            "rows": [],
                        }
                    },
                ]
            },
        )
    assert path.read_bytes() == before
    http.batch_update(
        sid,
        {
            "requests": [
                {
                    "updateCells": {
                        "start": {"sheetId": 0},
                        "fields": "userEnteredValue",
                        "rows": [{"values": [{"userEnteredValue": {"stringValue": "x"}}]}],
                    }
                }
            ]
        },
    )
    assert path.read_bytes() != before
    reread = LocalSheets()
    assert reread.workbook(reread.open_workbook(path)).sheets[0].rows[0] == ["x"]
