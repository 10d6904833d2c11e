"""Dates as a teacher types them or Sheets sends them, read into days Hive can compute with.

A day must fall in the years pandas can hold (`FIRST_YEAR`..`LAST_YEAR`); a time zone is dropped
(the date as typed counts); a date typed without a year ("Sept 9", "10/6") takes its year from the
gradebook's school year, never from the calendar. Each assumption comes back as words for a
warning at the cell.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from dateutil import parser as date_parser
from dateutil import tz

from sheets_backend.problems import Reason

FIRST_YEAR, LAST_YEAR = 1678, 2261  # inside pandas' datetime64[ns] range (1677-09-21..2262-04-11)
DEFAULT_START_MONTH = 8  # August: a school year runs August to July unless the Policy tab says
_EPOCH = datetime(1899, 12, 30)  # day 0 of Google's (and Excel's) date serial numbers
# A typed date has digits joined by a separator (10/3, 2026-10-03) or names a month (Oct 3).
_LOOKS_LIKE_DATE = re.compile(
    r"\d+\s*[/.\-]\s*\d+|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*\d", re.I
)
# Two leap years as parser defaults: a result whose year follows the default had no year typed.
_PROBE_YEARS = (2000, 2004)
_LAST_SERIAL = 2_958_465  # 9999-12-31, the last day a serial number can name


@dataclass(frozen=True)
class DateRead:
    """One cell read as a date. `day` is None when it is not one; `message` says why (for a bad
    date) or what Hive assumed (for a `reason` other than BAD_DATE)."""

    day: pd.Timestamp | None
    reason: Reason | None = None
    message: str = ""


@dataclass(frozen=True)
class _Typed:
    """What a cell holds before a school year is known."""

    when: datetime | None = None  # a full date
    month_day: tuple[int, int] | None = None  # typed without a year
    zone: bool = False
    out_of_range: bool = False


def _typed(value: Any) -> _Typed | None:
    """A cell's date parts, or None when it is no date at all."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float):
        if value != value or value < 1:
            return None  # NaN, 0 and below: never a school date
        if value > _LAST_SERIAL:
            return _Typed(out_of_range=True)
        return _in_range(_EPOCH + timedelta(days=int(value)))
    typed = str(value).strip()
    if not _LOOKS_LIKE_DATE.search(typed):
        return None  # "3" or "M1" are not dates, whatever a lenient parser would make of them
    try:
        first, second = (
            date_parser.parse(typed, default=datetime(year, 1, 1), tzinfos=_any_zone)
            for year in _PROBE_YEARS
        )
    except (ValueError, OverflowError, TypeError):
        return None
    zone = first.tzinfo is not None
    if first.year != second.year:
        return _Typed(month_day=(first.month, first.day), zone=zone)
    parts = _in_range(first.replace(tzinfo=None))
    return _Typed(when=parts.when, zone=zone, out_of_range=parts.out_of_range)


def _any_zone(name: str | None, offset: int | None) -> tz.tzoffset | None:
    # Any zone name is accepted (and then dropped): an unknown one must not raise a warning.
    # dateutil also asks with neither a name nor an offset: that is no zone at all.
    return None if name is None and offset is None else tz.tzoffset(name, offset or 0)


def _in_range(when: datetime) -> _Typed:
    if not FIRST_YEAR <= when.year <= LAST_YEAR:
        return _Typed(out_of_range=True)
    return _Typed(when=when)


def _school_year(when: datetime | date, start_month: int) -> int:
    """The calendar year the school year holding `when` starts in."""
    return when.year if when.month >= start_month else when.year - 1


@dataclass(frozen=True)
class DateReader:
    """Reads date cells for one gradebook. `school_year` is the calendar year its school year
    starts in (`start_month` of it); `inferred` says it came from the gradebook's own dates."""

    school_year: int
    start_month: int = DEFAULT_START_MONTH
    inferred: bool = False

    @classmethod
    def for_dates(
        cls, values: Iterable[Any], start_month: int = DEFAULT_START_MONTH,
        today: date | None = None,
    ) -> DateReader:
        """The reader for a gradebook whose date cells are `values`: its school year is the one
        most of its distinct full dates fall in (the latest on a tie), else the one holding
        `today`."""
        distinct = {_key(v): v for v in values}  # each distinct date counts once
        years = Counter(
            _school_year(parts.when, start_month)
            for parts in map(_typed, distinct.values())
            if parts is not None and parts.when is not None
        )
        if years:
            best = max(years.items(), key=lambda item: (item[1], item[0]))[0]
            return cls(best, start_month, inferred=True)
        return cls(_school_year(today or date.today(), start_month), start_month)

    def read(self, value: Any) -> DateRead:
        """One cell: its day, or why it is not one, and any assumption Hive made."""
        parts = _typed(value)
        shown = _shown(value)
        if parts is None:
            return DateRead(None, Reason.BAD_DATE, f'"{shown}" is not a date')
        if parts.out_of_range:
            return DateRead(None, Reason.BAD_DATE,
                            f'"{shown}" is not a date Hive can use (years {FIRST_YEAR} to '
                            f"{LAST_YEAR}; check the year)")
        if parts.month_day is not None:
            return self._year_less(shown, *parts.month_day)
        assert parts.when is not None
        day = pd.Timestamp(parts.when).normalize()
        if parts.zone:
            return DateRead(day, Reason.DATE_TIME_ZONE,
                            f'"{shown}" has a time zone; Hive used the date as typed, '
                            f"{_words(day)} (type the date alone to drop this warning)")
        return DateRead(day)

    def read_many(self, values: Iterable[Any]) -> list[DateRead]:
        """`read` over many cells, reading each distinct value once."""
        cache: dict[tuple[type, Any], DateRead] = {}
        out = []
        for value in values:
            key = _key(value)
            if key not in cache:
                cache[key] = self.read(value)
            out.append(cache[key])
        return out

    def _year_less(self, shown: str, month: int, day: int) -> DateRead:
        year = self.school_year + (0 if month >= self.start_month else 1)
        span = f"{self.school_year}-{str(self.school_year + 1)[-2:]}"
        whose = "of the gradebook's other dates" if self.inferred else "holding today"
        starts = calendar.month_name[self.start_month]
        try:
            when = pd.Timestamp(year, month, day)
        except ValueError:
            return DateRead(None, Reason.BAD_DATE,
                            f'"{shown}" has no year, and the school year {span} {whose} has no '
                            f"{calendar.month_abbr[month]} {day}")
        return DateRead(when, Reason.DATE_WITHOUT_YEAR,
                        f'"{shown}" has no year; Hive read it as {_words(when)}, in the school '
                        f'year {span} {whose} (it starts in {starts}: "School year starts" on the '
                        "Policy tab); type the year to drop this warning")


def _key(value: Any) -> tuple[type, Any]:
    return (type(value), value)


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _words(day: pd.Timestamp) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def month_number(value: Any) -> int | None:
    """`August`, `Aug`, `8` (or a date in that month, `Aug 15`) -> 8; None when it is no month."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() and 1 <= value <= 12 else None
    word = str(value).strip().lower().rstrip(".")
    if word.isdigit():
        return int(word) if 1 <= int(word) <= 12 else None
    for number in range(1, 13):
        names = (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
        if word in names or (len(word) >= 3 and names[0].startswith(word)):
            return number
    parts = _typed(value)
    if parts is not None and parts.month_day is not None:
        return parts.month_day[0]
    return None
