"""Fixtures that build real things: real workbooks on disk, real snapshots, a real local service."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
from workbooks import BASE_TABS, Rows, write_workbook


@pytest.fixture
def base_tabs() -> dict[str, Rows]:
    """A small gradebook whose every status is known by hand (see test_recompute.py)."""
    return copy.deepcopy(BASE_TABS)


@pytest.fixture
def workbook(tmp_path: Path, base_tabs: dict[str, Rows]) -> Callable[..., Path]:
    """`workbook()` writes the base gradebook; `workbook(tabs)` writes any tabs."""

    def make(tabs: dict[str, Rows] | None = None, name: str = "gradebook.xlsx") -> Path:
        return write_workbook(tmp_path / name, base_tabs if tabs is None else tabs)

    return make
