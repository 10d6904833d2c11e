"""How a level becomes a status, and the sentences that say why (`compute` and `explain`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from policy_engine import words
from policy_engine.model import EvidenceType, MissingWork, Policy, Rounding, Status
from policy_engine.vectorised import Floats, Groups, Ints, canvas_round_array, half_up_array
from policy_engine.vectorised import n_mastery as mean_at_or_above

# Status codes are small ints while vectorised; STATUSES[code] is the Status.
STATUSES = (Status.MASTERED, Status.ON_TRACK, Status.NOT_YET, Status.NOT_ASSESSED)
MASTERED, ON_TRACK, NOT_YET, NOT_ASSESSED = range(4)
Objects = npt.NDArray[np.object_]
Bools = npt.NDArray[np.bool_]


def rounding(policy: Policy) -> Callable[[Floats], Floats]:
    """The policy's rounding of levels: exact half-up, or Canvas's float rounding."""
    return canvas_round_array if policy.rounding is Rounding.CANVAS else half_up_array


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
    k = g.tally(first_of_day)
    enough = g.counts >= policy.minimum_evidence
    status = np.select(
        [g.counts == 0, (k >= policy.n) & enough, k >= 1],
        [NOT_ASSESSED, MASTERED, ON_TRACK],
        NOT_YET,
    ).astype(np.int64)
    mastered_level = mean_at_or_above(g, 1, policy.mastery_threshold)
    before = g.last() if method.key == "demonstrations" else np.full(g.size, np.nan)
    level = rounding(policy)(np.where(status == MASTERED, mastered_level, before))
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
    k = g.tally(g.values >= threshold)
    named = g.reverse < (method.recent(policy) or np.iinfo(np.int64).max)
    return Judgement(level, status.astype(np.int64), k, None, named)


_COUNT_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


@dataclass(frozen=True)
class Facts:
    """What an explanation is written from, one entry per cell (`trail`: the named evidence)."""

    status: Ints
    demonstrations: Ints
    counted: Ints
    used: Ints
    evidence_count: Ints
    level: Floats
    missing_count: Ints
    level_words: Objects
    level_label: Objects
    trail: words.Trail


def _per_count(counts: Ints, write: Callable[[int], str]) -> Objects:
    """`write(c)` for each count, each distinct count written once (counts are not negative)."""
    if not len(counts):
        return np.zeros(0, dtype=object)
    return words.table([write(c) for c in range(int(counts.max()) + 1)])[counts]


def _count_word(count: int) -> str:
    """`one`, `two`, ... for small counts, digits beyond nine."""
    return _COUNT_WORDS[count] if count < len(_COUNT_WORDS) else str(count)


def _s(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


def _missing_words(policy: Policy) -> Callable[[int], str]:
    """` 1 piece of work missing; it is not counted as a score.` for m pieces ("" for none)."""
    if policy.missing_work is MissingWork.NOT_COUNTED:
        def say(m: int) -> str:
            it = "it is not counted as a score" if m == 1 else "they are not counted as scores"
            return f" {m} {_s(m, 'piece')} of work missing; {it}." if m else ""
    else:
        low = policy.scale.minimum
        label = policy.scale.label_for(low)
        lowest = f"the lowest score, {low:g}" + (f" ({label})" if label else "")

        def say(m: int) -> str:
            return (f" {m} {_s(m, 'piece')} of work missing; {'it' if m == 1 else 'each'} counts as "
                    f"{lowest}." if m else "")
    return say


def _tails(facts: Facts, policy: Policy, at: Ints, tail: str) -> Objects:
    """`tail` and then the missing-work sentence of each cell `at`: one text per missing count."""
    say = _missing_words(policy)
    return _per_count(facts.missing_count[at], lambda m: tail + say(m))


_KIND_WORDS = {EvidenceType.FORMATIVE: "practice", EvidenceType.UPDATE: "update",
               EvidenceType.SUMMATIVE: "summative"}


def _not_counted_why(t: int, policy: Policy) -> str:
    """`Not assessed yet: 2 practice scores so far; practice scores do not change the level.`

    The scores that do not change a level are of a type the policy does not count (the teacher's
    Type: practice is `formative`) or, when the policy caps retakes, retakes beyond the cap.
    """
    if not t:
        return "Not assessed yet: no scores so far."
    kinds = [_KIND_WORDS[k] for k in EvidenceType if k not in policy.counted_types]
    if policy.retakes_allowed is None and kinds:
        kind = " or ".join(kinds)
        return (f"Not assessed yet: {t} {kind} {_s(t, 'score')} so far; "
                f"{' and '.join(kinds)} scores do not change the level.")
    parts = [f"{kind} scores" for kind in kinds] + ["extra retakes"]
    reasons = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    return f"Not assessed yet: {t} {_s(t, 'score')} so far; {reasons} do not change the level."


def not_assessed_sentences(facts: Facts, policy: Policy, at: Ints) -> tuple[Objects, Objects]:
    """Why the cells `at` have no status yet, and what would give them one."""
    tracked = np.maximum(facts.evidence_count[at] - facts.counted[at], 0)
    why = _per_count(tracked, lambda t: _not_counted_why(t, policy))
    step = words.table(["Next: a first assessment of this outcome.",
                        "Next: hand in the missing work."])[(facts.missing_count[at] > 0).astype(np.int64)]
    return why, step


def explain_demonstrations(facts: Facts, policy: Policy) -> tuple[Objects, Objects]:
    """`On track: 2 of 3 demonstrations at Meeting or above (Quiz 2, Oct 3: 3; ...).`"""
    status, k, counted, trail = facts.status, facts.demonstrations, facts.counted, facts.trail
    n = policy.n
    at = f" at {policy.threshold_label} or above"
    why = words.filled(len(status), "")
    m = np.flatnonzero(status == MASTERED)
    why[m] = trail.sentences(m, _per_count(
        k[m], lambda c: f"Mastered: {c} {_s(c, 'demonstration')}{at}, {n} needed ("),
        _tails(facts, policy, m, ")."))
    o = np.flatnonzero(status == ON_TRACK)
    why[o] = trail.sentences(o, _per_count(
        k[o], lambda c: f"On track: {c} of {n} {_s(n, 'demonstration')}{at} ("),
        _tails(facts, policy, o, ")."))
    y = np.flatnonzero(status == NOT_YET)
    why[y] = trail.sentences(y, _per_count(
        counted[y], lambda c: f"Not Yet: {c} {_s(c, 'score')}, none{at} yet (latest: "),
        _tails(facts, policy, y, ")."))
    distinct = policy.distinct_dates
    first = f"Next: a first demonstration{at}; {n} {'is' if n == 1 else 'are'} needed"
    step = words.filled(len(status), first + (", each on a different day." if distinct and n > 1
                                              else "."))
    step[m] = "Next: nothing more is needed for this outcome."
    left = np.maximum(n - k[o], 0)

    def more(c: int) -> str:
        day = "" if not distinct else " on another day" if c == 1 else ", each on a different day"
        return f"Next: {_count_word(c)} more {_s(c, 'demonstration')}{at}{day}."
    step[o] = _per_count(left, more)
    short = o[(left == 0) & (counted[o] < policy.minimum_evidence)]
    mini = policy.minimum_evidence
    step[short] = _per_count(mini - counted[short], lambda c: (
        f"Next: {_count_word(c)} more {_s(c, 'score')}; at least {mini} are needed."))
    return _finish(facts, policy, why, step)


def explain_level(facts: Facts, policy: Policy, method_label: str) -> tuple[Objects, Objects]:
    """`On track: average 2.75 (Approaching) from 4 scores (...). Mastered is 3 (Meeting).`"""
    status, used, counted = facts.status, facts.used, facts.counted
    goal = f"{policy.mastery_threshold:g} ({policy.threshold_label})"
    bands = [policy.band(s).label for s in STATUSES]
    why = words.filled(len(status), "")
    a = np.flatnonzero(status != NOT_ASSESSED)
    # The words before the evidence depend on status, level and count only: each written once.
    level_code = pd.factorize(facts.level[a])[0].astype(np.int64) + 1
    top_used = int(used[a].max(initial=0)) + 1
    code, first = words.small_codes((status[a] * (int(level_code.max(initial=0)) + 1)
                                     + level_code) * top_used + used[a])
    rep = a[first]
    heads = words.table([
        f"{bands[s]}: {method_label} {lw} ({ll}) from {u} {_s(u, 'score')} ("
        for s, lw, ll, u in zip(status[rep].tolist(), facts.level_words[rep].tolist(),
                                facts.level_label[rep].tolist(), used[rep].tolist(), strict=True)
    ])
    tails = _tails(facts, policy, a, f"). Mastered is {goal}.")
    why[a] = facts.trail.sentences(a, heads[code], tails)
    step = words.filled(len(status), f"Next: a new score at {goal} or above to raise the level.")
    short = np.flatnonzero(counted < policy.minimum_evidence)
    mini = policy.minimum_evidence
    step[short] = _per_count(mini - counted[short], lambda c: (
        f"Next: {_count_word(c)} more {_s(c, 'score')}; at least {mini} are needed."))
    step[status == MASTERED] = "Next: nothing more is needed for this outcome."
    return _finish(facts, policy, why, step)


def _finish(facts: Facts, policy: Policy, why: Objects, step: Objects) -> tuple[Objects, Objects]:
    """The not-assessed wording and its missing-work sentence, shared by every method (the
    sentences of assessed cells end in theirs already: see `_tails`)."""
    blank = np.flatnonzero(facts.status == NOT_ASSESSED)
    why[blank], step[blank] = not_assessed_sentences(facts, policy, blank)
    say = _missing_words(policy)
    missing = blank[facts.missing_count[blank] > 0]
    why[missing] = why[missing] + _per_count(facts.missing_count[missing], say)
    return why, step
