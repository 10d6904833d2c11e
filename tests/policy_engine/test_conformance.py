"""Peer conformance: every vector of ../shared/conformance/peer_vectors.json whose method Hive has.

Vectors that describe peer-specific displays are listed in UNSUPPORTED with the reason, and
docs/policies.md says the same; a new kind of vector fails until it is mapped or listed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from policy_engine import PolicyError, calculate

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
VECTORS = SHARED / "conformance" / "peer_vectors.json"

# peer method -> (Hive method, {peer param: Hive param})
SUPPORTED: dict[str, tuple[str, dict[str, str]]] = {
    "canvas.highest": ("highest", {}),
    "canvas.latest": ("latest", {}),
    "canvas.n_mastery": ("n_mastery", {"calculation_int": "n", "mastery_points": "mastery_points"}),
    "canvas.weighted_average": ("decaying_average", {"calculation_int": "weight"}),
    "canvas.standard_decaying_average": ("standard_decaying_average",
                                         {"calculation_int": "weight"}),
    "otus.decaying_average": ("standard_decaying_average", {"recent_weight_percent": "weight"}),
    "educate.mode": ("mode", {}),
    "educate.average": ("average", {}),
    "weighted_average_65_35": ("decaying_average", {}),
    "canvas.cohort_median_of_rollups": ("median", {}),
    "power_law": ("power_law", {}),
}
UNSUPPORTED = {
    "canvas.scale_to_mastery_scale": "Hive scores are typed on the policy's scale; no rescaling",
    "canvas.scaled_score": "Canvas quiz percent -> points scaling; Hive has no points_possible",
    "canvas.scoreFromPercent": "Canvas quiz percent -> points scaling; Hive has no points_possible",
    "canvas.scaleScore": "Canvas rubric rescaling; Hive has no points_possible",
    "canvas.grade_summary_status": "Canvas display thresholds; Hive's bands come from the policy",
    "nha.auto_power_law_or_average": "automatic method choice and whole-number display",
    "streak_levels": "streak-of-symbols levels; Hive records scores, not symbols",
}


def _load() -> list[dict[str, Any]]:
    return list(json.loads(VECTORS.read_text(encoding="utf-8")))


def _id(index: int, vector: dict[str, Any]) -> str:
    note = re.sub(r"[^a-z0-9]+", "-", vector.get("note", "").lower()).strip("-")[:40]
    return f"{index:02d}-{vector['method']}-{note}".rstrip("-")


def _cases(kind: str) -> list[Any]:
    cases = []
    for index, vector in enumerate(_load()):
        method = vector["method"]
        if kind == "value" and method in SUPPORTED and isinstance(vector["scores"], list):
            cases.append(pytest.param(vector, id=_id(index, vector)))
        elif kind == method:
            cases.append(pytest.param(vector, id=_id(index, vector)))
    return cases


def _params(vector: dict[str, Any]) -> list[dict[str, Any]]:
    """Hive parameters for a vector; Canvas's nil calculation_int means the default."""
    _, mapping = SUPPORTED[vector["method"]]
    params: dict[str, Any] = {}
    for peer, ours in mapping.items():
        value = vector["params"].get(peer)
        if value is not None:
            params[ours] = value
    if isinstance(params.get("n"), str):  # "2..5 (any n<=5)": every n in the range
        low, high = map(int, re.findall(r"\d+", params["n"])[:2])
        return [{**params, "n": n} for n in range(low, high + 1)]
    return [params]


def test_every_vector_is_mapped_or_listed_as_unsupported() -> None:
    special = {"canvas.validate_calculation_int", "otus.decaying_average_weights"}
    methods = {v["method"] for v in _load()}
    assert methods <= set(SUPPORTED) | set(UNSUPPORTED) | special


@pytest.mark.parametrize("vector", _cases("value"))
def test_peer_vector(vector: dict[str, Any]) -> None:
    method, _ = SUPPORTED[vector["method"]]
    # Canvas's vectors are Canvas's numbers: its float rounding and its defaults.
    rounding = "canvas" if vector["method"].startswith("canvas.") else "exact"
    for params in _params(vector):
        got = calculate(method, vector["scores"], rounding=rounding, **params)
        expected = vector["expected"]
        if expected is None:
            assert got is None
        elif method == "power_law":  # the peer value is unrounded; Hive reports 2 decimals
            assert got == pytest.approx(expected, abs=0.005)
        else:
            assert got == pytest.approx(float(expected), abs=1e-9)


@pytest.mark.parametrize("vector", _cases("canvas.validate_calculation_int"))
def test_peer_parameter_validation(vector: dict[str, Any]) -> None:
    peer = vector["params"]["calculation_method"]
    method = {"decaying_average": "decaying_average"}.get(peer, peer)
    # Canvas's calculation_int is n or the weight; a method without one takes no such parameter.
    name = {"decaying_average": "weight", "n_mastery": "n"}.get(peer, "calculation_int")
    for value in vector["params"]["valid"]:
        params = {} if value is None else {name: value}
        calculate(method, [3, 4, 3], **params)
    for value in vector["params"]["invalid"]:
        with pytest.raises(PolicyError) as caught:
            calculate(method, [3, 4, 3], **{name: value})
        assert caught.value.setting == name


@pytest.mark.parametrize("vector", _cases("otus.decaying_average_weights"))
def test_peer_decaying_weights(vector: dict[str, Any]) -> None:
    """The weight of each score is the level of a list with 1 there and 0 elsewhere."""
    n = len(vector["scores"])
    weight = vector["params"]["recent_weight_percent"]
    weights = [calculate("standard_decaying_average", [float(i == j) for j in range(n)],
                         weight=weight) for i in range(n)]
    assert weights == vector["expected"]
