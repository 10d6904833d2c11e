"""Vectorised twins of the calculation methods: one numpy pass over every cell at once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from policy_engine import keys

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


def half_up_array(values: Floats) -> Floats:
    """Round to 2 decimals, halves away from zero, as `methods.half_up` does for one value.

    Rounding x*100 to 7 places first absorbs binary noise (4.125 stored as 4.12499999...), so the
    twin agrees with the decimal rounding of the scalar method.
    """
    scaled = np.round(values * 100.0, 7)
    return np.asarray(np.sign(scaled) * np.floor(np.abs(scaled) + 0.5) / 100.0, dtype=np.float64)


def canvas_round_array(values: Floats) -> Floats:
    """Round to 2 decimals as Canvas does: Ruby's `Float#round(2)` on the float it computed.

    Ruby rounds x * 100 half away from zero, then steps up once more if (f + 0.5) / 100 is still
    at or below x (down for negatives). An exact half stored just below itself (2.995 computed as
    2.99499999...) rounds down, which is where Canvas and exact rounding differ.
    """
    with np.errstate(invalid="ignore"):
        xs = values * 100.0
        whole = np.trunc(xs)
        f = whole + np.sign(xs) * (np.abs(xs - whole) >= 0.5)
        f = np.where((values > 0) & ((f + 0.5) / 100.0 <= values), f + 1, f)
        f = np.where((values < 0) & ((f - 0.5) / 100.0 >= values), f - 1, f)
    return np.asarray(f / 100.0, dtype=np.float64)


@dataclass(frozen=True)
class Groups:
    """Scores of many cells in one flat array: sorted by `group`, oldest first within a group.

    `group` holds codes 0..size-1 (a cell may have no scores); `dates` (ns since epoch) is only
    needed by the demonstrations rule.
    """

    values: Floats
    group: Ints
    size: int
    dates: Ints | None = None

    @cached_property
    def counts(self) -> Ints:
        return np.bincount(self.group, minlength=self.size).astype(np.int64)

    @cached_property
    def starts(self) -> Ints:
        return np.concatenate(([0], np.cumsum(self.counts)[:-1])).astype(np.int64)

    @cached_property
    def position(self) -> Ints:
        """0 for the oldest score of each cell."""
        return np.arange(len(self.values), dtype=np.int64) - self.starts[self.group]

    @cached_property
    def reverse(self) -> Ints:
        """0 for the newest score of each cell."""
        return (self.starts + self.counts - 1)[self.group] - np.arange(len(self.values), dtype=np.int64)

    def total(self, weights: Floats) -> Floats:
        return np.bincount(self.group, weights=weights, minlength=self.size).astype(np.float64)

    def tally(self, mask: npt.NDArray[np.bool_]) -> Ints:
        """How many of each cell's scores `mask` holds."""
        return keys.tally(self.group, mask, self.size)

    @cached_property
    def scored(self) -> Ints:
        """The cells with at least one score."""
        return np.flatnonzero(self.counts > 0).astype(np.int64)

    @cached_property
    def newest(self) -> Ints:
        """The row of each scored cell's newest score (one per cell in `scored`)."""
        return (self.starts + self.counts - 1)[self.scored]

    def last(self) -> Floats:
        """The newest score of each cell (NaN where a cell has none)."""
        out = np.full(self.size, np.nan)
        out[self.scored] = self.values[self.newest]
        return out

    def recent(self, k: int | None) -> Groups:
        """Only each cell's `k` newest scores (all of them when k is None)."""
        if k is None:
            return self
        keep = self.reverse < k
        dates = None if self.dates is None else self.dates[keep]
        return Groups(self.values[keep], self.group[keep], self.size, dates)


def _safe_divide(top: Floats, bottom: Floats) -> Floats:
    out = np.full(top.shape, np.nan)
    np.divide(top, bottom, out=out, where=bottom != 0)
    return out


def highest(g: Groups) -> Floats:
    out = np.full(g.size, -np.inf)
    np.maximum.at(out, g.group, g.values)
    out[g.counts == 0] = np.nan
    return out


def latest(g: Groups) -> Floats:
    return g.last()


def average(g: Groups) -> Floats:
    return _safe_divide(g.total(g.values), g.counts.astype(np.float64))


def median(g: Groups) -> Floats:
    order = np.lexsort((g.values, g.group))
    ordered = g.values[order]
    lo = g.starts + (g.counts - 1) // 2
    hi = g.starts + g.counts // 2
    has = g.counts > 0
    out = np.full(g.size, np.nan)
    out[has] = (ordered[lo[has]] + ordered[hi[has]]) / 2.0
    return out


def mode(g: Groups) -> Floats:
    """Most frequent score; among tied scores, the one scored most recently wins."""
    order = np.lexsort((g.position, g.values, g.group))
    grp, val, pos = g.group[order], g.values[order], g.position[order]
    # Runs of one (cell, value): their length is the count, their last element the latest use.
    run_end = np.ones(len(val), dtype=bool)
    run_end[:-1] = (grp[1:] != grp[:-1]) | (val[1:] != val[:-1])
    ends = np.flatnonzero(run_end)
    run_len = np.diff(np.concatenate(([-1], ends)))
    best = np.lexsort((pos[ends], run_len, grp[ends]))
    best_grp = grp[ends][best]
    is_last = np.ones(len(best), dtype=bool)
    is_last[:-1] = best_grp[1:] != best_grp[:-1]
    out = np.full(g.size, np.nan)
    out[best_grp[is_last]] = val[ends][best][is_last]
    return out


def n_mastery(g: Groups, n: int, mastery_points: float) -> Floats:
    """Canvas: nothing until n scores at or above mastery; then the mean of all such scores."""
    at_or_above = (g.values >= mastery_points).astype(np.float64)
    k = g.total(at_or_above)
    mean = _safe_divide(g.total(g.values * at_or_above), k)
    return np.where((g.counts >= n) & (k >= n), mean, np.nan)


def decaying_average(g: Groups, weight: int) -> Floats:
    """Canvas: newest * w + mean(all earlier) * (1 - w); one score is itself."""
    w = weight / 100.0
    newest = g.last()
    earlier = _safe_divide(g.total(g.values) - np.nan_to_num(newest), (g.counts - 1).astype(float))
    return np.where(g.counts == 1, newest, newest * w + earlier * (1.0 - w))


def standard_decaying_average(g: Groups, weight: int) -> Floats:
    """d = d*(1-w) + x*w from the first score, unrolled: r steps before newest weighs w(1-w)^r."""
    w = weight / 100.0
    keep = (1.0 - w) ** g.reverse.astype(np.float64)
    coefficient = np.where(g.position == 0, keep, w * keep)
    out = g.total(coefficient * g.values)
    out[g.counts == 0] = np.nan
    return out


def power_law(g: Groups) -> Floats:
    """Least squares of ln(score) on ln(position); the fitted value at the last position.

    A cell with a zero (or negative) score, or with one score, gets the plain average instead.
    """
    has_zero = g.total((g.values <= 0).astype(np.float64)) > 0
    safe = np.where(g.values > 0, g.values, 1.0)
    x = np.log(g.position + 1.0)
    y = np.log(safe)
    n = g.counts.astype(np.float64)
    sx, sy, sxx, sxy = g.total(x), g.total(y), g.total(x * x), g.total(x * y)
    slope = _safe_divide(n * sxy - sx * sy, n * sxx - sx * sx)
    intercept = _safe_divide(sy - slope * sx, n)
    with np.errstate(divide="ignore"):
        fitted = np.exp(intercept + slope * np.log(n))
    return np.where(has_zero | (g.counts < 2), average(g), fitted)
