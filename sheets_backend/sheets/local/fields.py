"""Field masks (`sheets(properties,protectedRanges)`, `userEnteredFormat.textFormat.bold`)."""

from __future__ import annotations

import re
from typing import Any

from sheets_backend.sheets.local.errors import bad_request

Mask = dict[str, "Mask | None"]  # None under a name: everything below it

_TOKEN = re.compile(r"[A-Za-z0-9_*@]+|[.,/()]|\s+")


def parse_mask(text: str) -> Mask:
    """`a(b,c.d),e` -> {"a": {"b": None, "c": {"d": None}}, "e": None}."""
    tokens = [t for t in _TOKEN.findall(text) if not t.isspace()]
    if "".join(tokens) != re.sub(r"\s+", "", text):
        raise bad_request(f"Invalid field selection {text}")
    pos = 0

    def merge(tree: Mask, path: list[str], sub: Mask | None) -> None:
        node = tree
        for i, name in enumerate(path):
            last = i == len(path) - 1
            if name in node and node[name] is None:
                return
            if last:
                if sub is None or name not in node:
                    node[name] = sub
                else:
                    for k, v in sub.items():
                        merge(node[name], [k], v)  # type: ignore[arg-type]
                return
            node = node.setdefault(name, {})  # type: ignore[assignment]

    def parse_list() -> Mask:
        nonlocal pos
        tree: Mask = {}
        while True:
            path = []
            while True:
                if pos >= len(tokens) or tokens[pos] in ".,/()":
                    raise bad_request(f"Invalid field selection {text}")
                path.append(tokens[pos])
                pos += 1
                if pos < len(tokens) and tokens[pos] in "./":
                    pos += 1
                    continue
                break
            sub: Mask | None = None
            if pos < len(tokens) and tokens[pos] == "(":
                pos += 1
                sub = parse_list()
                if pos >= len(tokens) or tokens[pos] != ")":
                    raise bad_request(f"Invalid field selection {text}")
                pos += 1
            merge(tree, path, sub)
            if pos < len(tokens) and tokens[pos] == ",":
                pos += 1
                continue
            return tree

    if not tokens:
        return {}
    tree = parse_list()
    if pos != len(tokens):
        raise bad_request(f"Invalid field selection {text}")
    return tree


def select(value: Any, mask: Mask | None) -> Any:
    """Keep only the masked parts of a JSON value (lists are masked element by element)."""
    if mask is None or "*" in mask:
        return value
    if isinstance(value, list):
        return [select(v, mask) for v in value]
    if isinstance(value, dict):
        return {k: select(value[k], sub) for k, sub in mask.items() if k in value}
    return value


def paths(mask: Mask, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The leaf paths of a mask: {"a": {"b": None}} -> [("a", "b")]."""
    out: list[tuple[str, ...]] = []
    for name, sub in mask.items():
        if sub is None:
            out.append((*prefix, name))
        else:
            out.extend(paths(sub, (*prefix, name)))
    return out


def subtree(mask: Mask | None, *names: str) -> Mask | None | bool:
    """The mask below `names`; None when everything is selected, False when nothing is."""
    node: Mask | None = mask
    for name in names:
        if node is None or "*" in node:
            return None
        if name not in node:
            return False
        node = node[name]
    return node


def copy_path(
    target: dict[str, Any], source: dict[str, Any], path: tuple[str, ...]
) -> dict[str, Any]:
    """`target` with the value at `path` taken from `source` (removed when `source` lacks it).

    Returns a new dict; nested dicts along the path are copied, never changed in place."""
    head, rest = path[0], path[1:]
    out = dict(target)
    if not rest:
        if head in source and source[head] is not None:
            out[head] = source[head]
        else:
            out.pop(head, None)
        return out
    inner_source = source.get(head) if isinstance(source.get(head), dict) else {}
    inner = copy_path(out.get(head) or {}, inner_source or {}, rest)
    if inner:
        out[head] = inner
    else:
        out.pop(head, None)
    return out
