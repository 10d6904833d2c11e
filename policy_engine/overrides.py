"""A teacher's overrides applied to an `Evaluation`: the override wins, the calculation stays visible."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from policy_engine.evaluate import Evaluation, day_words, students_table
from policy_engine.model import Policy, Status
from policy_engine.rules import STATUSES

OVERRIDE_COLUMNS = ("student_id", "outcome_id", "status", "level", "reason", "date", "teacher", "cell")
# Columns `apply_overrides` adds to `Evaluation.outcomes`: the override's cell ("" for none) and
# the calculated label it replaced.
OVERRIDDEN_COLUMNS = ("override", "calculated")


def empty_overrides() -> pd.DataFrame:
    """An override frame with no rows: `status` is a `Status` value or "", `level` a float or NaN."""
    return pd.DataFrame(
        {
            "student_id": pd.Series([], dtype=object),
            "outcome_id": pd.Series([], dtype=object),
            "status": pd.Series([], dtype=object),
            "level": pd.Series([], dtype=np.float64),
            "reason": pd.Series([], dtype=object),
            "date": pd.Series([], dtype="datetime64[ns]"),
            "teacher": pd.Series([], dtype=object),
            "cell": pd.Series([], dtype=object),
        }
    )


def apply_overrides(
    evaluation: Evaluation,
    overrides: pd.DataFrame,
    policies: Mapping[str, Policy],
) -> tuple[Evaluation, pd.DataFrame]:
    """The evaluation with each override applied, and the overrides that expired (not applied).

    An override sets the status (and the level, when it gives one; a level alone is banded by the
    outcome's policy). The note keeps the calculated value: "Calculated: On track (2 of 3).
    Overridden by Ms. Rivera on Oct 3: <reason>." When the outcome's policy has
    `override_expires`, an override dated before the latest counted evidence no longer applies;
    it is returned in the second frame, with `last_date`, so the sheet can say why.

    >>> import pandas as pd
    >>> from policy_engine import evaluate
    >>> ev = pd.DataFrame({"student_id": ["s1"], "outcome_id": ["o1"],
    ...     "date": pd.to_datetime(["2024-10-01"]), "score": [3.0], "mark": [""],
    ...     "assessment": ["Quiz 1"], "type": ["summative"], "order": [1], "cell": ["Scores!C5"]})
    >>> result = evaluate(ev, {"Default": Policy()}, students=["s1"], outcomes=["o1"])
    >>> ov = pd.DataFrame({"student_id": ["s1"], "outcome_id": ["o1"], "status": ["mastered"],
    ...     "level": [float("nan")], "reason": ["Conference"], "date": pd.to_datetime(["2024-10-03"]),
    ...     "teacher": ["Ms. Rivera"], "cell": ["Overrides!C2"]})
    >>> row = apply_overrides(result, ov, {"Default": Policy()})[0].outcomes.iloc[0]
    >>> row.label, row.calculated
    ('Mastered', 'On track (1 of 3)')
    >>> row.explanation[:77]
    'Calculated: On track (1 of 3). Overridden by Ms. Rivera on Oct 3: Conference.'

    """
    out = evaluation.outcomes.copy()
    out["override"] = ""
    out["calculated"] = ""
    keys = pd.MultiIndex.from_arrays([out["student_id"], out["outcome_id"]])
    ov = overrides.sort_values(["date", "cell"], kind="stable")
    ov = ov.assign(at=keys.get_indexer(pd.MultiIndex.from_arrays([ov["student_id"], ov["outcome_id"]])))
    ov = ov[ov["at"] >= 0].drop_duplicates("at", keep="last")  # the newest override wins
    at = ov["at"].to_numpy(np.int64)
    policy_of = out["policy"].to_numpy(object)[at]
    expires = np.array([policies[name].override_expires for name in policy_of], dtype=bool)
    last = out["last_date"].to_numpy("datetime64[ns]")[at]
    newer = ~np.isnat(last) & (last > ov["date"].to_numpy("datetime64[ns]"))
    expired = ov[expires & newer].assign(last_date=last[expires & newer])
    ov, at, policy_of = ov[~(expires & newer)], at[~(expires & newer)], policy_of[~(expires & newer)]
    if len(ov):
        _apply(out, ov, at, policy_of, policies)
    default = policies["Default"]
    students = students_table(out, pd.Index(evaluation.students["student_id"]), default)
    return Evaluation(out, students), expired.drop(columns="at").reset_index(drop=True)


def _apply(
    out: pd.DataFrame, ov: pd.DataFrame, at: np.ndarray, policy_of: np.ndarray,
    policies: Mapping[str, Policy],
) -> None:
    """Write the overrides into `out` (a copy the caller owns), a handful of rows at a time."""
    level = ov["level"].to_numpy(np.float64)
    status = ov["status"].to_numpy(object).copy()
    for name in dict.fromkeys(policy_of):
        policy = policies[name]
        mine = (policy_of == name) & (status == "") & ~np.isnan(level)
        status[mine] = np.select(
            [level[mine] >= policy.mastery_threshold, level[mine] >= policy.effective_on_track],
            [Status.MASTERED.value, Status.ON_TRACK.value],
            Status.NOT_YET.value,
        )
    code = pd.Index([s.value for s in STATUSES]).get_indexer(status)
    bands = {name: [policies[name].band(s) for s in STATUSES] for name in dict.fromkeys(policy_of)}
    label = np.array([bands[p][c].label for p, c in zip(policy_of, code, strict=True)], dtype=object)
    colour = np.array([bands[p][c].colour for p, c in zip(policy_of, code, strict=True)], dtype=object)
    calculated = out["label"].to_numpy(object)[at]
    teacher = ov["teacher"].fillna("").astype(str).to_numpy(object)
    by = np.where(teacher != "", "Overridden by " + teacher + " on ", "Overridden on ")
    when = day_words(ov["date"].to_numpy("datetime64[ns]").view(np.int64))
    words = np.where(calculated != "", calculated, "not assessed")
    explanation = (
        "Calculated: " + words + ". " + by + when + ": "
        + ov["reason"].astype(str).str.rstrip(".").to_numpy(object) + ". Calculation: "
        + out["explanation"].to_numpy(object)[at]
    )
    columns = {
        "status": status, "label": label, "colour": colour, "calculated": calculated,
        "band": np.where(status == Status.NOT_ASSESSED.value, "", status).astype(object),
        "override": ov["cell"].to_numpy(object), "explanation": explanation,
    }
    for column, values in columns.items():
        out.iloc[at, out.columns.get_loc(column)] = values
    given = ~np.isnan(level)
    if given.any():
        out.iloc[at[given], out.columns.get_loc("level")] = level[given]
        labels = [policies[p].scale.label_for(v) for p, v in zip(policy_of[given], level[given], strict=True)]
        out.iloc[at[given], out.columns.get_loc("level_label")] = labels
    done = status == Status.MASTERED.value
    out.iloc[at[done], out.columns.get_loc("next_step")] = "Next: nothing more is needed for this outcome."
