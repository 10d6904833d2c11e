"""calculate() and the METHODS registry: each method, its parameters, and its vectorised twin."""

from __future__ import annotations

import doctest
import importlib
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_engine import METHODS, PolicyError, calculate, half_up
from policy_engine.vectorised import Groups, half_up_array


@pytest.mark.parametrize(
    "module",
    ["policy_engine.methods", "policy_engine.evaluate", "policy_engine.model",
     "policy_engine.vectorised", "policy_engine.rules", "policy_engine.overrides",
     "policy_engine.retakes", "policy_engine.report_card", "policy_engine.words",
     "policy_engine.pieces", "policy_engine.keys"],
)
def test_docstring_examples_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize(
    ("method", "scores", "params", "expected"),
    [
        pytest.param("highest", [2, 4, 3], {}, 4, id="highest"),
        pytest.param("highest", [4, 2, 3], {"recent": 2}, 3, id="highest-recent"),
        pytest.param("latest", [4, 1, 3], {}, 3, id="latest"),
        pytest.param("average", [4, 3, 3, 4], {}, 3.5, id="average"),
        pytest.param("mean", [1, 2], {}, 1.5, id="mean-alias"),
        pytest.param("average", [1, 1, 4, 4], {"recent": 2}, 4, id="average-recent"),
        pytest.param("average", [1, 2, 2], {}, 1.67, id="average-rounds"),
        pytest.param("median", [1, 2, 3, 40], {}, 2.5, id="median-even"),
        pytest.param("median", [5, 70, 6], {}, 6, id="median-odd"),
        pytest.param("mode", [1, 2, 3, 3, 4], {}, 3, id="mode"),
        pytest.param("mode", [3, 4, 4, 3], {}, 3, id="mode-tie-most-recent-wins"),
        pytest.param("mode", [4, 3, 3, 4], {}, 4, id="mode-tie-other-way"),
        pytest.param("mode", [4, 4, 1, 2], {"recent": 2}, 2, id="mode-recent"),
        pytest.param("n_mastery", [1, 2, 3, 4, 5], {"n": 3, "mastery_points": 3}, 4,
                     id="n-mastery-mean-of-all-at-or-above"),
        pytest.param("n_mastery", [1, 2, 3, 4, 5], {"n": 4, "mastery_points": 3}, None,
                     id="n-mastery-not-yet"),
        pytest.param("decaying_average", [1, 2, 3, 4, 5], {}, 4.13, id="decaying-half-up"),
        pytest.param("decaying_average", [3], {"weight": 75}, 3, id="decaying-one-score"),
        pytest.param("standard_decaying_average", [2, 3, 4], {"weight": 65}, 3.53,
                     id="standard-decaying"),
        pytest.param("standard_decaying_average", [4], {}, 4, id="standard-one-score"),
        pytest.param("power_law", [2, 3], {}, 3, id="power-law"),
        pytest.param("power_law", [3], {}, 3, id="power-law-one-score"),
        pytest.param("power_law", [0, 2, 4], {}, 2, id="power-law-zero-falls-back-to-mean"),
        pytest.param("highest", [None, 2, None], {}, 2, id="none-dropped"),
        pytest.param("highest", [0], {}, 0, id="zero-is-real"),
        pytest.param("average", [None], {}, None, id="nothing-left"),
        pytest.param("latest", [], {}, None, id="empty"),
    ],
)
def test_calculate(method: str, scores: list[float | None], params: dict[str, float],
                   expected: float | None) -> None:
    assert calculate(method, scores, **params) == expected


def test_half_up_rounds_halves_up_not_to_even() -> None:
    assert half_up(4.125) == 4.13 and half_up(2.675) == 2.68 and half_up(0.005) == 0.01
    assert half_up(-1.005) == -1.01 and half_up(3.5275) == 3.53


@pytest.mark.parametrize(
    ("method", "params", "setting", "allowed"),
    [
        pytest.param("n_mastery", {"n": 0}, "n", "1..10", id="n-low"),
        pytest.param("n_mastery", {"n": 11}, "n", "1..10", id="n-high"),
        pytest.param("n_mastery", {"n": 2.5}, "n", "1..10", id="n-fraction"),
        pytest.param("decaying_average", {"weight": 0}, "weight", "1..99", id="weight-low"),
        pytest.param("decaying_average", {"weight": 100}, "weight", "1..99", id="weight-high"),
        pytest.param("decaying_average", {"weight": None}, "weight", "1..99", id="weight-none"),
        pytest.param("standard_decaying_average", {"weight": 49}, "weight", "50..99",
                     id="standard-weight"),
        pytest.param("average", {"recent": 0}, "recent", "1..99", id="recent"),
        pytest.param("highest", {"weight": 65}, "weight", "not taken by highest",
                     id="param-not-taken"),
        pytest.param("power_law", {"recent": 2}, "recent", "not taken by power_law",
                     id="power-law-takes-none"),
        pytest.param("n_mastery", {"mastery_points": "3"}, "mastery_points", "a number",
                     id="mastery-points"),
        pytest.param("guess", {}, "method", None, id="unknown-method"),
    ],
)
def test_bad_parameters_name_the_setting(method, params, setting, allowed) -> None:
    with pytest.raises(PolicyError) as caught:
        calculate(method, [1, 2, 3], **params)
    assert caught.value.setting == setting
    assert allowed is None or caught.value.allowed == allowed
    assert setting in str(caught.value)


def test_policy_error_is_a_value_error() -> None:
    assert issubclass(PolicyError, ValueError)


SCORES = st.one_of(
    st.lists(st.sampled_from([x / 4 for x in range(17)]), max_size=12),
    st.lists(st.integers(0, 100).map(float), max_size=12),
)
PARAMS = {
    "n_mastery": st.fixed_dictionaries({"n": st.integers(1, 10),
                                        "mastery_points": st.sampled_from([1.0, 2.5, 3.0, 70.0])}),
    "decaying_average": st.fixed_dictionaries({"weight": st.integers(1, 99)}),
    "standard_decaying_average": st.fixed_dictionaries({"weight": st.integers(50, 99)}),
    "power_law": st.just({}),
}
RECENT_PARAMS = st.one_of(st.just({}), st.fixed_dictionaries({"recent": st.integers(1, 99)}))


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, list[list[float]], dict[str, float]]:
    method = draw(st.sampled_from(sorted(METHODS)))
    params = draw(PARAMS.get(method.replace("demonstrations", "n_mastery"), RECENT_PARAMS))
    return method, draw(st.lists(SCORES, min_size=1, max_size=6)), params


@settings(max_examples=300, deadline=None)
@given(cases())
def test_vectorised_twin_equals_calculate(case: tuple[str, list[list[float]], dict]) -> None:
    key, cells, params = case
    method = METHODS[key]
    values = np.array([s for cell in cells for s in cell], dtype=np.float64)
    group = np.repeat(np.arange(len(cells)), [len(c) for c in cells]).astype(np.int64)
    groups = Groups(values, group, len(cells)).recent(params.get("recent"))
    kwargs = {k: v for k, v in params.items() if k != "recent"}
    twin = half_up_array(method.vector(groups, **kwargs))
    for cell, got in zip(cells, twin, strict=True):
        expected = calculate(key, cell, **params)
        if expected is None:
            assert math.isnan(got)
        else:
            assert got == pytest.approx(expected, abs=1e-9), (cell, params)
