"""Rounding: exact policies round decimals half up; Canvas policies reproduce Canvas's numbers.

Canvas rounds the binary float it computed with Ruby's `Float#round(2)`, so an exact half held
just below itself rounds down; Canvas's n_mastery needs 5 by default and counts every result.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_engine import METHODS, Policy, Rounding, calculate, canvas_round, half_up
from policy_engine.vectorised import Groups, canvas_round_array

CANVAS = Policy(rounding=Rounding.CANVAS)


@pytest.mark.parametrize(
    ("method", "scores", "params", "exact", "canvas"),
    [
        pytest.param("decaying_average", [2, 3, 3], {"weight": 99}, 3.0, 2.99, id="weight-99-2.995"),
        pytest.param("average", [1.5, 1.55, 2.4, 3.85], {}, 2.33, 2.32, id="average-2.325"),
        pytest.param("decaying_average", [1, 2, 3, 4, 5], {}, 4.13, 4.13, id="4.125-both-up"),
        pytest.param("n_mastery", [3, 3, 3, 3], {}, 3.0, None, id="n-default-3-or-5"),
        pytest.param("n_mastery", [3, 3, 3, 4, 4], {}, 3.4, 3.4, id="five-at-mastery"),
        pytest.param("n_mastery", [3, 3, 3, 3], {"n": 4}, 3.0, 3.0, id="n-set-is-kept"),
    ],
)
def test_exact_and_canvas_rounding(method, scores, params, exact, canvas) -> None:
    assert calculate(method, scores, **params) == exact
    assert calculate(method, scores, rounding="canvas", **params) == canvas


@pytest.mark.parametrize(
    ("value", "ruby"),
    [(2.9949999999999997, 2.99), (1.005, 1.01), (2.675, 2.68), (-2.675, -2.68), (4.125, 4.13),
     (0.125, 0.13), (3.0, 3.0), (2.3249999999999997, 2.32)],
)
def test_canvas_round_is_rubys_float_round(value: float, ruby: float) -> None:
    """Ruby's Float#round(2) (CRuby's round_half_up): 1.005.round(2) is 1.01 in Ruby."""
    assert canvas_round(value) == ruby
    assert canvas_round_array(np.array([value]))[0] == ruby


def test_exact_rounding_absorbs_binary_noise() -> None:
    assert half_up(2.9949999999999997) == 3.0
    assert half_up(2.3249999999999997) == 2.33


def test_n_mastery_without_mastery_points_has_no_level() -> None:
    assert calculate("n_mastery", [3, 4, 4], mastery_points=None) is None
    assert calculate("n_mastery", [3, 4, 4], rounding="canvas", mastery_points=None) is None


def test_a_canvas_policy_is_not_mastered_at_2_99(book) -> None:
    for day, score in (("2024-10-01", 2), ("2024-10-02", 3), ("2024-10-03", 3)):
        book.add(score, day)
    policy = Policy(method="decaying_average", weight=99)
    exact = book.row(policy)
    canvas = book.row(dataclasses.replace(policy, rounding=Rounding.CANVAS))
    assert (exact.level, exact.status) == (3.0, "mastered")
    assert (canvas.level, canvas.status) == (2.99, "on_track")
    assert "decaying average 2.99 (Approaching)" in canvas.explanation


def test_canvas_n_mastery_counts_every_result(book) -> None:
    book.add(3, "2024-10-01").add(4, "2024-10-01").add(3, "2024-10-05")
    exact = book.row(Policy(method="n_mastery"))
    canvas = book.row(Policy(method="n_mastery", distinct_dates=False, rounding=Rounding.CANVAS))
    assert (exact.status, exact.label) == ("on_track", "On track (2 of 3)")
    assert (canvas.status, canvas.level) == ("mastered", 3.33)


@st.composite
def _cells(draw: st.DrawFn) -> tuple[str, list[list[float]], dict[str, float]]:
    method = draw(st.sampled_from(["average", "decaying_average", "n_mastery",
                                   "standard_decaying_average", "median"]))
    params = {
        "decaying_average": {"weight": draw(st.integers(1, 99))},
        "standard_decaying_average": {"weight": draw(st.integers(50, 99))},
        "n_mastery": {"n": draw(st.integers(1, 5)), "mastery_points": 3.0},
    }.get(method, {})
    scores = st.lists(st.sampled_from([x / 20 for x in range(20, 101)]), min_size=1, max_size=8)
    return method, draw(st.lists(scores, min_size=1, max_size=5)), params


@settings(max_examples=300, deadline=None)
@given(_cells())
def test_canvas_vectorised_twin_equals_calculate(case) -> None:
    """The engine's many-cell pass rounds as Canvas does, cell by cell, like calculate."""
    key, cells, params = case
    values = np.array([s for cell in cells for s in cell], dtype=np.float64)
    group = np.repeat(np.arange(len(cells)), [len(c) for c in cells]).astype(np.int64)
    twin = canvas_round_array(METHODS[key].vector(Groups(values, group, len(cells)), **params))
    for cell, got in zip(cells, twin, strict=True):
        expected = calculate(key, cell, rounding="canvas", **params)
        assert (math.isnan(got) and expected is None) or got == expected, (cell, params)
