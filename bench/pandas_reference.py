"""A plain pandas groupby of two policy rules, no text: the yardstick bench/engine.py times Hive by.

Written the way a careful analyst would, straight from docs/policies.md: keep the counted rows,
group by (student, outcome), aggregate, band. It handles what the bench data holds (marks NY, MI,
EX; counted types; distinct dates) and reports status and level for every student x outcome.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from policy_engine import Policy

KEYS = ["student_id", "outcome_id"]


def _counted(evidence: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """The rows that count, with `value` (a level mark's value, else the score)."""
    value = evidence["score"].copy()
    marks = evidence["mark"]
    ignored = pd.Series(False, index=evidence.index)
    for mark in policy.marks:
        hit = marks == mark.code
        if mark.value is not None:
            value = value.mask(hit, mark.value)
        else:
            ignored |= hit
    keep = value.notna() & ~ignored & evidence["type"].isin([t.value for t in policy.counted_types])
    return evidence.loc[keep, ["student_id", "outcome_id", "date", "order"]].assign(
        value=value[keep])


def _half_up(level: pd.Series) -> pd.Series:
    scaled = (level * 100).round(7)
    return np.sign(scaled) * np.floor(scaled.abs() + 0.5) / 100


def _grid(result: pd.DataFrame, students: list[str], outcomes: list[str]) -> pd.DataFrame:
    full = pd.MultiIndex.from_product([students, outcomes], names=KEYS)
    out = result.reindex(full)
    out["status"] = out["status"].fillna("not_assessed")
    return out.reset_index()


def demonstrations(evidence: pd.DataFrame, policy: Policy, students: list[str],
                   outcomes: list[str]) -> pd.DataFrame:
    """MS 442: Mastered after n scores at or above the threshold on distinct dates."""
    rows = _counted(evidence, policy).sort_values(["date", "order"])
    grouped = rows.groupby(KEYS)
    counts = grouped.size()
    latest = grouped["value"].last()
    above = rows[rows["value"] >= policy.mastery_threshold]
    by_cell = above.groupby(KEYS)
    shown = by_cell["date"].nunique() if policy.distinct_dates else by_cell.size()
    demos = shown.reindex(counts.index, fill_value=0)
    mean_above = by_cell["value"].mean().reindex(counts.index)
    mastered = (demos >= policy.n) & (counts >= policy.minimum_evidence)
    status = np.select([mastered, demos >= 1], ["mastered", "on_track"], "not_yet")
    level = _half_up(mean_above.where(mastered, latest))
    return _grid(pd.DataFrame({"status": status, "level": level}, index=counts.index),
                 students, outcomes)


def decaying_average(evidence: pd.DataFrame, policy: Policy, students: list[str],
                     outcomes: list[str]) -> pd.DataFrame:
    """Newest score weighted w, the mean of all earlier ones 1 - w; banded by the thresholds."""
    rows = _counted(evidence, policy).sort_values(["date", "order"])
    grouped = rows.groupby(KEYS)["value"]
    agg = grouped.agg(["size", "sum", "last"])
    w = policy.weight / 100
    earlier = (agg["sum"] - agg["last"]) / (agg["size"] - 1)
    level = _half_up(agg["last"].where(agg["size"] == 1, agg["last"] * w + earlier * (1 - w)))
    level = level.clip(policy.scale.minimum, policy.scale.maximum)
    mastered = (level >= policy.mastery_threshold) & (agg["size"] >= policy.minimum_evidence)
    status = np.select([mastered, level >= policy.effective_on_track],
                       ["mastered", "on_track"], "not_yet")
    return _grid(pd.DataFrame({"status": status, "level": level}, index=agg.index),
                 students, outcomes)


RULES = {"demonstrations": demonstrations, "decaying_average": decaying_average}
