"""Drive v3 `files.list` search queries (`q`): the terms Hive and gspread send, joined by `and`.

Supported terms: `'<id>' in parents` (and gspread's `parents in "<id>"`), `trashed = true|false`,
`mimeType = '...'`, `name = '...'` (both also with `!=`), and
`appProperties has { key='k' and value='v' }`. Anything else is Google's 400 `Invalid Value`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sheets_backend.sheets.local.errors import ApiError

_TOKEN = re.compile(
    r"""\s*(?:(?P<string>'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")|(?P<op>!=|=|\{|\})"""
    r"""|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"""
)
_STRING_FIELDS = {"name": "name", "mimeType": "mimeType"}


@dataclass(frozen=True)
class Term:
    """One condition of a query; `matches` reads a file resource (`parents`, `appProperties`...)."""

    field: str
    op: str
    value: Any

    def matches(self, item: Mapping[str, Any]) -> bool:
        if self.field == "parents":
            return self.value in item.get("parents", [])
        if self.field == "appProperties":
            key, value = self.value
            return (item.get("appProperties") or {}).get(key) == value
        equal = item.get(self.field) == self.value
        return equal if self.op == "=" else not equal


def invalid(parameter: str = "q") -> ApiError:
    """Drive's answer to a query (or other parameter) it cannot use."""
    return ApiError(400, "Invalid Value", errors=[{
        "message": "Invalid Value", "domain": "global", "reason": "invalid",
        "location": parameter, "locationType": "parameter",
    }])


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise invalid()
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out.append((kind, value))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.pos = tokens, 0

    def take(self, kind: str, word: str | None = None) -> str:
        if self.pos >= len(self.tokens):
            raise invalid()
        got_kind, got = self.tokens[self.pos]
        if got_kind != kind or (word is not None and got.lower() != word.lower()):
            raise invalid()
        self.pos += 1
        return got

    def peek(self, kind: str, word: str | None = None) -> bool:
        if self.pos >= len(self.tokens):
            return False
        got_kind, got = self.tokens[self.pos]
        return got_kind == kind and (word is None or got.lower() == word.lower())

    def term(self) -> Term:
        if self.peek("string"):  # '<id>' in parents
            value = self.take("string")
            self.take("word", "in")
            self.take("word", "parents")
            return Term("parents", "in", value)
        name = self.take("word")
        if name == "parents":  # gspread's spelling: parents in "<id>"
            self.take("word", "in")
            return Term("parents", "in", self.take("string"))
        if name == "appProperties":
            self.take("word", "has")
            self.take("op", "{")
            self.take("word", "key")
            self.take("op", "=")
            key = self.take("string")
            self.take("word", "and")
            self.take("word", "value")
            self.take("op", "=")
            value = self.take("string")
            self.take("op", "}")
            return Term("appProperties", "has", (key, value))
        op = self.take("op")
        if op not in ("=", "!="):
            raise invalid()
        if name == "trashed":
            flag = self.take("word").lower()
            if flag not in ("true", "false"):
                raise invalid()
            return Term("trashed", op, flag == "true")
        if name in _STRING_FIELDS:
            return Term(_STRING_FIELDS[name], op, self.take("string"))
        raise invalid()


def parse(text: str) -> Callable[[Mapping[str, Any]], bool]:
    """A predicate over file resources; `Invalid Value` (400) for anything not supported.

    >>> match = parse("'f1' in parents and trashed = false")
    >>> match({"parents": ["f1"], "trashed": False}), match({"parents": ["f2"], "trashed": False})
    (True, False)
    """
    tokens = _tokens(text)
    if not tokens:
        return lambda item: True
    parser = _Parser(tokens)
    terms = [parser.term()]
    while parser.pos < len(tokens):
        parser.take("word", "and")
        terms.append(parser.term())
    return lambda item: all(t.matches(item) for t in terms)
