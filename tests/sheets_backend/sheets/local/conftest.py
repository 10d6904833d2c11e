"""Fixtures: a real LocalSheets service and a real gspread client talking HTTP to it."""

from __future__ import annotations

from typing import Any

import gspread
import pytest

from sheets_backend.sheets.local import LocalSheets
from sheets_backend.sheets.retry import bounded_retry_http_client

ROSTER = [["Student ID", "Name", "Joined"], ["s1", "Ann", 43831], ["s2", "Bo", 43832]]


class FakeClock:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service() -> LocalSheets:
    return LocalSheets()


@pytest.fixture
def sid(service: LocalSheets) -> str:
    return service.create_workbook_from_rows(
        {"Roster": ROSTER, "Student Summary": []}, spreadsheet_id="class"
    )


def make_client(service: LocalSheets, clock: FakeClock, **retry: Any) -> gspread.Client:
    http_client = bounded_retry_http_client(
        sleep=clock.sleep, clock=clock, jitter=lambda: 0.5, **retry
    )
    return gspread.Client(auth=None, session=service.session(), http_client=http_client)


@pytest.fixture
def http(service: LocalSheets, clock: FakeClock) -> Any:
    return make_client(service, clock).http_client
