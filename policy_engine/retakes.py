"""Retakes: which attempt of an assessment each piece of evidence is, and which ones count."""

from __future__ import annotations

import numpy as np
import pandas as pd

from policy_engine.vectorised import Ints


def number_attempts(evidence: pd.DataFrame) -> Ints:
    """1, 2, ... for each retake of one assessment by one student on one outcome; 0 otherwise.

    A retake is evidence whose `retakes` column names the assessment it retakes (the Type cell
    `update: Quiz 3`). Retakes are numbered by assessment date, then sheet order, never by where
    they were typed. A frame without a `retakes` column has no retakes.

    >>> import pandas as pd
    >>> ev = pd.DataFrame({"student_id": ["s1"] * 3, "outcome_id": ["o1"] * 3,
    ...     "date": pd.to_datetime(["2024-10-01", "2024-10-20", "2024-10-10"]),
    ...     "order": [1, 2, 3], "retakes": ["", "Quiz 3", "Quiz 3"]})
    >>> number_attempts(ev).tolist()
    [0, 2, 1]
    """
    out = np.zeros(len(evidence), dtype=np.int64)
    if "retakes" not in evidence or not len(evidence):
        return out
    target = evidence["retakes"].fillna("").to_numpy(object)
    at = np.flatnonzero(target != "")
    if not len(at):
        return out
    sub = evidence.iloc[at]
    key = pd.MultiIndex.from_arrays([sub["student_id"], sub["outcome_id"], target[at]])
    group = pd.factorize(key)[0]
    ordered = np.lexsort((sub["order"].to_numpy(np.int64),
                          sub["date"].to_numpy("datetime64[ns]").view(np.int64), group))
    counts = np.bincount(group)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.empty(len(at), dtype=np.int64)
    rank[ordered] = np.arange(len(at)) - starts[group[ordered]] + 1
    out[at] = rank
    return out
