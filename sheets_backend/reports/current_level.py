"""Where a student is now on an outcome: the latest counted result, beside the policy's status.

The engine's status answers "has it been shown enough times?"; a teacher also needs "is the latest
result below the mastery threshold?" (scores 3, 3, then 2 are still On track). The latest counted
result is the one on the engine's `last_date` (the newest counted day), the last of that day in
sheet order; it is read from the evidence here, so the engine's output is used as it is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from policy_engine import MarkEffect, Status
from sheets_backend.gradebook.template import Gradebook

DOWN = "↓"
LATEST_COLUMNS = ("latest", "latest_label", "latest_assessment", "latest_date", "slipping",
                  "threshold_label")
# Not Yet already says "below"; the arrow marks a status that would otherwise hide it.
FLAGGED = (Status.MASTERED.value, Status.ON_TRACK.value)


def latest_levels(book: Gradebook, outcomes: pd.DataFrame) -> pd.DataFrame:
    """`outcomes` (the engine's rows) with the latest counted result and whether it is slipping.

    `latest` is the value on the scale (NaN when nothing is counted), `latest_label` the scale's
    words for it, `slipping` True where the status is Mastered or On track but the latest result
    is below the policy's mastery threshold.
    """
    if "slipping" in outcomes:
        return outcomes  # already read (render_tabs reads it once for every tab)
    ev = _counted(book)
    keys = ["student_id", "outcome_id"]
    last = outcomes[keys + ["last_date"]].dropna(subset=["last_date"])
    on_last = ev.merge(last, on=keys, how="inner")
    on_last = on_last[on_last["date"].to_numpy() == on_last["last_date"].to_numpy()]
    newest = on_last.sort_values("order", kind="stable").drop_duplicates(keys, keep="last")
    newest = newest.set_index(keys)[["value", "assessment", "date"]]
    joined = outcomes[keys].join(newest, on=keys)
    value = joined["value"].to_numpy(dtype=float)
    policy_of = outcomes["policy"].astype(object).to_numpy()
    threshold = np.full(len(outcomes), np.nan)
    label = np.full(len(outcomes), "", dtype=object)
    goal = np.full(len(outcomes), "", dtype=object)
    for name in pd.unique(policy_of):
        policy = book.policies[name]
        rows = policy_of == name
        threshold[rows] = policy.mastery_threshold
        goal[rows] = policy.threshold_label
        known = rows & ~np.isnan(value)
        label[known] = [policy.scale.label_for(v) for v in value[known].tolist()]
    status = outcomes["status"].astype(object).to_numpy()
    slipping = np.isin(status, FLAGGED) & (value < threshold)
    return outcomes.assign(
        latest=value,
        latest_label=label,
        latest_assessment=joined["assessment"].fillna("").astype(object).to_numpy(),
        latest_date=joined["date"].to_numpy(),
        slipping=slipping,
        threshold_label=goal,
    )


def _counted(book: Gradebook) -> pd.DataFrame:
    """Evidence rows that count toward a level, with their value on the scale (marks resolved)."""
    ev = book.evidence
    policy_of = ev["outcome_id"].map(book.outcome_policy).fillna("Default")
    value = ev["score"].to_numpy(dtype=float, copy=True)
    counted = np.zeros(len(ev), dtype=bool)
    marks = ev["mark"].fillna("").astype(str).to_numpy(dtype=object)
    for name in policy_of.unique():
        policy = book.policies[name]
        rows = (policy_of == name).to_numpy()
        counted |= rows & ev["type"].isin([t.value for t in policy.counted_types]).to_numpy()
        for code in pd.unique(marks[rows & (marks != "")]):
            mark = policy.mark(code)
            at = rows & (marks == code)
            if mark is not None and mark.effect is MarkEffect.LEVEL and mark.value is not None:
                value[at] = mark.value
            elif mark is not None and mark.effect in (MarkEffect.MISSING, MarkEffect.EXCLUDED):
                value[at] = np.nan
    keep = counted & ~np.isnan(value)
    return pd.DataFrame({
        "student_id": ev["student_id"].to_numpy(dtype=object)[keep],
        "outcome_id": ev["outcome_id"].to_numpy(dtype=object)[keep],
        "date": ev["date"].to_numpy()[keep],
        "order": ev["order"].to_numpy()[keep],
        "value": value[keep],
        "assessment": ev["assessment"].to_numpy(dtype=object)[keep],
    })
