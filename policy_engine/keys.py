"""Each evidence row's cell and date as integers, and the cell-then-date order of rows.

Made from runs and packed integer keys: a gradebook's evidence comes a student and an outcome at
a time, and its dates are days, so nothing here looks a row up or sorts text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from policy_engine import words
from policy_engine.words import Bools, Ints, Objects

NAT = np.iinfo(np.int64).min  # NaT, as an integer
_PER_UNIT = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


def nanoseconds(column: pd.Series) -> Ints:
    """Dates as ns since the epoch (NaT as `NAT`): for a numpy unit such as pandas' `us`, one
    multiplication, cheaper than pandas' checked conversion (which NaT and far dates still get)."""
    raw = column.to_numpy()
    unit, step = np.datetime_data(raw.dtype) if raw.dtype.kind == "M" else ("", 0)
    per = _PER_UNIT.get(unit, 0) * step
    if per and len(raw):
        ticks = raw.view(np.int64)
        limit = np.iinfo(np.int64).max // per
        if per == 1 or (-limit <= int(ticks.min()) and int(ticks.max()) <= limit):
            return np.asarray(ticks * per, dtype=np.int64)
    return np.asarray(column.to_numpy("datetime64[ns]").view(np.int64), dtype=np.int64)


def cells(students: pd.Index, outcomes: pd.Index, ev: pd.DataFrame) -> Ints:
    """Each row's cell (student position x outcomes + outcome position; -1 for a student or an
    outcome not asked for), looked up once per run of equal (student, outcome).

    Evidence comes a student and an outcome at a time, so runs are long and few, and their
    values repeat (each student's outcomes): each distinct value is looked up once.

    >>> ev = pd.DataFrame({"student_id": ["s1", "s1", "s2", "s9"], "outcome_id": ["o1", "o2", "o2", "o1"]})
    >>> cells(pd.Index(["s1", "s2"]), pd.Index(["o1", "o2"]), ev).tolist()
    [0, 1, 3, -1]
    """
    student = ev["student_id"].to_numpy(object)
    outcome = ev["outcome_id"].to_numpy(object)
    n = len(student)
    if n >= 2:
        s_new, o_new = _run_starts(student), _run_starts(outcome)
        heads = np.flatnonzero(s_new | o_new)
        if len(heads) * 4 <= n:
            s_at, o_at = s_new[heads], o_new[heads]  # which (student, outcome) runs start a run of each
            s_of, o_of = np.cumsum(s_at) - 1, np.cumsum(o_at) - 1
            s_run = _positions(students, student[heads[s_at]])[s_of]
            # Each student's outcomes usually come in one order: the second student's first
            # outcome run says how many runs a student has.
            second = np.flatnonzero(s_at[1:])[:1] + 1
            period = int(o_of[second[0]]) if len(second) else 0
            o_run = _positions(outcomes, outcome[heads[o_at]], period)[o_of]
            return np.repeat(_cell_of(s_run, o_run, len(outcomes)), np.diff(np.append(heads, n)))
    return _cell_of(_positions(students, student), _positions(outcomes, outcome), len(outcomes))


def _cell_of(s_code: Ints, o_code: Ints, n_outcomes: int) -> Ints:
    return np.asarray(np.where((s_code >= 0) & (o_code >= 0), s_code * n_outcomes + o_code, -1),
                      dtype=np.int64)


def _run_starts(values: Objects) -> Bools:
    """True where a run of equal values starts."""
    return np.concatenate(([True], np.asarray(values[1:] != values[:-1], dtype=bool)))


def _positions(index: pd.Index, values: Objects, period: int = 0) -> Ints:
    """Each value's position in `index` (-1 if absent), each distinct value looked up once.

    Values that repeat every `period` (checked) are looked up for one period only.
    """
    if 0 < period < len(values) and bool(np.all(values[period:] == values[:-period])):
        return _positions(index, values[:period])[np.arange(len(values)) % period]
    code, distinct = pd.factorize(values, use_na_sentinel=False)
    return np.asarray(index.get_indexer(distinct), dtype=np.int64)[np.asarray(code, dtype=np.int64)]


def cell_date_order(local: Ints, date: Ints, order: Ints, idx: Ints) -> Ints:
    """The permutation sorting rows `idx` by cell, then date, then sheet order (a stable sort).

    >>> day = words.DAY_NS
    >>> cell_date_order(np.array([1, 0, 0, 0]), np.array([day, 3 * day, 2 * day, 2 * day]),
    ...                 np.array([0, 1, 3, 2]), np.array([0, 1, 2, 3])).tolist()
    [3, 2, 1, 0]
    """
    if len(idx) < 2:
        return np.arange(len(idx), dtype=np.int64)
    cell, when = local[idx], date[idx]
    # One sort of a single integer key when (cell, day, order) fits in 63 bits: dates are days.
    day = when // words.DAY_NS
    if bool((day * words.DAY_NS == when).all()):
        low = int(day.min())
        span = int(day.max()) - low + 1
        key = cell * span
        key += day
        key -= low
        # Rows in sheet order already (the usual case) keep it through a stable sort.
        if not bool((order[1:] >= order[:-1]).all()):
            within = order[idx]
            o_low = int(within.min())
            o_span = int(within.max()) - o_low + 1
            if (int(cell.max()) + 1) * span * o_span >= 2**62:
                return np.lexsort((within, when, cell))
            key *= o_span
            key += within - o_low
        return _stable_argsort(key)
    return np.lexsort((order[idx], when, cell))


def _stable_argsort(key: Ints) -> Ints:
    """`np.argsort(key, kind="stable")` of a non-negative key (which it overwrites), as one plain
    sort of key and position packed together when both fit in 63 bits (a plain sort is quicker)."""
    bits = len(key).bit_length()
    if int(key.max()) >= 2 ** (63 - bits):
        return np.asarray(np.argsort(key, kind="stable"), dtype=np.int64)
    key <<= bits
    key |= np.arange(len(key), dtype=np.int64)
    key.sort()
    key &= (1 << bits) - 1
    return key


def tally(cell: Ints, mask: Bools, size: int) -> Ints:
    """How many rows of each cell `mask` holds: a sparse mask's rows are picked out first, any
    other mask counts as weights (picking out half the rows costs more than counting them all)."""
    if int(np.count_nonzero(mask)) * 8 < len(mask):
        counts = np.bincount(cell[mask], minlength=size)
    else:
        counts = np.bincount(cell, weights=mask, minlength=size)
    return counts.astype(np.int64, copy=False)
