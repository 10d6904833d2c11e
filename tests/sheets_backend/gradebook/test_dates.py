"""Dates as teachers type them: out of range, with a time zone, without a year. Each is a warning
at its cell, never a traceback, and every other cell still counts."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from workbooks import recompute_workbook, snapshot_of

from sheets_backend.gradebook.dates import DateReader
from sheets_backend.gradebook.template import read_gradebook
from sheets_backend.problems import Reason
from sheets_backend.recompute import evaluate_book

EVIDENCE_HEADER = ["Student ID", "Outcome ID", "Date", "Score"]
OVERRIDES_HEADER = ["Student ID", "Outcome ID", "Status", "Reason", "Date"]


def problems_of(tabs):
    book = read_gradebook(snapshot_of(tabs))
    evaluate_book(book)  # the engine takes what the reader kept, without a traceback
    return book, {p.cell: p for p in book.problems}


def put(tabs, where: str, value) -> str:
    """Put `value` in the date cell of Scores, Evidence or Overrides; the cell it landed in."""
    if where == "Scores":
        tabs["Scores"][2][3] = value  # Exit Ticket 1's date
        return "Scores!D3"
    if where == "Evidence":
        tabs["Evidence"] = [EVIDENCE_HEADER, ["S1", "M1", value, 2],
                            ["S2", "M1", datetime(2026, 9, 22), 3]]
        return "Evidence!C2"
    tabs["Overrides"] = [OVERRIDES_HEADER, ["S1", "M1", "Mastered", "portfolio", value]]
    return "Overrides!E2"


TABS = ("Scores", "Evidence", "Overrides")


@pytest.mark.parametrize("where", TABS)
@pytest.mark.parametrize(
    "value",
    ["1500-01-01", "2300-05-01", "9999-12-31", "1677-01-01", 150_000, 2_958_465, 3_000_000],
    ids=lambda v: str(v),
)
def test_a_date_out_of_range_is_a_bad_date_at_its_cell(base_tabs, where, value):
    cell = put(base_tabs, where, value)
    book, found = problems_of(base_tabs)
    assert cell in found, sorted(found)
    assert found[cell].reason is (Reason.OVERRIDE if where == "Overrides" else Reason.BAD_DATE)
    assert f'"{value}" is not a date Hive can use (years 1678 to 2261' in found[cell].message
    assert not found[cell].fatal
    assert "Scores!C5" in set(book.evidence["cell"])  # the other cells still count


@pytest.mark.parametrize("where", TABS)
@pytest.mark.parametrize("value", ["2026-10-03T10:00:00Z", "2026-10-03T23:30:00-05:00",
                                   "2026-10-03 10:00 EST"])
def test_a_date_with_a_time_zone_counts_as_the_date_typed_with_a_warning(base_tabs, where, value):
    cell = put(base_tabs, where, value)
    book, found = problems_of(base_tabs)
    assert found[cell].reason is Reason.DATE_TIME_ZONE, sorted(found)
    assert "Oct 3, 2026" in found[cell].message
    if where == "Overrides":
        assert book.overrides["date"].tolist() == [datetime(2026, 10, 3)]
    else:
        dated = book.evidence.set_index("cell")["date"]
        first = "Scores!D5" if where == "Scores" else "Evidence!D2"
        assert dated[first] == datetime(2026, 10, 3)


def test_a_time_zone_date_through_a_real_recompute_writes(workbook, base_tabs):
    base_tabs["Evidence"] = [EVIDENCE_HEADER, ["S1", "M1", "2026-10-03T10:00:00Z", 4]]
    summary = recompute_workbook(workbook(base_tabs))
    assert summary.written
    assert [(w.cell, w.reason) for w in summary.warnings] == [
        ("Evidence!C2", Reason.DATE_TIME_ZONE)]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("Sept 9", datetime(2026, 9, 9)), ("10/6", datetime(2026, 10, 6)),
     ("Feb 3", datetime(2027, 2, 3)), ("7/30", datetime(2027, 7, 30))],
)
def test_a_date_without_a_year_takes_the_gradebooks_school_year(base_tabs, typed, expected):
    # The gradebook's dates are Sept-Oct 2026, so its school year is 2026-27 whatever today is.
    base_tabs["Scores"][2][3] = typed
    book, found = problems_of(base_tabs)
    assert book.evidence.set_index("cell").loc["Scores!D5", "date"] == expected
    problem = found["Scores!D3"]
    assert problem.reason is Reason.DATE_WITHOUT_YEAR and not problem.fatal
    assert f"{expected:%b} {expected.day}, {expected.year}" in problem.message
    assert "2026-27" in problem.message and "School year starts" in problem.message


def test_a_year_less_date_never_sorts_after_a_later_retake(base_tabs):
    # With today in Feb 2027 the calendar year would make "Sept 9" a future date (Sept 2027),
    # after an October retake; the school year keeps it in Sept 2026.
    base_tabs["Evidence"] = [EVIDENCE_HEADER, ["S4", "M1", "Sept 9", 1],
                             ["S4", "M1", datetime(2026, 10, 20), 4]]
    book = read_gradebook(snapshot_of(base_tabs))
    dates = book.evidence.set_index("cell")["date"]
    assert dates["Evidence!D2"] == datetime(2026, 9, 9) < dates["Evidence!D3"]


def test_the_policy_tab_says_when_the_school_year_starts(base_tabs):
    base_tabs["Policy"] = [["Setting", "Default"], ["School year starts", "January"]]
    base_tabs["Scores"][2][3] = "Sept 9"  # in a January-December year of 2026
    book, found = problems_of(base_tabs)
    assert book.evidence.set_index("cell").loc["Scores!D5", "date"] == datetime(2026, 9, 9)
    assert "starts in January" in found["Scores!D3"].message
    assert "Policy!A2" not in found  # a known setting, not "not a setting"


def test_a_bad_school_year_start_is_a_warning_at_its_cell(base_tabs):
    base_tabs["Policy"] = [["Setting", "Default"], ["School year starts", "Smarch"]]
    _, found = problems_of(base_tabs)
    assert found["Policy!B2"].reason is Reason.POLICY_SETTING
    assert '"Smarch" is not a month' in found["Policy!B2"].message
    assert not found["Policy!B2"].fatal


def test_without_full_dates_the_school_year_is_the_one_holding_today():
    reader = DateReader.for_dates(["Sept 9", "", "M1"], today=date(2027, 2, 1))
    assert (reader.school_year, reader.inferred) == (2026, False)
    read = reader.read("Sept 9")
    assert read.day == datetime(2026, 9, 9) and "holding today" in read.message


def test_the_school_year_is_where_most_dates_fall():
    reader = DateReader.for_dates(["2025-09-01", "2026-09-01", "2026-10-01", 46300])
    assert reader.school_year == 2026 and reader.inferred


def test_feb_29_in_a_school_year_without_one_is_a_bad_date():
    read = DateReader(school_year=2026).read("Feb 29")
    assert read.day is None and read.reason is Reason.BAD_DATE
    assert "no Feb 29" in read.message


def test_a_blank_default_policy_header_with_another_policy_is_named_not_a_traceback(base_tabs):
    base_tabs["Policy"] = [["Setting", "", "Strict"], ["Method", "latest", "latest"]]
    base_tabs["Outcomes"][0].append("Policy")
    base_tabs["Outcomes"][1].append("Strict")
    book = read_gradebook(snapshot_of(base_tabs))
    at_b1 = [p for p in book.problems if p.cell == "Policy!B1"]
    assert all(p.reason is Reason.POLICY_SETTING and p.fatal for p in at_b1)
    assert any('should be "Default"' in p.message for p in at_b1)
    assert [o.policy for o in book.outcomes] == ["Strict", "Default", "Default"]


def test_a_score_beside_a_mark_that_is_no_flag_says_only_a_flag_may_stand_there(base_tabs):
    base_tabs["Scores"][5][3] = "4 AB"
    _, found = problems_of(base_tabs)
    message = found["Scores!D6"].message
    assert "only a flag mark (L) may stand beside a score" in message
    assert 'as in "4 L"' in message and "type 4 or AB alone" in message
