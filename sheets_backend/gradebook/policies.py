"""The Policy tab (or the shipped YAML library) -> `policy_engine.Policy` objects, and back.

One row per setting (SETTINGS); sheets_backend/gradebook/policy_cells.py reads and writes each cell.
"""

from __future__ import annotations

import calendar
import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from policy_engine import (
    CANVAS_DEFAULTS,
    METHODS,
    SCHOOL_MARKS,
    EvidenceType,
    MissingWork,
    Policy,
    PolicyError,
    Rounding,
    validate,
)
from sheets_backend.gradebook import policy_cells as read
from sheets_backend.gradebook.dates import DEFAULT_START_MONTH
from sheets_backend.problems import Problem, Reason, cell_ref

LIBRARY_PATH = Path(__file__).with_name("policy_library.yaml")
DEFAULT_LIBRARY_POLICY = "MS 442: 3 demonstrations"


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
            "How evidence becomes a level (see the methods in docs/policies.md).", read.method),
    Setting("Demonstrations needed (n)", "n", "1..10",
            "Demonstrations at or above the mastery threshold needed for Mastered.", read.integer,
            aliases=("n", "Demonstrations needed")),
    Setting("Weight", "weight", "1..99",
            "Percent weight of the newest score in a decaying average (65 = 65%).", read.integer),
    Setting("Recent scores", "recent", "1..99 or blank for all",
            "Only the newest k scores count (highest, latest, average, median, mode).",
            read.optional_integer, lambda v: "" if v is None else v),
    Setting("Scale", "scale", 'levels such as "1 Not Yet; 2 Approaching; 3 Meeting"',
            "The levels a score can take, lowest first; '0-100' sets a continuous range.",
            read.scale, lambda s: s.describe()),
    Setting("Mastery threshold", "mastery_threshold", "a number on the scale",
            "A score at or above this is a demonstration; a level at or above it is Mastered.",
            read.number, read.plain),
    Setting("On track threshold", "on_track_threshold", "a number, or blank",
            "Level methods: at or above this (below mastery) is On track. Blank: the level "
            "below the mastery threshold.", read.optional_number,
            lambda v: "" if v is None else read.plain(v)),
    Setting("Minimum evidence", "minimum_evidence", "1..99",
            "Counted scores needed before an outcome can be Mastered.", read.integer),
    Setting("Distinct dates", "distinct_dates", "yes or no",
            "Demonstrations must be on different dates.", read.yes_no,
            lambda v: "yes" if v else "no"),
    Setting("Counted types", "counted_types", "summative, formative, update",
            "Evidence types that move the level; others are tracked only.", read.counted,
            lambda v: ", ".join(t.value for t in EvidenceType if t in v)),
    Setting("Missing work", "missing_work", '"not counted" or "counts as Not Yet"',
            "Missing work is never a zero: it is tracked, or counted as the lowest level.",
            read.missing, lambda v: "not counted" if v is MissingWork.NOT_COUNTED
            else "counts as Not Yet"),
    Setting("Marks", "marks", '"NY Not Yet = 1; MI Missing = missing; EX Excused = excluded; '
            'L Late = flag; AB Absent = none; NA Not assessed = excluded"',
            "Codes typed instead of a score, and what each does: a level (a number), flag "
            "(shown in the note; '3 L' keeps the 3), none (tracked only), missing or excluded.",
            read.marks, read.format_marks),
    Setting("Bands", "bands", '"Mastered #8fd1d0; On track #fff566; Not Yet #ec9393"',
            "Words and cell colours for Mastered, On track and Not Yet, in that order.", read.bands,
            lambda bands: "; ".join(f"{b.label} {b.colour}".strip() for b in bands)),
    Setting("Report card", "report_card", '"percent met: A 90; B 80; C 70; D 60; F 0", '
            f"{read.RULES_EXAMPLE}, or blank",
            "How a student's outcomes become one report-card grade (percent met, mean level, "
            "or rules whose conditions must all hold).",
            read.report_card, lambda v: "" if v is None else v.describe()),
    Setting("Override expires with new evidence", "override_expires", "yes or no",
            "An override on the Overrides tab stops applying once counted evidence dated after "
            "it arrives (a warning names the override's cell).", read.yes_no,
            lambda v: "yes" if v else "no"),
    Setting("Retakes allowed", "retakes_allowed", "0..99 or blank for no limit",
            "How many retakes of one assessment count; later attempts are tracked, not counted.",
            read.optional_integer, lambda v: "" if v is None else v),
    Setting("Rounding", "rounding", "exact or Canvas",
            "Whose arithmetic levels follow: exact (decimal, halves up) or Canvas (Canvas's float "
            "rounding; unless set, n 5 for n_mastery and every result counted, as in Canvas).",
            read.rounding, lambda v: "Canvas" if v is Rounding.CANVAS else "exact"),
    Setting("Description", "description", "any text",
            "The policy in plain words for families.",
            lambda v: "" if read.key(v) == "none" else str(v).strip()),
)
# Settings of the whole gradebook, not of one policy: read from the Default column only.
GRADEBOOK_SETTINGS: tuple[Setting, ...] = (
    Setting("School year starts", "school_year_start", "a month (August, Aug or 8)",
            "The month the school year starts in: a date typed without a year (Sept 9) takes "
            "the school year of the gradebook's other dates.", read.month,
            lambda month: calendar.month_name[month]),
)
_BY_KEY = {read.key(alias): s for s in SETTINGS for alias in (s.name, *s.aliases)}
_GRADEBOOK_KEYS = {read.key(s.name): s for s in GRADEBOOK_SETTINGS}
_BY_FIELD = {s.field: s for s in SETTINGS}


def _build(name: str, cells: Mapping[str, object]) -> tuple[Policy | None, list[tuple[str, str]]]:
    """A Policy from raw values keyed by field, or every unreadable or invalid field's message."""
    values: dict[str, Any] = {"name": name, "marks": SCHOOL_MARKS}
    bad: list[tuple[str, str]] = []
    for field, raw in cells.items():
        setting = _BY_FIELD[field]
        try:
            values[field] = setting.parse(raw)
        except read.Unreadable as error:
            bad.append((field, f"{error} ({setting.name} must be {setting.allowed})"))
    if values.get("rounding") is Rounding.CANVAS:
        # Canvas's defaults where Hive's differ: n_mastery needs 5, and every result counts.
        if values.get("method") == "n_mastery" and "n" not in cells:
            values["n"] = CANVAS_DEFAULTS["n_mastery"]["n"]
        if "distinct_dates" not in cells:
            values["distinct_dates"] = False
    # Validate what could be read too, so one pass reports every problem.
    policy = Policy(**values)
    unread = {field for field, _ in bad}
    for error in validate(policy):
        if error.setting in unread or (error.setting == "weight" and "method" in unread):
            continue
        setting = _BY_FIELD.get(error.setting)
        label = setting.name if setting else error.setting
        shown = cells.get(error.setting, error.value)
        bad.append((error.setting, f"{read.shown(shown)} is out of range ({label} must be "
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
    if not header or read.key(header[0]) != "setting":
        problem(1, 1, f'{read.shown(header[0] if header else "")} should be "Setting"')
    if not names or names[0].casefold() != "default":
        problem(1, 2, f'{read.shown(names[0] if names else "")} should be "Default" (the first policy)')
    for col, name in enumerate(names, start=2):
        if not name:
            problem(1, col, "a policy needs a name")
        elif name.casefold() in [n.casefold() for n in names[: col - 2]]:
            problem(1, col, f'"{name}" names two policies')
    where: dict[str, int] = {}  # field -> sheet row
    for number, row in enumerate(rows[1:], start=2):
        if not row or read.blank(row[0]):
            continue
        setting = _BY_KEY.get(read.key(row[0]))
        if setting is None and read.key(row[0]) in _GRADEBOOK_KEYS:
            continue  # read by read_school_year_start
        if setting is None:
            problem(number, 1, f"{read.shown(row[0])} is not a setting (settings: "
                    + ", ".join(s.name for s in SETTINGS) + ")")
        elif setting.field in where:
            problem(number, 1, f'"{setting.name}" appears twice (also row {where[setting.field]})')
        else:
            where[setting.field] = number

    def cell(row: int, col: int) -> object:
        line = rows[row - 1]
        return line[col - 1] if col - 1 < len(line) else ""

    policies: dict[str, Policy] = {}
    default_cells = {f: cell(r, 2) for f, r in where.items() if not read.blank(cell(r, 2))}
    default_bad: set[str] = set()
    for col, name in enumerate(names, start=2):
        own = {f: cell(r, col) for f, r in where.items() if not read.blank(cell(r, col))}
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


def read_school_year_start(
    rows: list[list[object]], tab: str = "Policy"
) -> tuple[int, list[Problem]]:
    """The month the school year starts (`School year starts` in the Default column, August
    when absent); an unreadable one is a warning naming its cell, and August is used."""
    setting = GRADEBOOK_SETTINGS[0]
    for number, row in enumerate(rows[1:], start=2):
        if not row or read.key(row[0]) != read.key(setting.name):
            continue
        raw = row[1] if len(row) > 1 else ""
        if read.blank(raw):
            break
        try:
            return setting.parse(raw), []
        except read.Unreadable as error:
            return DEFAULT_START_MONTH, [Problem(
                cell_ref(tab, number, 2), Reason.POLICY_SETTING,
                f"{error} ({setting.name} must be {setting.allowed}); Hive used "
                f"{setting.show(DEFAULT_START_MONTH)}")]
    return DEFAULT_START_MONTH, []


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
        setting = _BY_KEY.get(read.key(key))
        if setting is None:
            raise PolicyError(str(key), ", ".join(s.name for s in SETTINGS), message=(
                f"policy {name!r}: {key!r} is not a setting"))
        if not read.blank(value):
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
