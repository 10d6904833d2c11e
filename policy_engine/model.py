"""A grading policy described as plain values a family could read: scale, marks, bands, method."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """Where a student stands on one outcome."""

    MASTERED = "mastered"
    ON_TRACK = "on_track"
    NOT_YET = "not_yet"
    NOT_ASSESSED = "not_assessed"


class EvidenceType(StrEnum):
    """What kind of evidence a score is; the policy says which kinds count."""

    SUMMATIVE = "summative"
    FORMATIVE = "formative"
    UPDATE = "update"


class MarkEffect(StrEnum):
    """What a mark typed instead of (or beside) a score does to the calculation."""

    LEVEL = "level"  # a real attempt, counted as the mark's value (NY = Not Yet = 1)
    MISSING = "missing"  # tracked in missing_count; counted only if the policy says so
    EXCLUDED = "excluded"  # ignored entirely (EX excused, NA not assessed for this student)
    FLAG = "flag"  # shown in the note; beside a score ("3 L") the score counts as usual
    NONE = "none"  # tracked only: shown in the note, never counted (AB absent)


class MissingWork(StrEnum):
    """What missing work does: never a zero, at most a Not Yet."""

    NOT_COUNTED = "not_counted"
    NOT_YET = "not_yet"


class ReportBasis(StrEnum):
    """What a report-card grade is computed from."""

    PERCENT_MET = "percent_met"
    MEAN_LEVEL = "mean_level"
    RULES = "rules"  # conjunctive: "A every 3 and majority 4; B every 2; F"


class Rounding(StrEnum):
    """Whose arithmetic a level follows: exact decimals, or Canvas's binary floats."""

    EXACT = "exact"  # the level as a decimal, halves rounded up: 2.995 is 3.00
    CANVAS = "canvas"  # Ruby's Float#round(2) on the float computed: 2.995 may be 2.99


class PolicyError(ValueError):
    """A policy setting or method parameter outside what is allowed.

    `setting` names the parameter (`n`, `weight`, `scale`, ...), `allowed` says what would be
    accepted, in words a teacher can act on (`"1..10"`).
    """

    def __init__(self, setting: str, allowed: str, value: object = None, message: str = "") -> None:
        self.setting = setting
        self.allowed = allowed
        self.value = value
        super().__init__(message or f"{setting} must be {allowed} (got {value!r})")


# The words a teacher or family reads, kept apart from the codes so they can be translated.
STATUS_WORDS: Mapping[Status, str] = {
    Status.MASTERED: "Mastered",
    Status.ON_TRACK: "On track",
    Status.NOT_YET: "Not Yet",
    Status.NOT_ASSESSED: "",
}


@dataclass(frozen=True)
class Level:
    """One step of a scale: its value and the words for it (`3 Meeting`)."""

    value: float
    label: str


@dataclass(frozen=True)
class Scale:
    """The levels a score can take, lowest first; `low`/`high` bound a continuous scale (0-100)."""

    levels: tuple[Level, ...]
    low: float | None = None
    high: float | None = None

    @property
    def minimum(self) -> float:
        return self.levels[0].value if self.low is None else self.low

    @property
    def maximum(self) -> float:
        return self.levels[-1].value if self.high is None else self.high

    def label_for(self, value: float) -> str:
        """The label of the highest level at or below `value` ("" below the lowest level)."""
        label = ""
        for level in self.levels:
            if value >= level.value:
                label = level.label
        return label

    def value_of(self, label: str) -> float | None:
        """The value of the level called `label` (any case): a letter grade typed as a score."""
        wanted = label.strip().casefold()
        for level in self.levels:
            if level.label.casefold() == wanted:
                return level.value
        return None

    def describe(self) -> str:
        """The scale as a Policy tab writes it: `1 Not Yet; 2 Approaching; 3 Meeting; ...`."""
        parts = [f"{_num(level.value)} {level.label}" for level in self.levels]
        if self.low is not None or self.high is not None:
            parts.insert(0, f"{_num(self.minimum)}-{_num(self.maximum)}")
        return "; ".join(parts)


@dataclass(frozen=True)
class Mark:
    """A code typed instead of a score: `NY` (Not Yet, counts as 1), `MI`, `EX` (excused).

    `label` is what a family reads ("Late"): codes never reach a family.
    """

    code: str
    label: str
    effect: MarkEffect
    value: float | None = None


@dataclass(frozen=True)
class Band:
    """How a status looks in the sheet: its words and its cell colour ("" = no colour)."""

    status: Status
    label: str
    colour: str


@dataclass(frozen=True)
class Grade:
    """A report-card step: at or above `minimum` (percent met or mean level), `grade`."""

    minimum: float
    grade: str


@dataclass(frozen=True)
class Quantifier(StrEnum):
    """How many of a student's assessed outcomes a report-card condition needs."""

    EVERY = "every"  # all of them
    MAJORITY = "majority"  # more than half
    HALF = "half"  # at least half
    ANY = "any"  # at least one
    PERCENT = "percent"  # at least `percent` percent


@dataclass(frozen=True)
class Condition:
    """`majority 4`: a share of the assessed outcomes with a level at or above `minimum`."""

    quantifier: Quantifier
    minimum: float
    percent: float = 0.0

    def describe(self) -> str:
        if self.quantifier is Quantifier.PERCENT:
            return f"{_num(self.percent)}% {_num(self.minimum)}"
        return f"{self.quantifier.value} {_num(self.minimum)}"


@dataclass(frozen=True)
class GradeRule:
    """`A every 3 and majority 4`: the grade when every condition holds (none: everyone else)."""

    grade: str
    conditions: tuple[Condition, ...] = ()

    def describe(self) -> str:
        conditions = " and ".join(c.describe() for c in self.conditions)
        return f"{self.grade} {conditions}".strip()


@dataclass(frozen=True)
class ReportCard:
    """Turns a student's outcomes into one report-card grade (a letter or a number).

    `grades` are steps of percent met or mean level; `rules` (basis RULES) are tried in order and
    the first whose conditions all hold gives the grade.
    """

    basis: ReportBasis
    grades: tuple[Grade, ...] = ()
    rules: tuple[GradeRule, ...] = ()

    def grade_for(self, value: float) -> str:
        """The grade of the highest step at or below `value`; the lowest step's grade below that."""
        chosen = min(self.grades, key=lambda g: g.minimum)
        for grade in self.grades:
            if value >= grade.minimum and grade.minimum >= chosen.minimum:
                chosen = grade
        return chosen.grade

    def describe(self) -> str:
        if self.basis is ReportBasis.RULES:
            return "rules: " + "; ".join(rule.describe() for rule in self.rules)
        steps = "; ".join(f"{g.grade} {_num(g.minimum)}" for g in self.grades)
        basis = "percent met" if self.basis is ReportBasis.PERCENT_MET else "mean level"
        return f"{basis}: {steps}"


DEFAULT_SCALE = Scale(
    (Level(1, "Not Yet"), Level(2, "Approaching"), Level(3, "Meeting"), Level(4, "Exceeding"))
)
DEFAULT_MARKS = (
    Mark("NY", "Not Yet", MarkEffect.LEVEL, 1.0),
    Mark("MI", "Missing", MarkEffect.MISSING),
    Mark("EX", "Excused", MarkEffect.EXCLUDED),
)
# The marks a school's sheet knows without saying so (sheets_backend adds them to every policy
# whose Marks setting is blank). Not in DEFAULT_MARKS until the family catalogs translate their
# words (sheets_backend/i18n/words.py checks DEFAULT_MARKS against its message ids).
SCHOOL_MARKS = DEFAULT_MARKS + (
    Mark("L", "Late", MarkEffect.FLAG),
    Mark("AB", "Absent", MarkEffect.NONE),
    Mark("NA", "Not assessed", MarkEffect.EXCLUDED),
)
# Marks whose code is shown in the note rather than counted (flags and tracked-only codes).
NOTED_EFFECTS = frozenset({MarkEffect.FLAG, MarkEffect.NONE})
DEFAULT_BANDS = (
    Band(Status.MASTERED, STATUS_WORDS[Status.MASTERED], "#8fd1d0"),
    Band(Status.ON_TRACK, STATUS_WORDS[Status.ON_TRACK], "#fff566"),
    Band(Status.NOT_YET, STATUS_WORDS[Status.NOT_YET], "#ec9393"),
)
DEFAULT_COUNTED = frozenset({EvidenceType.SUMMATIVE, EvidenceType.UPDATE})


@dataclass(frozen=True)
class Policy:
    """How one school (or department) turns evidence into a status. Defaults are MS 442's policy.

    `method` is a key of `policy_engine.METHODS`; `n`, `weight` and `recent` are its parameters
    (each method reads only the ones it takes). `on_track_threshold` is used by level methods
    (average, decaying average, ...): at or above it and below `mastery_threshold` is On track;
    None means the scale level just below the mastery threshold. `override_expires`: a teacher's
    override stops applying once counted evidence dated after it arrives. `retakes_allowed`: how
    many retakes of one assessment count (None: all of them). `rounding`: whose arithmetic
    levels follow (Canvas's, for a school that must see the numbers Canvas showed).
    """

    name: str = "Default"
    method: str = "demonstrations"
    n: int = 3
    weight: int = 65
    recent: int | None = None
    scale: Scale = DEFAULT_SCALE
    mastery_threshold: float = 3
    on_track_threshold: float | None = None
    minimum_evidence: int = 1
    distinct_dates: bool = True
    counted_types: frozenset[EvidenceType] = DEFAULT_COUNTED
    missing_work: MissingWork = MissingWork.NOT_COUNTED
    marks: tuple[Mark, ...] = DEFAULT_MARKS
    bands: tuple[Band, ...] = DEFAULT_BANDS
    report_card: ReportCard | None = None
    description: str = ""
    override_expires: bool = False
    retakes_allowed: int | None = None
    rounding: Rounding = Rounding.EXACT

    def band(self, status: Status) -> Band:
        """The band for `status`; not assessed has no words and no colour."""
        for band in self.bands:
            if band.status is status:
                return band
        return Band(status, STATUS_WORDS[status], "")

    def mark(self, code: str) -> Mark | None:
        wanted = code.strip().upper()
        for mark in self.marks:
            if mark.code.upper() == wanted:
                return mark
        return None

    @property
    def threshold_label(self) -> str:
        """`Meeting`: the words for the mastery threshold, used in every explanation."""
        return self.scale.label_for(self.mastery_threshold) or _num(self.mastery_threshold)

    @property
    def effective_on_track(self) -> float:
        if self.on_track_threshold is not None:
            return self.on_track_threshold
        below = [lv.value for lv in self.scale.levels if lv.value < self.mastery_threshold]
        return max(below) if below else self.mastery_threshold


def _num(value: float) -> str:
    """`3` for 3.0, `2.5` for 2.5: numbers as a teacher would type them."""
    return f"{value:g}"
