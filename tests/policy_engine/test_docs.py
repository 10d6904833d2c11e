"""docs/policies.md keeps up with the engine: every method, alias and unsupported peer vector."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from policy_engine import ALIASES, METHODS

ROOT = Path(__file__).resolve().parents[2]
DOCS = (ROOT / "docs" / "policies.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("key", [*METHODS, *ALIASES])
def test_every_method_is_documented_with_a_heading(key: str) -> None:
    assert f"`{key}`" in DOCS
    assert f"### `{ALIASES.get(key, key)}`" in DOCS


def test_every_unsupported_peer_vector_is_documented() -> None:
    spec = importlib.util.spec_from_file_location(
        "conformance", Path(__file__).with_name("test_conformance.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for method in module.UNSUPPORTED:
        assert f"`{method}`" in DOCS
