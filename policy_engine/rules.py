"""How a level becomes a status, and the sentences that say why (`compute` and `explain`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from policy_engine.model import MissingWork, Policy, Status
from policy_engine.vectorised import Floats, Groups, Ints, half_up_array
from policy_engine.vectorised import n_mastery as mean_at_or_above

# Status codes are small ints while vectorised; STATUSES[code] is the Status.
STATUSES = (Status.MASTERED, Status.ON_TRACK, Status.NOT_YET, Status.NOT_ASSESSED)
MASTERED, ON_TRACK, NOT_YET, NOT_ASSESSED = range(4)
Objects = npt.NDArray[np.object_]
Bools = npt.NDArray[np.bool_]


class Levelled(Protocol):
    """What a rule needs from a method: its key and its vectorised level for a policy."""

    @property
    def key(self) -> str: ...

    @property
    def label(self) -> str: ...

    def level(self, groups: Groups, policy: Policy) -> Floats: ...

    def recent(self, policy: Policy) -> int | None: ...


@dataclass(frozen=True)
class Judgement:
    """A method's verdict for every cell of one policy, and which evidence rows it rests on."""

    level: Floats
    status: Ints
    demonstrations: Ints
    needed: int | None
    named: Bools  # rows of the Groups to name in the explanation


def demonstrations(method: Levelled, g: Groups, policy: Policy) -> Judgement:
    """Mastered after n scores at or above the threshold (on distinct dates if the policy says so).

    The level is the mean of the scores at or above the threshold once mastered (Canvas n_mastery);
    before that, the latest score for `demonstrations` and nothing for Canvas's `n_mastery`.
    """
    above = g.values >= policy.mastery_threshold
    first_of_day = above.copy()
    if policy.distinct_dates and g.dates is not None:
        # Rows are sorted by cell then date: a demonstration counts once per cell and date.
        idx = np.flatnonzero(above)
        repeat = np.zeros(len(idx), dtype=bool)
        repeat[1:] = (g.group[idx[1:]] == g.group[idx[:-1]]) & (g.dates[idx[1:]] == g.dates[idx[:-1]])
        first_of_day[idx[repeat]] = False
    k = np.bincount(g.group[first_of_day], minlength=g.size).astype(np.int64)
    enough = g.counts >= policy.minimum_evidence
    status = np.select(
        [g.counts == 0, (k >= policy.n) & enough, k >= 1],
        [NOT_ASSESSED, MASTERED, ON_TRACK],
        NOT_YET,
    ).astype(np.int64)
    mastered_level = mean_at_or_above(g, 1, policy.mastery_threshold)
    before = g.last() if method.key == "demonstrations" else np.full(g.size, np.nan)
    level = half_up_array(np.where(status == MASTERED, mastered_level, before))
    # Name the demonstrations; a cell with none names its latest evidence instead.
    named = first_of_day | ((k[g.group] == 0) & (g.reverse == 0))
    return Judgement(level, status, k, policy.n, named)


def by_level(method: Levelled, g: Groups, policy: Policy) -> Judgement:
    """A level from the method, then bands: at or above the mastery threshold is Mastered (given
    enough evidence), at or above the on-track threshold is On track, below is Not Yet."""
    # A fitted curve (power law) can overshoot the scale; a family never sees a level off it.
    level = np.clip(method.level(g, policy), policy.scale.minimum, policy.scale.maximum)
    threshold = policy.mastery_threshold
    enough = g.counts >= policy.minimum_evidence
    # Short of the minimum evidence, a level at mastery is On track (validation keeps the
    # on-track threshold at or below the mastery threshold).
    status = np.select(
        [g.counts == 0, (level >= threshold) & enough, level >= policy.effective_on_track],
        [NOT_ASSESSED, MASTERED, ON_TRACK],
        NOT_YET,
    )
    k = np.bincount(g.group[g.values >= threshold], minlength=g.size).astype(np.int64)
    named = g.reverse < (method.recent(policy) or np.iinfo(np.int64).max)
    return Judgement(level, status.astype(np.int64), k, None, named)


_COUNT_WORDS = np.array(["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])


def _words(counts: Ints) -> Objects:
    """`one`, `two`, ... for small counts, digits beyond nine."""
    small = np.clip(counts, 0, len(_COUNT_WORDS) - 1)
    return np.where(counts < len(_COUNT_WORDS), _COUNT_WORDS[small], counts.astype(str)).astype(object)


def _plural(counts: Ints, word: str) -> Objects:
    return np.where(counts == 1, word, word + "s").astype(object)


def _str(values: npt.NDArray[np.int64] | Ints) -> Objects:
    return values.astype(str).astype(object)


def missing_sentence(facts: pd.DataFrame, policy: Policy) -> Objects:
    """` 1 missing (not counted).`: missing work is tracked, never a zero."""
    missing = facts["missing_count"].to_numpy(np.int64)
    how = "not counted" if policy.missing_work is MissingWork.NOT_COUNTED else "counted as Not Yet"
    text = " " + _str(missing) + f" missing ({how})."
    return np.where(missing > 0, text, "").astype(object)


def not_assessed_sentences(facts: pd.DataFrame, policy: Policy) -> tuple[Objects, Objects]:
    """Why a cell has no status yet, and what would give it one."""
    tracked = (facts["evidence_count"] - facts["counted"]).to_numpy(np.int64)
    kinds = ", ".join(sorted(t.value for t in policy.counted_types))
    why = np.where(
        tracked > 0,
        "Not assessed yet: "
        + _str(tracked)
        + " "
        + _plural(tracked, "piece")
        + f" of evidence that does not count toward the level (counted: {kinds}).",
        "Not assessed yet: no counted evidence.",
    )
    missing = facts["missing_count"].to_numpy(np.int64) > 0
    step = np.where(missing, "Next: hand in the missing work.", "Next: a first assessment of this outcome.")
    return why.astype(object), step.astype(object)


def explain_demonstrations(facts: pd.DataFrame, policy: Policy) -> tuple[Objects, Objects]:
    """`On track: 2 of 3 demonstrations at Meeting or above (Quiz 2, Oct 3: 3; ...).`"""
    status = facts["status_code"].to_numpy(np.int64)
    k = facts["demonstrations"].to_numpy(np.int64)
    n = policy.n
    at = f" at {policy.threshold_label} or above"
    raw = facts["pieces"].to_numpy(object)
    pieces = " (" + raw + ")"
    counted = facts["counted"].to_numpy(np.int64)
    tally = _str(k) + f" of {n} " + _plural(np.full(len(k), n, np.int64), "demonstration") + at
    shortfall = counted < policy.minimum_evidence
    day = " on a different day" if policy.distinct_dates else ""
    left = np.maximum(n - k, 0)
    why = np.select(
        [status == MASTERED, status == ON_TRACK, status == NOT_YET],
        [
            "Mastered: " + _str(k) + " " + _plural(k, "demonstration") + at + f" ({n} needed)" + pieces + ".",
            "On track: " + tally + pieces + ".",
            "Not Yet: "
            + _str(counted)
            + " "
            + _plural(counted, "score")
            + ", none"
            + at
            + " yet (latest: "
            + raw
            + ").",
        ],
        "",
    ).astype(object)
    step = np.select(
        [status == MASTERED, (status == ON_TRACK) & (left == 0) & shortfall, status == ON_TRACK],
        [
            "Next: nothing more is needed for this outcome.",
            f"Next: more evidence; at least {policy.minimum_evidence} counted scores are needed.",
            "Next: " + _words(left) + " more " + _plural(left, "demonstration") + at + day + ".",
        ],
        f"Next: a first demonstration{at}; {n} are needed{' on different days' if day else ''}.",
    ).astype(object)
    return _finish(facts, policy, why, step)


def explain_level(facts: pd.DataFrame, policy: Policy, method_label: str) -> tuple[Objects, Objects]:
    """`On track: average 2.75 (Approaching) from 4 scores (...). Mastered is 3 (Meeting).`"""
    status = facts["status_code"].to_numpy(np.int64)
    level = facts["level_words"].to_numpy(object)
    level_label = facts["level_label"].to_numpy(object)
    used = facts["used"].to_numpy(np.int64)
    counted = facts["counted"].to_numpy(np.int64)
    goal = f"{policy.mastery_threshold:g} ({policy.threshold_label})"
    words = np.array([policy.band(s).label for s in STATUSES], dtype=object)[status]
    why = (
        words
        + f": {method_label} "
        + level
        + " ("
        + level_label
        + ") from "
        + _str(used)
        + " "
        + _plural(used, "score")
        + " ("
        + facts["pieces"].to_numpy(object)
        + f"). Mastered is {goal}."
    )
    short = counted < policy.minimum_evidence
    more = policy.minimum_evidence - counted
    step = np.select(
        [status == MASTERED, short],
        [
            "Next: nothing more is needed for this outcome.",
            "Next: "
            + _words(more)
            + " more "
            + _plural(more, "score")
            + f"; at least {policy.minimum_evidence} are needed.",
        ],
        f"Next: new evidence at {goal} or above to raise the level.",
    ).astype(object)
    return _finish(facts, policy, why.astype(object), step)


def _finish(facts: pd.DataFrame, policy: Policy, why: Objects, step: Objects) -> tuple[Objects, Objects]:
    """Add the missing-work sentence and the not-assessed wording, shared by every method."""
    blank = facts["status_code"].to_numpy(np.int64) == NOT_ASSESSED
    blank_why, blank_step = not_assessed_sentences(facts, policy)
    why = np.where(blank, blank_why, why) + missing_sentence(facts, policy)
    return why.astype(object), np.where(blank, blank_step, step).astype(object)
