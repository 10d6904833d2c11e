"""The calculation methods, reached only through one registry: `METHODS` and `calculate`."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from policy_engine import rules, vectorised
from policy_engine.model import Policy, PolicyError, Rounding
from policy_engine.vectorised import Floats, Groups

Scalar = Callable[..., float | None]
Vector = Callable[..., Floats]
Compute = Callable[["Method", Groups, Policy], rules.Judgement]
Explain = Callable[["Method", rules.Facts, Policy], tuple[rules.Objects, rules.Objects]]


def half_up(value: float) -> float:
    """Round to 2 decimals with halves away from zero, as a teacher would.

    >>> half_up(4.125), round(4.125, 2)
    (4.13, 4.12)
    """
    # Quantizing to 9 places first drops binary noise such as 4.1249999999 for 4.125.
    exact = Decimal(repr(value)).quantize(Decimal("1e-9"), rounding=ROUND_HALF_EVEN)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def canvas_round(value: float) -> float:
    """Round to 2 decimals as Canvas does: Ruby's `Float#round(2)` on the float it computed.

    An exact half that the float holds just below itself rounds down, as a school moving from
    Canvas saw it (a decaying average at weight 99 of 2, 3, 3):

    >>> 3 * 0.99 + 2.5 * 0.01, canvas_round(3 * 0.99 + 2.5 * 0.01), half_up(3 * 0.99 + 2.5 * 0.01)
    (2.9949999999999997, 2.99, 3.0)
    """
    return float(vectorised.canvas_round_array(np.array([value], dtype=np.float64))[0])


@dataclass(frozen=True)
class Param:
    """A method parameter: its name, allowed range and default (None = optional, unused)."""

    name: str
    low: float
    high: float
    default: float | None
    integer: bool = True

    @property
    def allowed(self) -> str:
        return f"{self.low:g}..{self.high:g}" if self.integer else "a number"

    def check(self, value: object) -> float:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if ok and self.integer:
            ok = float(value).is_integer() and self.low <= float(value) <= self.high  # type: ignore[arg-type]
        if not ok:
            raise PolicyError(self.name, self.allowed, value)
        return value  # type: ignore[return-value]


RECENT = Param("recent", 1, 99, None)
WEIGHT = Param("weight", 1, 99, 65)
STANDARD_WEIGHT = Param("weight", 50, 99, 65)
N = Param("n", 1, 10, 3)
MASTERY_POINTS = Param("mastery_points", -math.inf, math.inf, 3, integer=False)


@dataclass(frozen=True)
class Method:
    """One way to turn scores into a level, with its status rule and its explanation.

    `scalar` works on one list of scores (oldest first) and `vector` is its twin over many cells
    at once; `compute` turns the level into a status and `explain` says why, from the same data.
    """

    key: str
    label: str
    summary: str
    scalar: Scalar
    vector: Vector
    compute: Compute
    explain: Explain
    params: tuple[Param, ...] = ()

    def level(self, groups: Groups, policy: Policy) -> Floats:
        """The vectorised level of every cell under `policy`, rounded to 2 decimals as the policy
        says (exact half-up, or Canvas's float rounding)."""
        values = {
            "n": policy.n,
            "weight": policy.weight,
            "mastery_points": policy.mastery_threshold,
        }
        kwargs = {p.name: values[p.name] for p in self.params if p.name in values}
        return rules.rounding(policy)(self.vector(groups.recent(self.recent(policy)), **kwargs))

    def recent(self, policy: Policy) -> int | None:
        """The policy's Recent scores, if this method takes it; None means every score."""
        return policy.recent if any(p.name == "recent" for p in self.params) else None


def _recent(scores: Sequence[float], recent: int | None) -> Sequence[float]:
    return scores if recent is None else scores[-int(recent) :]


def _highest(scores: Sequence[float], recent: int | None = None) -> float:
    return max(_recent(scores, recent))


def _latest(scores: Sequence[float], recent: int | None = None) -> float:
    return scores[-1]


def _average(scores: Sequence[float], recent: int | None = None) -> float:
    return statistics.fmean(_recent(scores, recent))


def _median(scores: Sequence[float], recent: int | None = None) -> float:
    return statistics.median(_recent(scores, recent))


def _mode(scores: Sequence[float], recent: int | None = None) -> float:
    kept = list(_recent(scores, recent))
    counts = {value: kept.count(value) for value in kept}
    top = max(counts.values())
    # Among tied values, the one scored most recently wins.
    return next(value for value in reversed(kept) if counts[value] == top)


def _n_mastery(scores: Sequence[float], n: int = 3, mastery_points: float = 3) -> float | None:
    above = [s for s in scores if s >= mastery_points]
    return statistics.fmean(above) if len(scores) >= n and len(above) >= n else None


def _decaying_average(scores: Sequence[float], weight: int = 65) -> float:
    if len(scores) == 1:
        return scores[0]
    w = weight / 100
    return scores[-1] * w + statistics.fmean(scores[:-1]) * (1 - w)


def _standard_decaying_average(scores: Sequence[float], weight: int = 65) -> float:
    w = weight / 100
    level = scores[0]
    for score in scores[1:]:
        level = level * (1 - w) + score * w
    return level


def _power_law(scores: Sequence[float]) -> float:
    if len(scores) < 2 or min(scores) <= 0:
        return statistics.fmean(scores)
    xs = [math.log(i) for i in range(1, len(scores) + 1)]
    ys = [math.log(s) for s in scores]
    slope, intercept = statistics.linear_regression(xs, ys)
    return math.exp(intercept + slope * xs[-1])


def _by_level(method: Method, g: Groups, policy: Policy) -> rules.Judgement:
    return rules.by_level(method, g, policy)


def _level_words(method: Method, facts: rules.Facts, policy: Policy) -> tuple[Any, Any]:
    return rules.explain_level(facts, policy, method.label)


def _demonstration_words(method: Method, facts: rules.Facts, policy: Policy) -> tuple[Any, Any]:
    return rules.explain_demonstrations(facts, policy)


def _level_method(
    key: str, label: str, summary: str, scalar: Scalar, vector: Vector, *params: Param
) -> Method:
    return Method(key, label, summary, scalar, vector, _by_level, _level_words, params)


METHODS: dict[str, Method] = {
    m.key: m
    for m in (
        Method(
            "demonstrations",
            "demonstrations",
            "Mastered after n scores at or above the mastery threshold, on distinct dates",
            _n_mastery,
            vectorised.n_mastery,
            rules.demonstrations,
            _demonstration_words,
            (N, MASTERY_POINTS),
        ),
        Method(
            "n_mastery",
            "n mastery",
            "Canvas: no level until n scores reach mastery, then the mean of those scores",
            _n_mastery,
            vectorised.n_mastery,
            rules.demonstrations,
            _demonstration_words,
            (N, MASTERY_POINTS),
        ),
        _level_method("highest", "highest score", "the highest score", _highest, vectorised.highest, RECENT),
        _level_method("latest", "latest score", "the most recent score", _latest, vectorised.latest, RECENT),
        _level_method(
            "average",
            "average",
            "the average (mean) of the scores",
            _average,
            vectorised.average,
            RECENT,
        ),
        _level_method("median", "median", "the middle score", _median, vectorised.median, RECENT),
        _level_method(
            "mode", "most frequent score", "the most frequent score", _mode, vectorised.mode, RECENT
        ),
        _level_method(
            "decaying_average",
            "decaying average",
            "the newest score weighted w, all earlier scores' mean weighted 1 - w",
            _decaying_average,
            vectorised.decaying_average,
            WEIGHT,
        ),
        _level_method(
            "standard_decaying_average",
            "rolling average",
            "each new score weighted w against the running level",
            _standard_decaying_average,
            vectorised.standard_decaying_average,
            STANDARD_WEIGHT,
        ),
        _level_method(
            "power_law",
            "power law trend",
            "the value of the best-fitting learning curve at the latest score",
            _power_law,
            vectorised.power_law,
        ),
    )
}
ALIASES = {"mean": "average"}


def method_for(key: str) -> Method:
    """The registered method called `key` (aliases such as `mean` allowed)."""
    found = METHODS.get(ALIASES.get(key, key))
    if found is None:
        raise PolicyError("method", ", ".join(sorted([*METHODS, *ALIASES])), key)
    return found


# Canvas's own defaults where they differ from Hive's (Canvas: n_mastery's n is 5).
CANVAS_DEFAULTS: dict[str, dict[str, float]] = {"n_mastery": {"n": 5}}


def calculate(
    method: str,
    scores: Sequence[float | None],
    *,
    rounding: Rounding | str = Rounding.EXACT,
    **params: Any,
) -> float | None:
    """One student's level on one outcome from `scores` (oldest first), rounded to 2 decimals.

    None entries are dropped; 0 is a real score. Returns None when there is no level.
    `rounding="canvas"` follows Canvas: its float rounding and its defaults (n_mastery's n 5).
    n_mastery with `mastery_points=None` has no level, as Canvas shows none.

    >>> calculate("decaying_average", [1, 2, 3, 4, 5])
    4.13
    >>> calculate("n_mastery", [1, 2, 3, 4, 5], n=3, mastery_points=3)
    4.0
    >>> calculate("mode", [3, 4, 4, 3])
    3.0
    >>> calculate("decaying_average", [2, 3, 3], weight=99), calculate(
    ...     "decaying_average", [2, 3, 3], weight=99, rounding="canvas")
    (3.0, 2.99)
    >>> calculate("highest", [2, 4], n=3)
    Traceback (most recent call last):
    ...
    policy_engine.model.PolicyError: highest does not take n (it takes: recent)
    """
    found = method_for(method)
    style = Rounding(rounding)
    known = {p.name: p for p in found.params}
    kwargs: dict[str, Any] = {}
    if style is Rounding.CANVAS:
        kwargs.update(CANVAS_DEFAULTS.get(found.key, {}))
    if found.key == "n_mastery" and "mastery_points" in params and params["mastery_points"] is None:
        return None  # no mastery level set: Canvas shows no score
    for name, value in params.items():
        param = known.get(name)
        if param is None:
            takes = ", ".join(known) or "no parameters"
            message = f"{found.key} does not take {name} (it takes: {takes})"
            raise PolicyError(name, f"not taken by {found.key}", value, message)
        kwargs[name] = param.check(value)
    kept = [float(s) for s in scores if s is not None and not math.isnan(s)]
    if not kept:
        return None
    if style is Rounding.CANVAS:
        # Canvas's floats: the vectorised twin sums left to right, as Canvas's own loop does,
        # where the scalar methods sum exactly.
        groups = Groups(np.array(kept), np.zeros(len(kept), dtype=np.int64), 1)
        recent = kwargs.pop("recent", None)
        for param in found.params:
            if param.name != "recent" and param.default is not None:
                kwargs.setdefault(param.name, param.default)
        level = found.vector(groups.recent(recent), **kwargs)[0]
        return None if math.isnan(level) else canvas_round(float(level))
    result = found.scalar(kept, **kwargs)
    return None if result is None else half_up(result)


def validate(policy: Policy) -> list[PolicyError]:
    """Every problem with `policy`, all at once, each naming its setting."""
    errors: list[PolicyError] = []
    try:
        method_for(policy.method)
    except PolicyError as error:
        errors.append(error)
    checks: list[tuple[Param, object]] = [(N, policy.n), (WEIGHT, policy.weight)]
    if policy.method == "standard_decaying_average":
        checks[1] = (STANDARD_WEIGHT, policy.weight)
    if policy.recent is not None:
        checks.append((RECENT, policy.recent))
    checks.append((Param("minimum_evidence", 1, 99, 1), policy.minimum_evidence))
    if policy.retakes_allowed is not None:
        checks.append((Param("retakes_allowed", 0, 99, None), policy.retakes_allowed))
    for param, value in checks:
        try:
            param.check(value)
        except PolicyError as error:
            errors.append(error)
    scale = policy.scale
    values = [level.value for level in scale.levels]
    if not values or values != sorted(set(values)):
        errors.append(PolicyError("scale", "levels in increasing order, each value once", values))
    elif not scale.minimum <= policy.mastery_threshold <= scale.maximum:
        allowed = f"{scale.minimum:g}..{scale.maximum:g} (on the scale)"
        errors.append(PolicyError("mastery_threshold", allowed, policy.mastery_threshold))
    if policy.effective_on_track > policy.mastery_threshold:
        allowed = f"at most the mastery threshold {policy.mastery_threshold:g}"
        errors.append(PolicyError("on_track_threshold", allowed, policy.on_track_threshold))
    if not policy.counted_types:
        errors.append(PolicyError("counted_types", "at least one of summative, formative, update"))
    off_scale = [
        m.code
        for m in policy.marks
        if m.value is not None and values and not scale.minimum <= m.value <= scale.maximum
    ]
    if off_scale:
        allowed = f"a mark value on the scale, {scale.minimum:g}..{scale.maximum:g}"
        errors.append(PolicyError("marks", allowed, off_scale))
    codes = [mark.code.upper() for mark in policy.marks]
    if len(codes) != len(set(codes)):
        errors.append(PolicyError("marks", "each mark code once", codes))
    return errors
