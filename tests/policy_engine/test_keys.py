"""keys: each row's cell and date as integers, and the cell-then-date order, against plain pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_engine import keys, words

STUDENTS = pd.Index([f"S{i}" for i in range(6)], dtype=object)
OUTCOMES = pd.Index([f"O{i}" for i in range(4)], dtype=object)


def plain_cells(ev: pd.DataFrame) -> list[int]:
    s = STUDENTS.get_indexer(ev["student_id"])
    o = OUTCOMES.get_indexer(ev["outcome_id"])
    return np.where((s >= 0) & (o >= 0), s * len(OUTCOMES) + o, -1).tolist()


def grid(students: list[str], outcomes: list[str], each: int) -> pd.DataFrame:
    """Evidence a student, then an outcome, at a time (as a gradebook gives it)."""
    pairs = [(s, o) for s in students for o in outcomes for _ in range(each)]
    return pd.DataFrame(pairs, columns=["student_id", "outcome_id"]).astype("str")


@pytest.mark.parametrize(
    "ev",
    [
        pytest.param(grid(list(STUDENTS), list(OUTCOMES), 5), id="every-student-every-outcome"),
        pytest.param(grid(list(STUDENTS), list(OUTCOMES), 5).iloc[7:], id="starts-mid-student"),
        pytest.param(grid(list(STUDENTS), ["O2", "O0", "O3"], 6), id="outcomes-in-another-order"),
        pytest.param(pd.concat([grid(["S0", "S1"], ["O0", "O1"], 4), grid(["S2"], ["O1", "O0"], 4),
                                grid(["S3"], ["O0", "O1"], 4)]), id="one-student-in-another-order"),
        pytest.param(pd.concat([grid(["S0"], ["O0", "O1", "O2"], 5), grid(["S1"], ["O0", "O1"], 5),
                                grid(["S2"], ["O0", "O1", "O2"], 5)]), id="one-student-short"),
        pytest.param(grid(["S0", "ghost", "S2"], ["O0", "Oz", "O1"], 5), id="unknown-ids"),
        pytest.param(grid(list(STUDENTS), list(OUTCOMES), 5).sample(frac=1.0, random_state=4),
                     id="shuffled"),
        pytest.param(grid(["S1"], ["O3"], 1), id="one-row"),
        pytest.param(grid([], [], 1), id="no-rows"),
    ],
)
def test_cells_match_a_lookup_of_every_row(ev: pd.DataFrame) -> None:
    assert keys.cells(STUDENTS, OUTCOMES, ev.reset_index(drop=True)).tolist() == plain_cells(ev)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 6), st.integers(0, 3),
                            st.booleans()), min_size=0, max_size=40),
    whole_days=st.booleans(),
    sheet_order=st.booleans(),
)
def test_cell_date_order_is_a_stable_sort_by_cell_date_and_order(rows, whole_days, sheet_order):
    local = np.array([r[0] for r in rows], dtype=np.int64)
    hours = 0 if whole_days else 3600 * 10**9
    date = np.array([r[1] * words.DAY_NS + (hours if r[3] else 0) for r in rows], dtype=np.int64)
    order = np.arange(len(rows), dtype=np.int64) if sheet_order else np.array(
        [r[2] for r in rows], dtype=np.int64)
    idx = np.flatnonzero(np.array([r[3] or whole_days for r in rows], dtype=bool))
    got = keys.cell_date_order(local, date, order, idx)
    assert got.tolist() == np.lexsort((order[idx], date[idx], local[idx])).tolist()


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_nanoseconds_of_every_unit_and_of_no_date(unit: str) -> None:
    column = pd.Series(pd.to_datetime(["2024-10-03 08:30", None, "1901-02-01 00:00"])).astype(
        f"datetime64[{unit}]")
    got = keys.nanoseconds(column)
    assert got.tolist() == column.to_numpy("datetime64[ns]").view(np.int64).tolist()
    assert got[1] == keys.NAT


def test_nanoseconds_of_dates_with_a_time_zone_or_as_objects() -> None:
    aware = pd.Series(pd.to_datetime(["2024-10-03 08:30"])).dt.tz_localize("Europe/Paris")
    assert keys.nanoseconds(aware).tolist() == [pd.Timestamp("2024-10-03 06:30").value]
    boxed = pd.Series([pd.Timestamp("2024-10-03")], dtype=object)
    assert keys.nanoseconds(boxed).tolist() == [pd.Timestamp("2024-10-03").value]


@pytest.mark.parametrize("share", [0.0, 0.1, 0.9, 1.0])
def test_tally_counts_the_rows_a_mask_holds(share: float) -> None:
    rng = np.random.default_rng(7)
    cell = np.sort(rng.integers(0, 9, 200))
    mask = rng.random(200) < share
    assert keys.tally(cell, mask, 10).tolist() == np.bincount(cell[mask], minlength=10).tolist()
