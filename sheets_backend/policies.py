"""The Policy tab (or the shipped YAML library) -> `policy_engine.Policy` objects, and back."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from policy_engine import (
    ALIASES,
    METHODS,
    SCHOOL_MARKS,
    Band,
    Condition,
    EvidenceType,
    Grade,
    GradeRule,
    Level,
    Mark,
    MarkEffect,
    MissingWork,
    Policy,
    PolicyError,
    Quantifier,
    ReportBasis,
    ReportCard,
    Scale,
    Status,
    validate,
)
from sheets_backend.problems import Problem, Reason, cell_ref

LIBRARY_PATH = Path(__file__).with_name("policy_library.yaml")
DEFAULT_LIBRARY_POLICY = "MS 442: 3 demonstrations"


class _Bad(ValueError):
    """A cell that cannot be read; the message says what the cell holds."""


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _key(text: object) -> str:
    """Setting names and words match case- and space-insensitively."""
    return re.sub(r"\s+", "", str(text)).casefold()


def _shown(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else f"{value!r}"


def _number(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        raise _Bad(f"{_shown(value)} is not a number") from None


def _integer(value: object) -> int:
    number = _number(value)
    if not number.is_integer():
        raise _Bad(f"{_shown(value)} is not a whole number")
    return int(number)


def _optional_integer(value: object) -> int | None:
    return None if _key(value) in {"", "all", "none"} else _integer(value)


def _optional_number(value: object) -> float | None:
    return None if _key(value) in {"", "none", "auto"} else _number(value)


def _yes_no(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = _key(value)
    if word in {"yes", "y", "true"}:
        return True
    if word in {"no", "n", "false"}:
        return False
    raise _Bad(f"{_shown(value)} is not yes or no")


def _method(value: object) -> str:
    key = re.sub(r"[\s-]+", "_", str(value).strip()).casefold()
    if key in METHODS or key in ALIASES:
        return ALIASES.get(key, key)
    raise _Bad(f"{_shown(value)} is not a method")


def _items(value: object) -> list[str]:
    return [item.strip() for item in str(value).split(";") if item.strip()]


_LEVEL = re.compile(r"^(-?\d+(?:\.\d+)?)\s+(.+)$")
_RANGE = re.compile(r"^(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)$")


def _scale(value: object) -> Scale:
    levels: list[Level] = []
    low = high = None
    for item in _items(value):
        if match := _RANGE.match(item):
            low, high = float(match[1]), float(match[2])
        elif match := _LEVEL.match(item):
            levels.append(Level(float(match[1]), match[2].strip()))
        else:
            raise _Bad(f'"{item}" is not a level (write a number then its words: "3 Meeting")')
    if not levels:
        raise _Bad(f"{_shown(value)} has no levels")
    return Scale(tuple(levels), low, high)


def _counted(value: object) -> frozenset[EvidenceType]:
    words = [w.strip() for w in re.split(r"[,;]", str(value)) if w.strip()]
    known = {t.value: t for t in EvidenceType}
    bad = [w for w in words if w.casefold() not in known]
    if bad or not words:
        raise _Bad(f"{_shown(value)} is not a list of summative, formative, update")
    return frozenset(known[w.casefold()] for w in words)


_MISSING = {"notcounted": MissingWork.NOT_COUNTED, "countsasnotyet": MissingWork.NOT_YET,
            "notyet": MissingWork.NOT_YET}


def _missing(value: object) -> MissingWork:
    if _key(value) in _MISSING:
        return _MISSING[_key(value)]
    raise _Bad(f"{_shown(value)} is not a missing-work rule")


_MARK = re.compile(r"^(\S+)\s+(.+?)\s*=\s*(.+)$")
_EFFECTS = {"missing": MarkEffect.MISSING, "excluded": MarkEffect.EXCLUDED,
            "excused": MarkEffect.EXCLUDED, "ignored": MarkEffect.EXCLUDED,
            "flag": MarkEffect.FLAG, "flagonly": MarkEffect.FLAG, "none": MarkEffect.NONE,
            "trackedonly": MarkEffect.NONE, "tracked": MarkEffect.NONE}
_EFFECT_WORDS = {MarkEffect.MISSING: "missing", MarkEffect.EXCLUDED: "excluded",
                 MarkEffect.FLAG: "flag", MarkEffect.NONE: "none"}


def _marks(value: object) -> tuple[Mark, ...]:
    marks = []
    for item in _items(value):
        match = _MARK.match(item)
        if not match:
            raise _Bad(f'"{item}" is not a mark (write "NY Not Yet = 1")')
        code, label, effect = match[1].upper(), match[2], match[3].strip()
        if _key(effect) in _EFFECTS:
            marks.append(Mark(code, label, _EFFECTS[_key(effect)]))
        else:
            try:
                marks.append(Mark(code, label, MarkEffect.LEVEL, _number(effect)))
            except _Bad:
                raise _Bad(f'"{item}": {effect} is not a level (a number), flag, none, missing '
                           "or excluded") from None
    return tuple(marks)


_BAND = re.compile(r"^(.*?)\s*(#[0-9a-fA-F]{6})?$")
_BAND_ORDER = (Status.MASTERED, Status.ON_TRACK, Status.NOT_YET)


def _bands(value: object) -> tuple[Band, ...]:
    items = _items(value)
    if len(items) != len(_BAND_ORDER):
        raise _Bad(f"{_shown(value)} is not three bands (Mastered; On track; Not Yet)")
    bands = []
    for status, item in zip(_BAND_ORDER, items, strict=True):
        match = _BAND.match(item)
        if not match or not match[1]:
            raise _Bad(f'"{item}" is not a band (write words then a colour: "Mastered #8fd1d0")')
        bands.append(Band(status, match[1], (match[2] or "").lower()))
    return tuple(bands)


_BASES = {"percentmet": ReportBasis.PERCENT_MET, "meanlevel": ReportBasis.MEAN_LEVEL,
          "rules": ReportBasis.RULES}
_QUANTIFIERS = {"every": Quantifier.EVERY, "all": Quantifier.EVERY, "majority": Quantifier.MAJORITY,
                "most": Quantifier.MAJORITY, "half": Quantifier.HALF, "any": Quantifier.ANY}
_CONDITION = re.compile(
    r"^(every|all|majority|most|half|any|(\d+(?:\.\d+)?)\s*%)\s+(?:at\s+)?(-?\d+(?:\.\d+)?)"
    r"(?:\s+or\s+above)?$", re.I)
_RULES_EXAMPLE = '"rules: A every 3 and majority 4; B every 2; C"'


def _rule(item: str) -> GradeRule:
    """`A every 3 and majority 4` -> a grade and the conditions that must all hold."""
    grade, _, rest = item.strip().partition(" ")
    conditions = []
    for part in re.split(r"\s+and\s+|\s*,\s*", rest.strip()) if rest.strip() else []:
        match = _CONDITION.match(part.strip())
        if not match:
            raise _Bad(f'"{part.strip()}" in "{item}" is not a condition (write a quantifier - '
                       "every, majority, half, any or a percent - then a level: "
                       '"majority 4")')
        quantifier = Quantifier.PERCENT if match[2] else _QUANTIFIERS[match[1].casefold()]
        conditions.append(Condition(quantifier, float(match[3]), float(match[2] or 0)))
    return GradeRule(grade, tuple(conditions))


def _report_card(value: object) -> ReportCard | None:
    if _key(value) in {"", "none"}:
        return None
    basis, _, steps = str(value).partition(":")
    if _key(basis) == "rules":
        rules = tuple(_rule(item) for item in _items(steps))
        if not rules or rules[-1].conditions:
            raise _Bad(f"{_shown(value)} must end with a grade for everyone else, with no "
                       f"condition ({_RULES_EXAMPLE})")
        return ReportCard(ReportBasis.RULES, rules=rules)
    grades = []
    for item in _items(steps):
        grade, _, minimum = item.rpartition(" ")
        try:
            if not grade.strip():
                raise _Bad(item)
            grades.append(Grade(_number(minimum), grade.strip()))
        except _Bad:
            example = 'write the grade then its minimum: "A 90"'
            raise _Bad(f'"{item}" is not a grade ({example})') from None
    if _key(basis) not in _BASES or not grades:
        raise _Bad(f"{_shown(value)} is not a report card (\"percent met: A 90; B 80; F 0\" "
                   f"or {_RULES_EXAMPLE})")
    return ReportCard(_BASES[_key(basis)], tuple(grades))


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _format_marks(marks: tuple[Mark, ...]) -> str:
    return "; ".join(
        f"{m.code} {m.label} = {_EFFECT_WORDS.get(m.effect) or f'{_num(m.value or 0)}'}"
        for m in marks
    )


@dataclass(frozen=True)
class Setting:
    """One row of the Policy tab: its words, the Policy field it sets, how to read and write it."""

    name: str
    field: str
    allowed: str
    help: str
    parse: Callable[[object], Any]
    show: Callable[[Any], object] = str
    aliases: tuple[str, ...] = ()


SETTINGS: tuple[Setting, ...] = (
    Setting("Method", "method", "one of " + ", ".join(METHODS),
            "How evidence becomes a level (see the methods in docs/policies.md).", _method),
    Setting("Demonstrations needed (n)", "n", "1..10",
            "Demonstrations at or above the mastery threshold needed for Mastered.", _integer,
            aliases=("n", "Demonstrations needed")),
    Setting("Weight", "weight", "1..99",
            "Percent weight of the newest score in a decaying average (65 = 65%).", _integer),
    Setting("Recent scores", "recent", "1..99 or blank for all",
            "Only the newest k scores count (highest, latest, average, median, mode).",
            _optional_integer, lambda v: "" if v is None else v),
    Setting("Scale", "scale", 'levels such as "1 Not Yet; 2 Approaching; 3 Meeting"',
            "The levels a score can take, lowest first; '0-100' sets a continuous range.",
            _scale, lambda s: s.describe()),
    Setting("Mastery threshold", "mastery_threshold", "a number on the scale",
            "A score at or above this is a demonstration; a level at or above it is Mastered.",
            _number, _num),
    Setting("On track threshold", "on_track_threshold", "a number, or blank",
            "Level methods: at or above this (below mastery) is On track. Blank: the level "
            "below the mastery threshold.", _optional_number,
            lambda v: "" if v is None else _num(v)),
    Setting("Minimum evidence", "minimum_evidence", "1..99",
            "Counted scores needed before an outcome can be Mastered.", _integer),
    Setting("Distinct dates", "distinct_dates", "yes or no",
            "Demonstrations must be on different dates.", _yes_no,
            lambda v: "yes" if v else "no"),
    Setting("Counted types", "counted_types", "summative, formative, update",
            "Evidence types that move the level; others are tracked only.", _counted,
            lambda v: ", ".join(t.value for t in EvidenceType if t in v)),
    Setting("Missing work", "missing_work", '"not counted" or "counts as Not Yet"',
            "Missing work is never a zero: it is tracked, or counted as the lowest level.",
            _missing, lambda v: "not counted" if v is MissingWork.NOT_COUNTED
            else "counts as Not Yet"),
    Setting("Marks", "marks", '"NY Not Yet = 1; MI Missing = missing; EX Excused = excluded; '
            'L Late = flag; AB Absent = none; NA Not assessed = excluded"',
            "Codes typed instead of a score, and what each does: a level (a number), flag "
            "(shown in the note; '3 L' keeps the 3), none (tracked only), missing or excluded.",
            _marks, _format_marks),
    Setting("Bands", "bands", '"Mastered #8fd1d0; On track #fff566; Not Yet #ec9393"',
            "Words and cell colours for Mastered, On track and Not Yet, in that order.", _bands,
            lambda bands: "; ".join(f"{b.label} {b.colour}".strip() for b in bands)),
    Setting("Report card", "report_card", '"percent met: A 90; B 80; C 70; D 60; F 0", '
            f"{_RULES_EXAMPLE}, or blank",
            "How a student's outcomes become one report-card grade (percent met, mean level, "
            "or rules whose conditions must all hold).",
            _report_card, lambda v: "" if v is None else v.describe()),
    Setting("Override expires with new evidence", "override_expires", "yes or no",
            "An override on the Overrides tab stops applying once counted evidence dated after "
            "it arrives (a warning names the override's cell).", _yes_no,
            lambda v: "yes" if v else "no"),
    Setting("Retakes allowed", "retakes_allowed", "0..99 or blank for no limit",
            "How many retakes of one assessment count; later attempts are tracked, not counted.",
            _optional_integer, lambda v: "" if v is None else v),
    Setting("Description", "description", "any text",
            "The policy in plain words for families.",
            lambda v: "" if _key(v) == "none" else str(v).strip()),
)
_BY_KEY = {_key(alias): s for s in SETTINGS for alias in (s.name, *s.aliases)}
_BY_FIELD = {s.field: s for s in SETTINGS}


def _build(name: str, cells: Mapping[str, object]) -> tuple[Policy | None, list[tuple[str, str]]]:
    """A Policy from raw values keyed by field, or every unreadable or invalid field's message."""
    values: dict[str, Any] = {"name": name, "marks": SCHOOL_MARKS}
    bad: list[tuple[str, str]] = []
    for field, raw in cells.items():
        setting = _BY_FIELD[field]
        try:
            values[field] = setting.parse(raw)
        except _Bad as error:
            bad.append((field, f"{error} ({setting.name} must be {setting.allowed})"))
    # Validate what could be read too, so one pass reports every problem.
    policy = Policy(**values)
    unread = {field for field, _ in bad}
    for error in validate(policy):
        if error.setting in unread or (error.setting == "weight" and "method" in unread):
            continue
        setting = _BY_FIELD.get(error.setting)
        label = setting.name if setting else error.setting
        shown = cells.get(error.setting, error.value)
        bad.append((error.setting, f"{_shown(shown)} is out of range ({label} must be "
                                   f"{error.allowed})"))
    return (None, bad) if bad else (policy, [])


def parse_policy_tab(
    rows: list[list[object]], tab: str = "Policy"
) -> tuple[dict[str, Policy], list[Problem]]:
    """Read a Policy tab grid (UNFORMATTED_VALUE) into policies; every problem, cell by cell.

    Column A names the settings, row 1 names the policies (`Default` first); a blank cell in
    another policy's column inherits Default's value.
    """
    problems: list[Problem] = []

    def problem(row: int, col: int, message: str) -> None:
        problems.append(Problem(cell_ref(tab, row, col), Reason.POLICY_SETTING, message, True))

    header = list(rows[0]) if rows else []
    names = [str(v).strip() for v in header[1:]]
    while names and not names[-1]:
        names.pop()
    if not header or _key(header[0]) != "setting":
        problem(1, 1, f'{_shown(header[0] if header else "")} should be "Setting"')
    if not names or names[0].casefold() != "default":
        problem(1, 2, f'{_shown(names[0] if names else "")} should be "Default" (the first policy)')
    for col, name in enumerate(names, start=2):
        if not name:
            problem(1, col, "a policy needs a name")
        elif name.casefold() in [n.casefold() for n in names[: col - 2]]:
            problem(1, col, f'"{name}" names two policies')
    where: dict[str, int] = {}  # field -> sheet row
    for number, row in enumerate(rows[1:], start=2):
        if not row or _blank(row[0]):
            continue
        setting = _BY_KEY.get(_key(row[0]))
        if setting is None:
            problem(number, 1, f"{_shown(row[0])} is not a setting (settings: "
                    + ", ".join(s.name for s in SETTINGS) + ")")
        elif setting.field in where:
            problem(number, 1, f'"{setting.name}" appears twice (also row {where[setting.field]})')
        else:
            where[setting.field] = number

    def cell(row: int, col: int) -> object:
        line = rows[row - 1]
        return line[col - 1] if col - 1 < len(line) else ""

    policies: dict[str, Policy] = {}
    default_cells = {f: cell(r, 2) for f, r in where.items() if not _blank(cell(r, 2))}
    default_bad: set[str] = set()
    for col, name in enumerate(names, start=2):
        own = {f: cell(r, col) for f, r in where.items() if not _blank(cell(r, col))}
        merged = own if col == 2 else {**default_cells, **own}
        policy, bad = _build("Default" if col == 2 else name, merged)
        for field, message in bad:
            if col == 2:
                default_bad.add(field)
            elif field not in own and field in default_bad:
                continue  # already reported in Default's column
            problem(where.get(field, 1), col, message)
        if policy is not None and name:
            policies[policy.name] = policy
    return policies, problems


def policy_tab_rows(policies: Mapping[str, Policy]) -> list[list[str]]:
    """The grid for a new workbook's Policy tab: Default first, other columns only where they
    differ from Default (blank = inherit)."""
    default = policies["Default"]
    others = [p for name, p in policies.items() if name != "Default"]
    grid = [["Setting", "Default", *[name for name in policies if name != "Default"]]]
    for setting in SETTINGS:
        base = setting.show(getattr(default, setting.field))
        row = [setting.name, str(base)]
        for policy in others:
            shown = setting.show(getattr(policy, setting.field))
            # A blank cell inherits Default, so an unset optional setting is written "none".
            row.append("" if shown == base else str(shown) or "none")
        grid.append(row)
    return grid


def _from_mapping(name: str, entry: Mapping[str, object]) -> Policy:
    cells: dict[str, object] = {}
    for key, value in entry.items():
        setting = _BY_KEY.get(_key(key))
        if setting is None:
            raise PolicyError(str(key), ", ".join(s.name for s in SETTINGS), message=(
                f"policy {name!r}: {key!r} is not a setting"))
        if not _blank(value):
            cells[setting.field] = value
    policy, bad = _build(name, cells)
    if policy is None:
        field, message = bad[0]
        raise PolicyError(field, _BY_FIELD[field].allowed, cells.get(field),
                          f"policy {name!r}: " + "; ".join(m for _, m in bad))
    return policy


def load_policy_library(path: Path | str | None = None) -> dict[str, Policy]:
    """The named policies of a YAML library (the shipped `policy_library.yaml` by default).

    The YAML maps a policy name to its settings, with the Policy tab's setting names and values.
    """
    source = Path(path) if path is not None else LIBRARY_PATH
    data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    entries = data.get("policies", data) if isinstance(data, dict) else {}
    return {str(name): _from_mapping(str(name), entry or {}) for name, entry in entries.items()}


def default_policies() -> dict[str, Policy]:
    """The policies of a workbook with no Policy tab: MS 442's demonstrations policy as Default.

    The school marks the library entry does not list (L Late, AB Absent, NA) are added, so a
    teacher without a Policy tab can type them.
    """
    policy = load_policy_library()[DEFAULT_LIBRARY_POLICY]
    codes = {m.code for m in policy.marks}
    marks = policy.marks + tuple(m for m in SCHOOL_MARKS if m.code not in codes)
    return {"Default": dataclasses.replace(policy, name="Default", marks=marks)}
