"""policy_engine/README.md's rule, enforced: no I/O libraries, no environment, no clock."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "policy_engine"
FORBIDDEN_MODULES = {"gspread", "flask", "requests", "openpyxl", "httpx", "urllib", "socket",
                     "sheets_backend", "time", "os", "subprocess", "pathlib", "io", "shutil"}
FORBIDDEN_CALLS = {"now", "today", "utcnow", "getenv", "environ", "open", "read_csv",
                   "read_excel", "to_csv", "perf_counter", "time", "monotonic"}


def _sources() -> list[Path]:
    return sorted(ENGINE.glob("**/*.py"))


def test_the_rule_is_written_down() -> None:
    readme = (ENGINE / "README.md").read_text(encoding="utf-8")
    for word in ("no I/O", "gspread", "flask", "requests", "openpyxl", "environment", "clock"):
        assert word in readme


@pytest.mark.parametrize("source", _sources(), ids=lambda p: p.name)
def test_engine_module_does_no_io(source: Path) -> None:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN_MODULES, f"{source.name} imports {name}"
        if isinstance(node, ast.Attribute | ast.Name):
            word = node.attr if isinstance(node, ast.Attribute) else node.id
            assert word not in FORBIDDEN_CALLS, f"{source.name}:{node.lineno} uses {word}"
