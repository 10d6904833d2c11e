"""Cell values in and out: USER_ENTERED parsing, trivial formula evaluation, formatted strings."""

from __future__ import annotations

import ast
import operator
import re
from datetime import datetime, timedelta
from typing import Any

from sheets_backend.sheets.local.model import Formula, plain_number

EPOCH = datetime(1899, 12, 30)  # day 0 of Sheets (and Excel) serial dates

_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d*)(\.\d*)?([eE][+-]?\d+)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_PERCENT = re.compile(r"^[+-]?\d+(\.\d*)?%$")

_OPS: dict[type, Any] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


_ARITHMETIC = re.compile(r"^=[\s\d.+\-*/^()eE]*$")


def evaluate(formula: str) -> Any:
    """The value of a plain-arithmetic formula (`=4/2`, `= 1 / 1024`); None for anything else.

    Only arithmetic is evaluated: the service stores formulas, it is not a spreadsheet engine."""
    if not _ARITHMETIC.match(formula):
        return None  # a function call (SPARKLINE, SUM...) is stored, never evaluated
    try:
        tree = ast.parse(formula[1:].strip().replace("^", "**"), mode="eval")
    except (SyntaxError, ValueError):
        return None

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.operand))
        raise ValueError("not arithmetic")

    try:
        return plain_number(float(walk(tree)))
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return None


def serial(moment: datetime) -> float | int:
    """A datetime as a Sheets serial number (days since 1899-12-30)."""
    return plain_number((moment - EPOCH) / timedelta(days=1))


def parse_user_entered(value: Any) -> tuple[Any, dict[str, str] | None]:
    """What typing `value` into a cell stores: (value, numberFormat to set or None)."""
    if not isinstance(value, str):
        return (plain_number(value) if isinstance(value, float) else value), None
    text = value
    if text == "":
        return None, None
    if text.startswith("'"):
        return text[1:], None
    if text.startswith("="):
        return Formula(text, evaluate(text)), None
    stripped = text.strip()
    upper = stripped.upper()
    if upper in ("TRUE", "FALSE"):
        return upper == "TRUE", None
    if _NUMBER.match(stripped) and any(ch.isdigit() for ch in stripped):
        number = plain_number(float(stripped.replace(",", "")))
        if "," in stripped:
            decimals = len(stripped.partition(".")[2]) if "." in stripped else 0
            pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
            return number, {"type": "NUMBER", "pattern": pattern}
        return number, None
    if _PERCENT.match(stripped):
        return plain_number(float(stripped[:-1]) / 100), {"type": "PERCENT", "pattern": "0%"}
    for regex, order, pattern in (
        (_ISO_DATE, (0, 1, 2), "yyyy-mm-dd"),
        (_US_DATE, (2, 0, 1), "M/d/yyyy"),
    ):
        m = regex.match(stripped)
        if m:
            parts = [int(g) for g in m.groups()]
            try:
                moment = datetime(parts[order[0]], parts[order[1]], parts[order[2]])
            except ValueError:
                break
            return serial(moment), {"type": "DATE", "pattern": pattern}
    return text, None


def is_date_format(number_format: dict[str, Any] | None) -> bool:
    return bool(number_format) and number_format.get("type") in ("DATE", "TIME", "DATE_TIME")


def format_general(value: float | int) -> str:
    """Sheets' automatic number format."""
    if isinstance(value, int):
        return str(value)
    text = f"{value:.15g}"
    if "e" in text:
        mantissa, _, exponent = text.partition("e")
        return f"{mantissa}E{exponent[0]}{exponent[1:].zfill(2)}"
    return text


_DATE_TOKENS = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|.", re.IGNORECASE)


def format_date(value: float, pattern: str) -> str:
    """Render a serial number with a date/time pattern (the common tokens only)."""
    moment = EPOCH + timedelta(days=value)
    out: list[str] = []
    tokens = _DATE_TOKENS.findall(pattern)
    for i, token in enumerate(tokens):
        low = token.lower()
        # `m`/`mm` means minutes right after an hour or right before seconds.
        near_time = (i > 0 and tokens[i - 1].lower() in ("h", "hh", ":")) or (
            i + 2 < len(tokens) and tokens[i + 1] == ":" and tokens[i + 2].lower() in ("s", "ss")
        )
        if low == "yyyy":
            out.append(f"{moment.year:04d}")
        elif low == "yy":
            out.append(f"{moment.year % 100:02d}")
        elif low == "mmmm":
            out.append(moment.strftime("%B"))
        elif low == "mmm":
            out.append(moment.strftime("%b"))
        elif low in ("mm", "m"):
            number = moment.minute if near_time else moment.month
            out.append(f"{number:02d}" if low == "mm" else str(number))
        elif low == "dddd":
            out.append(moment.strftime("%A"))
        elif low == "ddd":
            out.append(moment.strftime("%a"))
        elif low in ("dd", "d"):
            out.append(f"{moment.day:02d}" if low == "dd" else str(moment.day))
        elif low in ("hh", "h"):
            out.append(f"{moment.hour:02d}" if low == "hh" else str(moment.hour))
        elif low in ("ss", "s"):
            out.append(f"{moment.second:02d}" if low == "ss" else str(moment.second))
        elif low == "am/pm":
            out.append("AM" if moment.hour < 12 else "PM")
        else:
            out.append(token.strip('"\\'))
    return "".join(out)


def format_number(value: float | int, number_format: dict[str, Any] | None) -> str:
    """A number as FORMATTED_VALUE shows it, for the patterns this service writes or reads."""
    if not number_format:
        return format_general(value)
    kind = number_format.get("type", "NUMBER")
    pattern = number_format.get("pattern", "")
    if kind in ("DATE", "TIME", "DATE_TIME") and pattern:
        return format_date(float(value), pattern)
    if not pattern or pattern.lower() == "general":
        return format_general(value)
    section = pattern.split(";")[0]
    percent = section.endswith("%")
    body = section.rstrip("%")
    number = value * 100 if percent else value
    decimals = len(body.partition(".")[2].rstrip("#")) if "." in body else 0
    grouping = "," in body
    text = f"{number:{',' if grouping else ''}.{decimals}f}"
    return text + ("%" if percent else "")


def formatted(value: Any, number_format: dict[str, Any] | None) -> str:
    """FORMATTED_VALUE of a stored value (a Formula shows its value; unevaluated shows "")."""
    if isinstance(value, Formula):
        value = value.value
        if value is None:
            return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return format_number(value, number_format)
    return "" if value is None else str(value)
