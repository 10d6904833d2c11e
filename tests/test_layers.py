"""The folders show the architecture, and this keeps them honest: every import in `sheets_backend`
points down the flow of data (snapshot -> gradebook -> reports -> tabs -> publish -> service), no
module imports itself round a circle, only `service` imports Flask, and `policy_engine` never
imports Hive's edges. Imports inside functions and under TYPE_CHECKING count too: a circle that
only works because an import is late is still a circle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "sheets_backend"

# What each part of sheets_backend may import besides itself. A part is a subpackage or a module at
# the top; an entry names a part or one module of it ("sheets.snapshot": the picture a read makes,
# which the layers above read without touching the gateway).
ALLOWED: Mapping[str, frozenset[str]] = {
    "problems": frozenset(),
    "errors": frozenset({"problems"}),
    "runtime": frozenset(),
    "i18n": frozenset(),
    "sheets": frozenset({"errors", "problems"}),
    "gradebook": frozenset({"errors", "problems", "i18n", "sheets.snapshot"}),
    "reports": frozenset({"errors", "problems", "i18n", "gradebook", "sheets.snapshot"}),
    "tabs": frozenset({"errors", "problems", "i18n", "gradebook", "reports", "sheets.snapshot"}),
    "publish": frozenset(
        {"errors", "problems", "i18n", "gradebook", "reports", "tabs", "sheets.snapshot",
         "sheets.gateway", "sheets.retry"}
    ),
    "recompute": frozenset(
        {"errors", "problems", "gradebook", "reports", "tabs", "sheets.snapshot", "sheets.gateway"}
    ),
    "demo": frozenset({"errors", "problems", "gradebook"}),
    "school": frozenset(
        {"errors", "problems", "i18n", "sheets", "gradebook", "reports", "tabs", "publish",
         "recompute", "demo"}
    ),
    # Work that outlives a request: steps of publish (and the school's runs) over the layers below.
    "jobs": frozenset(
        {"errors", "problems", "i18n", "sheets.snapshot", "sheets.gateway", "sheets.retry",
         "gradebook", "reports", "tabs", "publish", "recompute", "school"}
    ),
    "service": frozenset(
        {"errors", "problems", "runtime", "i18n", "sheets", "gradebook", "reports", "tabs",
         "publish", "recompute", "school", "jobs"}
    ),
    "cli": frozenset(
        {"errors", "problems", "runtime", "i18n", "sheets", "gradebook", "reports", "tabs",
         "publish", "recompute", "demo", "school", "jobs", "service"}
    ),
    "__main__": frozenset({"cli", "runtime"}),
    "__init__": frozenset(),
}
FLASK_ONLY_IN = "service"
PURE = ("policy_engine",)  # may import nothing of sheets_backend


@dataclass(frozen=True)
class Import:
    source: str  # dotted module that imports
    target: str  # dotted module imported (a submodule when `from pkg import submodule`)
    line: int


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def sources(root: Path, packages: tuple[str, ...]) -> dict[str, str]:
    """Every module of `packages` under `root`, by dotted name, with its source."""
    found: dict[str, str] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            found[module_name(path, root)] = path.read_text("utf-8")
    return found


def imports(modules: Mapping[str, str]) -> Iterator[Import]:
    """Every import statement of every module, wherever it stands in the module."""
    for name, text in modules.items():
        is_package = f"{name}.__init__" not in modules and any(m.startswith(name + ".")
                                                                for m in modules)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(name, alias.name, node.lineno)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    yield Import(name, sub if sub in modules else base, node.lineno)


def part_of(module: str) -> str:
    """`sheets_backend.sheets.local.xlsx` -> `sheets`; `sheets_backend.cli` -> `cli`."""
    rest = module.split(".")[1:]
    return rest[0] if rest else "__init__"


def allowed(source: str, target: str) -> bool:
    own = part_of(source)
    inner = target.split(".", 1)[1] if "." in target else ""
    if part_of(target) == own:
        return True
    return any(inner == entry or inner.startswith(entry + ".") for entry in ALLOWED[own])


def violations(modules: Mapping[str, str]) -> list[str]:
    """Every import that breaks a rule, as `module:line imports target (why)`."""
    found: list[str] = []
    for imp in imports(modules):
        where = f"{imp.source}:{imp.line} imports {imp.target}"
        top = imp.target.split(".")[0]
        if imp.source.split(".")[0] in PURE:
            if top == PACKAGE:
                found.append(f"{where} (the policy engine imports nothing of sheets_backend)")
            continue
        if top == "flask" and part_of(imp.source) != FLASK_ONLY_IN:
            found.append(f"{where} (only {PACKAGE}.{FLASK_ONLY_IN} may import Flask)")
        if top == PACKAGE and imp.target != PACKAGE and not allowed(imp.source, imp.target):
            found.append(f"{where} ({part_of(imp.source)} may not import {part_of(imp.target)})")
    return found


def cycles(modules: Mapping[str, str]) -> list[list[str]]:
    """Circles in the module import graph (Tarjan's strongly connected components)."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for imp in imports(modules):
        if imp.target in modules and imp.target != imp.source:
            graph[imp.source].add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return found


@pytest.fixture(scope="module")
def real() -> dict[str, str]:
    return sources(ROOT, (PACKAGE, *PURE))


def test_every_import_points_down_the_flow_of_data(real: dict[str, str]) -> None:
    assert violations(real) == []


def test_no_module_imports_itself_round_a_circle(real: dict[str, str]) -> None:
    assert cycles(real) == []


def test_every_part_has_a_rule_and_a_docstring_saying_it(real: dict[str, str]) -> None:
    parts = {part_of(name) for name in real if name.startswith(PACKAGE)}
    assert parts <= set(ALLOWED)
    for name, text in real.items():
        if name.count(".") == 1 and f"{name}.__init__" not in real and (
            ROOT / name.replace(".", "/") / "__init__.py"
        ).exists():
            assert ast.get_docstring(ast.parse(text)), f"{name}/__init__.py says what lives there"


def test_the_top_of_sheets_backend_holds_only_what_ties_it_together() -> None:
    top = sorted(p.name for p in (ROOT / PACKAGE).glob("*.py"))
    assert len(top) <= 8, top


@pytest.mark.parametrize(
    ("module", "line", "why"),
    [
        ("sheets_backend.gradebook.template", "from sheets_backend.tabs.plan import WritePlan",
         "gradebook may not import tabs"),
        ("sheets_backend.gradebook.scores", "from sheets_backend.sheets.local import LocalSheets",
         "gradebook may not import sheets"),
        ("sheets_backend.tabs.plan", "from sheets_backend.service.app import create_app",
         "tabs may not import service"),
        ("sheets_backend.sheets.gateway", "from sheets_backend.gradebook.template import Gradebook",
         "sheets may not import gradebook"),
        ("sheets_backend.recompute", "import flask", "only sheets_backend.service may import Flask"),
        ("policy_engine.evaluate", "    from sheets_backend.problems import Problem",
         "the policy engine imports nothing of sheets_backend"),
    ],
    ids=["gradebook->tabs", "gradebook->sheets.local", "tabs->service", "sheets->gradebook",
         "flask-outside-service", "engine->backend"],
)
def test_a_forbidden_import_is_caught(real: dict[str, str], module: str, line: str, why: str) -> None:
    changed = dict(real)
    body = f"def late():\n{line}\n" if line.startswith(" ") else line + "\n"
    changed[module] = real[module] + "\n" + body
    assert violations(real) == []
    assert any(why in v and v.startswith(module) for v in violations(changed))


def test_a_circle_is_caught(real: dict[str, str]) -> None:
    changed = dict(real)
    changed["sheets_backend.sheets.local.transport"] = (
        real["sheets_backend.sheets.local.transport"]
        + "\nfrom sheets_backend.sheets.local.service import LocalSheets\n"
    )
    found = cycles(changed)
    assert any({"sheets_backend.sheets.local.service", "sheets_backend.sheets.local.transport"}
               <= set(c) for c in found)


def test_the_architecture_doc_shows_every_folder_and_its_rule() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    folders = sorted(p.parent.name for p in (ROOT / PACKAGE).glob("*/__init__.py"))
    assert folders, "sheets_backend has subpackages"
    for folder in folders:
        assert f"  {folder}/ " in text, f"docs/architecture.md shows sheets_backend/{folder}/"
    assert "tests/test_layers.py" in text
