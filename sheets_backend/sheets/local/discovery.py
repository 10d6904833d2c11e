"""Request bodies checked against Google's Sheets v4 discovery document: unknown names are a 400."""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import googleapiclient

from sheets_backend.sheets.local.errors import ApiError

Spec = tuple[Any, ...]  # ("scalar",) | ("any",) | ("ref", name) | ("array", Spec) | ("map", Spec)


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def _camel(name: str) -> str:
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), name)


@cache
def _document() -> dict[str, Any]:
    folder = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
    return json.loads((folder / "sheets.v4.json").read_text(encoding="utf-8"))["schemas"]


def _spec(prop: dict[str, Any]) -> Spec:
    if "$ref" in prop:
        return ("ref", prop["$ref"])
    kind = prop.get("type")
    if kind == "array":
        return ("array", _spec(prop.get("items", {})))
    if kind == "object" and "additionalProperties" in prop:
        return ("map", _spec(prop["additionalProperties"]))
    if kind == "any" or (kind == "object" and "properties" not in prop):
        return ("any",)
    return ("scalar",)


@cache
def _properties(schema: str) -> dict[str, tuple[Spec, str]]:
    """Each field of a schema: its spec and its snake_case name (as Google's error paths use)."""
    props = _document()[schema].get("properties", {})
    return {name: (_spec(prop), _snake(name)) for name, prop in props.items()}


@lru_cache(maxsize=4096)
def _known_shape(schema: str, keys: tuple[str, ...]) -> tuple[tuple[str, Spec, str], ...] | None:
    """For field names that are all camelCase fields of `schema`: the non-scalar ones to descend
    into, as (name, spec, snake_name). None when any name is unknown or snake_case, which the
    careful path reports or renames. A big write repeats a few shapes across thousands of cells."""
    props = _properties(schema)
    children = []
    for key in keys:
        found = props.get(key)
        if found is None:
            return None
        spec, snake = found
        if spec[0] != "scalar":
            children.append((key, spec, snake))
    return tuple(children)


def _path(node: tuple[Any, ...] | None) -> str:
    parts: list[str] = []
    while node is not None:
        node, part = node
        parts.append(part)
    text = ""
    for part in reversed(parts):
        text += part if part.startswith("[") or not text else "." + part
    return text


def check(body: Any, schema: str) -> None:
    """Raise Google's INVALID_ARGUMENT for every unknown field name in `body` (a `schema`).

    snake_case names are accepted, as Google's JSON parser does, and rewritten to camelCase."""
    violations: list[tuple[str, str]] = []

    def walk(value: Any, spec: Spec, node: tuple[Any, ...] | None) -> None:
        kind = spec[0]
        if kind == "ref":
            if type(value) is dict:
                walk_ref(value, spec[1], node)
        elif kind == "array" and isinstance(value, list):
            inner = spec[1]
            if inner[0] == "scalar":
                return
            parent, last = node if node is not None else (None, "")
            for i, item in enumerate(value):
                walk(item, inner, (parent, f"{last}[{i}]"))
        elif kind == "map" and isinstance(value, dict):
            for key, item in value.items():
                walk(item, spec[1], (node, key))

    def walk_ref(value: dict[str, Any], schema: str, node: tuple[Any, ...] | None) -> None:
        shape = _known_shape(schema, tuple(value))
        if shape is not None:
            for key, child, snake in shape:
                item = value[key]
                if child[0] == "ref":
                    if type(item) is dict:
                        walk_ref(item, child[1], (node, snake))
                else:
                    walk(item, child, (node, snake))
            return
        props = _properties(schema)
        renames = []
        for key, item in value.items():
            found = props.get(key)
            if found is None:
                camel = _camel(key)
                found = props.get(camel) if camel != key else None
                if found is None:
                    where = _path(node)
                    at = f" at '{where}'" if where else ""
                    message = f'Invalid JSON payload received. Unknown name "{key}"{at}: '
                    violations.append((where, message + "Cannot find field."))
                    continue
                renames.append((key, camel))
            child, snake = found
            if child[0] != "scalar":
                walk(item, child, (node, snake))
        for key, camel in renames:
            value[camel] = value.pop(key)

    walk(body, ("ref", schema), None)
    if violations:
        raise ApiError(
            400,
            "\n".join(message for _, message in violations),
            details=[
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [
                        {"field": field, "description": message} for field, message in violations
                    ],
                }
            ],
        )
