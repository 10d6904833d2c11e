"""The optional `Overrides` tab: a teacher's judgement over the calculation, each with a reason.

Every bad row is a warning naming its cell, and is skipped; a good row becomes one row of the
override frame `policy_engine.apply_overrides` takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from policy_engine import Policy, Status, empty_overrides
from sheets_backend.gradebook.cells import Headers, column_values, find_headers, is_blank, text
from sheets_backend.gradebook.dates import DateReader
from sheets_backend.problems import Problem, Reason, cell_ref
from sheets_backend.sheets.snapshot import Tab, normalise_name

OVERRIDES = "Overrides"
OPTIONAL = ("Status", "Level", "Date", "Teacher")
_STATUS_WORDS = {
    "mastered": Status.MASTERED,
    "met": Status.MASTERED,
    "on track": Status.ON_TRACK,
    "not yet": Status.NOT_YET,
}


def read_overrides(
    tab: Tab | None,
    student_ids: set[str],
    outcome_policies: Mapping[str, Policy],
    problems: list[Problem],
    *,
    dates: DateReader | None = None,
) -> pd.DataFrame:
    """Student ID, Outcome ID, Status or Level, Reason, Date, Teacher -> the override frame.

    A status is a band's words (Mastered, On track, Not Yet, or the policy's own words); a level
    is a number on the outcome's scale. One column headed `Status or Level` may hold either.
    """
    if tab is None:
        return empty_overrides()
    headers, header_problems = find_headers(
        tab,
        ("Student ID", "Outcome ID", "Reason"),
        OPTIONAL,
        aliases={"Status": ("Status or Level", "Override", "Status/Level")},
    )
    if header_problems or not ({"Status", "Level"} & set(headers.columns)):
        problems.extend(
            Problem(p.cell, Reason.OVERRIDE, p.message + "; no override was applied")
            for p in header_problems
        )
        if not header_problems:
            problems.append(Problem(cell_ref(tab.title, 1, 1), Reason.OVERRIDE,
                                    'the Overrides tab has no "Status" or "Level" column; '
                                    "no override was applied"))
        return empty_overrides()
    columns = {name: column_values(tab, col, 1) for name, col in headers.columns.items()}
    dates = dates or DateReader.for_dates(())
    rows = []
    for i in range(len(columns["Student ID"])):
        cells = {name: values[i] for name, values in columns.items()}
        if all(is_blank(v) for v in cells.values()):
            continue  # an empty row
        row = _read_row(i + 1, cells, headers, student_ids, outcome_policies, problems, dates)
        if row is not None:
            rows.append(row)
    if not rows:
        return empty_overrides()
    frame = pd.DataFrame(rows, columns=list(empty_overrides().columns))
    frame["level"] = frame["level"].astype(np.float64)
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    return frame


def _read_row(
    row: int,
    cells: Mapping[str, Any],
    headers: Headers,
    student_ids: set[str],
    outcome_policies: Mapping[str, Policy],
    problems: list[Problem],
    dates: DateReader,
) -> dict[str, Any] | None:
    """One override, or None after naming the first thing wrong with it."""

    def bad(column: str, message: str) -> None:
        problems.append(Problem(headers.cell(row, column), Reason.OVERRIDE,
                                message + "; this override was not applied"))

    sid, oid = text(cells["Student ID"]), text(cells["Outcome ID"])
    if sid not in student_ids:
        bad("Student ID", f'Student ID "{sid}" is not on the Roster' if sid else "no Student ID")
        return None
    if oid not in outcome_policies:
        bad("Outcome ID", f'outcome "{oid}" is not on the Outcomes tab' if oid else "no Outcome ID")
        return None
    policy = outcome_policies[oid]
    status, level, where = _status_and_level(cells, policy)
    if isinstance(status, str) and status.startswith("!"):
        bad(where, status[1:])
        return None
    if is_blank(cells["Reason"]):
        bad("Reason", "an override needs a reason (families and colleagues read it)")
        return None
    raw_date = cells.get("Date", "")
    read = dates.read(raw_date) if "Date" in cells else None
    if read is None or read.day is None:
        if read is None:
            bad("Reason", 'the Overrides tab has no "Date" column; an override needs its date')
        else:
            shown = read.message if not is_blank(raw_date) else "no date"
            bad("Date", f"{shown}; an override needs the date it was made")
        return None
    day = read.day
    if read.reason is not None:
        problems.append(Problem(headers.cell(row, "Date"), read.reason, read.message))
    return {
        "student_id": sid,
        "outcome_id": oid,
        "status": status,
        "level": level,
        "reason": text(cells["Reason"]),
        "date": day,
        "teacher": text(cells.get("Teacher", "")),
        "cell": headers.cell(row, where),
    }


def _status_and_level(cells: Mapping[str, Any], policy: Policy) -> tuple[str, float, str]:
    """(status value or "", level or NaN, the column read); a problem as ("!message", NaN, col)."""
    scale = f"{policy.scale.minimum:g} to {policy.scale.maximum:g}"
    for column in ("Status", "Level"):
        raw = cells.get(column, "")
        if is_blank(raw):
            continue
        number = _number(raw)
        if number is not None:
            if not policy.scale.minimum <= number <= policy.scale.maximum:
                return f'!{text(raw)} is not a level on this scale ({scale})', np.nan, column
            return "", number, column
        if column == "Level":
            return f'!"{text(raw)}" is not a level (a number, {scale})', np.nan, column
        status = _status(text(raw), policy)
        if status is None:
            words = ", ".join(b.label for b in policy.bands)
            return f'!"{text(raw)}" is not a status ({words})', np.nan, column
        level = _number(cells.get("Level", ""))
        if level is not None and not policy.scale.minimum <= level <= policy.scale.maximum:
            return f'!{text(cells["Level"])} is not a level on this scale ({scale})', np.nan, "Level"
        return status.value, np.nan if level is None else level, column
    where = "Status" if "Status" in cells else "Level"
    return "!no status or level", np.nan, where


def _status(word: str, policy: Policy) -> Status | None:
    key = normalise_name(word)
    for band in policy.bands:
        if normalise_name(band.label) == key:
            return band.status
    return _STATUS_WORDS.get(key)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or is_blank(value):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def expired_problems(expired: pd.DataFrame) -> tuple[Problem, ...]:
    """A warning at each override that new evidence has outdated (the policy says it expires)."""
    return tuple(
        Problem(
            cell,
            Reason.OVERRIDE,
            f"this override ({_day(made)}) no longer applies: counted evidence dated "
            f"{_day(last)} came after it, and the policy says an override expires with new "
            "evidence; give it a new date to keep it",
        )
        for cell, made, last in zip(expired["cell"], expired["date"], expired["last_date"],
                                    strict=True)
    )


def _day(when: pd.Timestamp) -> str:
    return f"{when:%b} {when.day}"
