"""Reading and writing one cell of the Policy tab: a number, a scale, marks, bands, a report card.

Each reader takes what a teacher typed and returns the policy_engine value, or raises
`Unreadable` with words that say what the cell holds; sheets_backend/gradebook/policies.py names the cell.
"""

from __future__ import annotations

import re

from policy_engine import (
    ALIASES,
    METHODS,
    Band,
    Condition,
    EvidenceType,
    Grade,
    GradeRule,
    Level,
    Mark,
    MarkEffect,
    MissingWork,
    Quantifier,
    ReportBasis,
    ReportCard,
    Rounding,
    Scale,
    Status,
)
from sheets_backend.gradebook.dates import month_number


class Unreadable(ValueError):
    """A cell that cannot be read; the message says what the cell holds."""


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def key(text: object) -> str:
    """Setting names and words match case- and space-insensitively."""
    return re.sub(r"\s+", "", str(text)).casefold()


def shown(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else f"{value!r}"


def number(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        raise Unreadable(f"{shown(value)} is not a number") from None


def integer(value: object) -> int:
    whole = number(value)
    if not whole.is_integer():
        raise Unreadable(f"{shown(value)} is not a whole number")
    return int(whole)


def optional_integer(value: object) -> int | None:
    return None if key(value) in {"", "all", "none"} else integer(value)


def optional_number(value: object) -> float | None:
    return None if key(value) in {"", "none", "auto"} else number(value)


def yes_no(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = key(value)
    if word in {"yes", "y", "true"}:
        return True
    if word in {"no", "n", "false"}:
        return False
    raise Unreadable(f"{shown(value)} is not yes or no")


def method(value: object) -> str:
    name = re.sub(r"[\s-]+", "_", str(value).strip()).casefold()
    if name in METHODS or name in ALIASES:
        return ALIASES.get(name, name)
    raise Unreadable(f"{shown(value)} is not a method")


def month(value: object) -> int:
    """`August`, `Aug`, `8` -> 8 (the month a school year starts)."""
    found = month_number(value)
    if found is None:
        raise Unreadable(f"{shown(value)} is not a month")
    return found


def items(value: object) -> list[str]:
    return [item.strip() for item in str(value).split(";") if item.strip()]


_LEVEL = re.compile(r"^(-?\d+(?:\.\d+)?)\s+(.+)$")
_RANGE = re.compile(r"^(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)$")


def scale(value: object) -> Scale:
    levels: list[Level] = []
    low = high = None
    for item in items(value):
        if match := _RANGE.match(item):
            low, high = float(match[1]), float(match[2])
        elif match := _LEVEL.match(item):
            levels.append(Level(float(match[1]), match[2].strip()))
        else:
            raise Unreadable(f'"{item}" is not a level (write a number then its words: "3 Meeting")')
    if not levels:
        raise Unreadable(f"{shown(value)} has no levels")
    return Scale(tuple(levels), low, high)


def counted(value: object) -> frozenset[EvidenceType]:
    words = [w.strip() for w in re.split(r"[,;]", str(value)) if w.strip()]
    known = {t.value: t for t in EvidenceType}
    bad = [w for w in words if w.casefold() not in known]
    if bad or not words:
        raise Unreadable(f"{shown(value)} is not a list of summative, formative, update")
    return frozenset(known[w.casefold()] for w in words)


_MISSING = {"notcounted": MissingWork.NOT_COUNTED, "countsasnotyet": MissingWork.NOT_YET,
            "notyet": MissingWork.NOT_YET}


def missing(value: object) -> MissingWork:
    if key(value) in _MISSING:
        return _MISSING[key(value)]
    raise Unreadable(f"{shown(value)} is not a missing-work rule")


def rounding(value: object) -> Rounding:
    """`exact` or `Canvas`: whose arithmetic a policy's levels follow."""
    for choice in Rounding:
        if key(value) == choice.value:
            return choice
    raise Unreadable(f"{shown(value)} is not a rounding")


_MARK = re.compile(r"^(\S+)\s+(.+?)\s*=\s*(.+)$")
_EFFECTS = {"missing": MarkEffect.MISSING, "excluded": MarkEffect.EXCLUDED,
            "excused": MarkEffect.EXCLUDED, "ignored": MarkEffect.EXCLUDED,
            "flag": MarkEffect.FLAG, "flagonly": MarkEffect.FLAG, "none": MarkEffect.NONE,
            "trackedonly": MarkEffect.NONE, "tracked": MarkEffect.NONE}
_EFFECT_WORDS = {MarkEffect.MISSING: "missing", MarkEffect.EXCLUDED: "excluded",
                 MarkEffect.FLAG: "flag", MarkEffect.NONE: "none"}


def marks(value: object) -> tuple[Mark, ...]:
    found = []
    for item in items(value):
        match = _MARK.match(item)
        if not match:
            raise Unreadable(f'"{item}" is not a mark (write "NY Not Yet = 1")')
        code, label, effect = match[1].upper(), match[2], match[3].strip()
        if key(effect) in _EFFECTS:
            found.append(Mark(code, label, _EFFECTS[key(effect)]))
        else:
            try:
                found.append(Mark(code, label, MarkEffect.LEVEL, number(effect)))
            except Unreadable:
                raise Unreadable(f'"{item}": {effect} is not a level (a number), flag, none, missing '
                           "or excluded") from None
    return tuple(found)


_BAND = re.compile(r"^(.*?)\s*(#[0-9a-fA-F]{6})?$")
_BAND_ORDER = (Status.MASTERED, Status.ON_TRACK, Status.NOT_YET)


def bands(value: object) -> tuple[Band, ...]:
    parts = items(value)
    if len(parts) != len(_BAND_ORDER):
        raise Unreadable(f"{shown(value)} is not three bands (Mastered; On track; Not Yet)")
    found = []
    for status, item in zip(_BAND_ORDER, parts, strict=True):
        match = _BAND.match(item)
        if not match or not match[1]:
            raise Unreadable(f'"{item}" is not a band (write words then a colour: "Mastered #8fd1d0")')
        found.append(Band(status, match[1], (match[2] or "").lower()))
    return tuple(found)


_BASES = {"percentmet": ReportBasis.PERCENT_MET, "meanlevel": ReportBasis.MEAN_LEVEL,
          "rules": ReportBasis.RULES}
_QUANTIFIERS = {"every": Quantifier.EVERY, "all": Quantifier.EVERY, "majority": Quantifier.MAJORITY,
                "most": Quantifier.MAJORITY, "half": Quantifier.HALF, "any": Quantifier.ANY}
_CONDITION = re.compile(
    r"^(every|all|majority|most|half|any|(\d+(?:\.\d+)?)\s*%)\s+(?:at\s+)?(-?\d+(?:\.\d+)?)"
    r"(?:\s+or\s+above)?$", re.I)
RULES_EXAMPLE = '"rules: A every 3 and majority 4; B every 2; C"'


def rule(item: str) -> GradeRule:
    """`A every 3 and majority 4` -> a grade and the conditions that must all hold."""
    grade, _, rest = item.strip().partition(" ")
    conditions = []
    for part in re.split(r"\s+and\s+|\s*,\s*", rest.strip()) if rest.strip() else []:
        match = _CONDITION.match(part.strip())
        if not match:
            raise Unreadable(f'"{part.strip()}" in "{item}" is not a condition (write a quantifier - '
                       "every, majority, half, any or a percent - then a level: "
                       '"majority 4")')
        quantifier = Quantifier.PERCENT if match[2] else _QUANTIFIERS[match[1].casefold()]
        conditions.append(Condition(quantifier, float(match[3]), float(match[2] or 0)))
    return GradeRule(grade, tuple(conditions))


def report_card(value: object) -> ReportCard | None:
    if key(value) in {"", "none"}:
        return None
    basis, _, steps = str(value).partition(":")
    if key(basis) == "rules":
        rules = tuple(rule(item) for item in items(steps))
        if not rules or rules[-1].conditions:
            raise Unreadable(f"{shown(value)} must end with a grade for everyone else, with no "
                       f"condition ({RULES_EXAMPLE})")
        return ReportCard(ReportBasis.RULES, rules=rules)
    grades = []
    for item in items(steps):
        grade, _, minimum = item.rpartition(" ")
        try:
            if not grade.strip():
                raise Unreadable(item)
            grades.append(Grade(number(minimum), grade.strip()))
        except Unreadable:
            example = 'write the grade then its minimum: "A 90"'
            raise Unreadable(f'"{item}" is not a grade ({example})') from None
    if key(basis) not in _BASES or not grades:
        raise Unreadable(f"{shown(value)} is not a report card (\"percent met: A 90; B 80; F 0\" "
                   f"or {RULES_EXAMPLE})")
    return ReportCard(_BASES[key(basis)], tuple(grades))


def plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def format_marks(given: tuple[Mark, ...]) -> str:
    return "; ".join(
        f"{m.code} {m.label} = {_EFFECT_WORDS.get(m.effect) or f'{plain(m.value or 0)}'}"
        for m in given
    )
