"""The docs keep up with the code: every reason, error code and output tab is documented."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from sheets_backend import errors
from sheets_backend.problems import Reason
from sheets_backend.recompute import OUTPUT_TABS

DOCS = Path(__file__).resolve().parents[1] / "docs"
TEXT = " ".join(p.read_text(encoding="utf-8") for p in DOCS.glob("*.md"))


@pytest.mark.parametrize("reason", list(Reason), ids=lambda r: r.value)
def test_every_problem_reason_is_documented(reason: Reason) -> None:
    assert f"`{reason.value}`" in (DOCS / "template.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "error",
    [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, errors.HiveError)],
    ids=lambda c: c.code,
)
def test_every_error_code_is_documented(error: type[errors.HiveError]) -> None:
    assert error.code in TEXT


@pytest.mark.parametrize("tab", OUTPUT_TABS)
def test_every_output_tab_is_documented(tab: str) -> None:
    assert f"`{tab}`" in (DOCS / "template.md").read_text(encoding="utf-8")
