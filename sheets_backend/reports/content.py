"""What one student's progress report says, as plain values, and the sentences that say it.

Built once from the gradebook and the evaluation, then rendered three ways (the Student Summary tab,
a private HTML page, a private spreadsheet), so the three can never disagree. A report holds one
student's data only: nothing here reads another student's rows, ranks or class averages, and
behaviour is never read at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

import pandas as pd

from policy_engine import MarkEffect, Policy, Status
from sheets_backend.gradebook.about import About
from sheets_backend.gradebook.template import Gradebook, Student
from sheets_backend.gradebook.translations import AssessmentNames
from sheets_backend.i18n.words import N_, SOURCE_LANGUAGE, Words
from sheets_backend.reports.current_level import latest_levels

# A filling circle: the status is readable without its colour (and in black-and-white print).
SYMBOLS: dict[Status, str] = {
    Status.MASTERED: "●",
    Status.ON_TRACK: "◐",
    Status.NOT_YET: "○",
    Status.NOT_ASSESSED: "–",
}
COLUMNS = (N_("Learning outcome"), N_("Status"), N_("Evidence so far"), N_("Trend"),
           N_("Next step"))
WORK_TO_HAND_IN = N_("Work to hand in:")
NOTHING_MISSING = N_("Nothing missing. Well done!")
COLOUR_KEY = N_("Colour key:")
REPORT_TITLE = N_("Progress report")
KEY = N_("Key")
NO_EVIDENCE = N_("No evidence yet")


class EvidenceEntry(NamedTuple):
    """One piece of evidence as a family reads it: when, what, and the result in words.

    A named tuple, not a dataclass: a big gradebook holds half a million of them, and tuples are
    built and hashed in C."""

    date: dt.date
    assessment: str
    score: float | None
    mark_label: str  # the policy's words for a mark typed instead of a score ("Missing")
    level_label: str  # the scale's words for the score ("Meeting")
    practice: bool  # tracked but not counted toward the level (formative under the default)


@dataclass(frozen=True)
class OutcomeLine:
    """Where the student stands on one outcome, with the evidence and the next step."""

    outcome_id: str
    text: str
    status: Status
    band_label: str
    colour: str
    demonstrations: int
    needed: int | None
    missing_count: int
    counted: int
    evidence: tuple[EvidenceEntry, ...]
    levels: tuple[float, ...]  # counted results, oldest first: the trend
    policy: Policy
    engine_next_step: str  # the engine's English sentence ("Next: one more ...")
    translations: tuple[tuple[str, str], ...] = ()  # the outcome's wording per language
    latest: float | None = None  # the latest counted result on the scale
    latest_label: str = ""
    latest_assessment: str = ""
    latest_date: dt.date | None = None
    slipping: bool = False  # met or on track, but the latest result is below the threshold


@dataclass(frozen=True)
class WorkItem:
    """Work to hand in: a missing assessment, never a score."""

    assessment: str
    outcome_id: str
    date: dt.date


@dataclass(frozen=True)
class LegendEntry:
    status: Status
    band_label: str
    colour: str


@dataclass(frozen=True)
class StudentReport:
    """Everything one student's report shows, and nothing about anyone else."""

    student: Student
    met: int
    assessed: int
    outcomes: tuple[OutcomeLine, ...]
    work: tuple[WorkItem, ...]
    legend: tuple[LegendEntry, ...]
    as_of: dt.date | None = None
    about: About = field(default_factory=About)
    report_card: str = ""  # the grade ("" when the policy has no report card)
    card_policy: Policy | None = None  # the policy whose report card gave the grade
    names: AssessmentNames = field(default_factory=dict)  # translated assessment names


def student_reports(
    book: Gradebook,
    outcomes: pd.DataFrame,
    students: pd.DataFrame,
    *,
    as_of: dt.date | None = None,
) -> list[StudentReport]:
    """One report per Roster student, in Roster order (never sorted by results).

    `as_of` is the date the reports say they are "as of"; without one, today's date (a printed
    report must say how old it is).

    Evidence is grouped once, in one pass, so a 600-student gradebook costs no more per student
    than a class of 30.
    """
    evidence = _evidence(book, as_of)
    trails, work = _trails(evidence)
    wanted = ["met", "assessed"] + (["report_card"] if "report_card" in students else [])
    counts = students.set_index("student_id")[wanted].to_dict("index")
    text = {o.id: o for o in book.outcomes}
    default = book.policies.get("Default")
    card_policy = default if default is not None and default.report_card is not None else None
    shown_as_of = as_of or dt.date.today()
    results: dict[str, list[Any]] = {}
    rows = latest_levels(book, outcomes)
    # Python dates once for the column, not a Timestamp per row.
    rows = rows.assign(latest_date=pd.Series(rows["latest_date"].to_numpy("datetime64[D]").tolist(),
                                             index=rows.index, dtype=object))
    for row in _plain(rows).itertuples(index=False):
        results.setdefault(row.student_id, []).append(row)
    reports = []
    for student in book.students:
        lines = tuple(
            _line(row, text[row.outcome_id], book.policies[row.policy],
                  trails.get((student.id, row.outcome_id), ((), ())))
            for row in results.get(student.id, ())
        )
        reports.append(StudentReport(
            student=student,
            met=int(counts[student.id]["met"]),
            assessed=int(counts[student.id]["assessed"]),
            outcomes=lines,
            work=tuple(work.get(student.id, ())),
            legend=_legend(lines),
            as_of=shown_as_of,
            about=book.about,
            report_card=str(counts[student.id].get("report_card") or "") if card_policy else "",
            card_policy=card_policy,
            names=book.assessment_names,
        ))
    return reports


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as object arrays: iterating a pandas string column goes cell by cell through
    its __getitem__, a third of the time of a class's reports."""
    text = {c: object for c, kind in frame.dtypes.items() if isinstance(kind, pd.StringDtype)}
    return frame.astype(text) if text else frame


def _evidence(book: Gradebook, as_of: dt.date | None) -> pd.DataFrame:
    """The evidence frame with, per row, its policy's reading: mark words, level words, counted."""
    ev = book.evidence
    if as_of is not None:
        ev = ev[ev["date"] <= pd.Timestamp(as_of)]
    ev = ev.sort_values(["date", "order"], kind="stable")
    policy_of = book.outcome_policy
    names = ev["outcome_id"].map({o: policy_of.get(o, "Default") for o in ev["outcome_id"].unique()})
    value = ev["score"].to_numpy(dtype=float, copy=True)
    mark_label = pd.Series("", index=ev.index, dtype=object)
    missing = pd.Series(False, index=ev.index)
    counted = pd.Series(False, index=ev.index)
    level_label = pd.Series("", index=ev.index, dtype=object)
    for name in names.unique():
        policy = book.policies[name]
        rows = names.eq(name)
        counted |= rows & ev["type"].isin([c.value for c in policy.counted_types])
        scores = ev.loc[rows & ev["score"].notna(), "score"]
        level_label[scores.index] = scores.map(
            {v: policy.scale.label_for(float(v)) for v in scores.unique()})
        for code in ev.loc[rows & (ev["mark"] != ""), "mark"].unique():
            mark = policy.mark(code)
            where = rows & ev["mark"].eq(code)
            mark_label[where] = "" if mark is None else mark.label
            if mark is not None and mark.effect is MarkEffect.MISSING:
                missing |= where
            if mark is not None and mark.effect is MarkEffect.LEVEL and mark.value is not None:
                value[where.to_numpy()] = mark.value
    return ev.assign(mark_label=mark_label, missing=missing, value=value, counted=counted,
                     level_label=level_label)


Trail = tuple[tuple["EvidenceEntry", ...], tuple[float, ...]]


def _trails(
    ev: pd.DataFrame,
) -> tuple[dict[tuple[str, str], Trail], dict[str, list[WorkItem]]]:
    """Per student and outcome: the evidence entries and counted levels, oldest first; per
    student: the missing work. From the (already date-ordered) evidence.

    One assessment's few results repeat for every student, so each distinct entry is built once
    and shared: a trail is a tuple of shared entries, and its words are looked up once per entry.
    """
    if ev.empty:
        return {}, {}
    counted = ev["counted"].to_numpy(dtype=bool)
    # _evidence leaves mark_label blank where no mark was typed, level_label where no score.
    shown = pd.DataFrame({
        "date": ev["date"].to_numpy(),
        "assessment": ev["assessment"].to_numpy(dtype=object),
        "score": ev["score"].to_numpy(dtype=float),
        "mark_label": ev["mark_label"].to_numpy(dtype=object),
        "level_label": ev["level_label"].to_numpy(dtype=object),
        "practice": ~counted,
    })
    # A code per row (equal rows, NaN scores included, share one; first seen first) and the
    # distinct rows in the same order.
    codes = shown.groupby(list(shown.columns), sort=False, dropna=False).ngroup().to_numpy()
    distinct = shown.drop_duplicates()
    entries = [
        EvidenceEntry(day.date(), name, None if score != score else float(score), mark, level,
                      bool(practice))
        for day, name, score, mark, level, practice in distinct.itertuples(index=False)
    ]
    value = ev["value"].to_numpy(dtype=float)
    level_ok = counted & ~pd.isna(value)
    groups = ev.groupby(["student_id", "outcome_id"], sort=False).indices
    trails: dict[tuple[str, str], Trail] = {}
    for key, rows in groups.items():
        trails[key] = (
            tuple([entries[c] for c in codes[rows].tolist()]),
            tuple(value[rows[level_ok[rows]]].tolist()),
        )
    work: dict[str, list[WorkItem]] = {}
    gone = ev["missing"].to_numpy(dtype=bool)
    if gone.any():
        lost = ev.loc[gone, ["student_id", "outcome_id", "assessment"]].to_numpy(dtype=object)
        for (sid, oid, name), c in zip(lost.tolist(), codes[gone].tolist(), strict=True):
            work.setdefault(sid, []).append(WorkItem(str(name), str(oid), entries[c].date))
    return trails, work


def _line(row: Any, outcome: Any, policy: Policy, trail: Trail) -> OutcomeLine:
    entries, levels = trail
    status = Status(row.status)
    needed = row.needed
    latest = None if row.latest != row.latest else float(row.latest)  # NaN: nothing counted
    return OutcomeLine(
        outcome_id=str(row.outcome_id),
        text=outcome.text,
        translations=outcome.translations,
        latest=latest,
        latest_label=str(row.latest_label or ""),
        latest_assessment=str(row.latest_assessment or ""),
        latest_date=row.latest_date if isinstance(row.latest_date, dt.date) else None,
        slipping=bool(row.slipping),
        status=status,
        band_label=policy.band(status).label,
        colour=str(row.colour or ""),
        demonstrations=int(row.demonstrations or 0),
        needed=None if pd.isna(needed) else int(needed),
        missing_count=int(row.missing_count or 0),
        counted=int(row.counted or 0),
        evidence=entries,
        levels=levels,
        policy=policy,
        engine_next_step=str(row.next_step or ""),
    )


def _legend(lines: tuple[OutcomeLine, ...]) -> tuple[LegendEntry, ...]:
    """Each band this student's policies use, once, best first."""
    seen: dict[tuple[Status, str, str], LegendEntry] = {}
    for line in lines:
        for band in line.policy.bands:
            key = (band.status, band.label, band.colour)
            seen.setdefault(key, LegendEntry(band.status, band.label, band.colour))
    order = list(SYMBOLS)
    return tuple(sorted(seen.values(), key=lambda e: order.index(e.status)))


# --- the sentences -------------------------------------------------------------------------------


def headline(words: Words, report: StudentReport) -> str:
    return words.gettext(
        "So far you have met {met} of {assessed} learning outcomes that have been assessed.",
        met=report.met, assessed=report.assessed)


def as_of_line(words: Words, as_of: dt.date) -> str:
    return words.gettext("Progress as of {date}", date=words.long_date(as_of))


def outcome_text(words: Words, line: OutcomeLine) -> str:
    """The outcome in the family's language when the Outcomes tab has it, else the school's."""
    return dict(line.translations).get(words.language) or line.text


def assessment_name(words: Words, names: AssessmentNames, name: str) -> str:
    return names.get(name, {}).get(words.language) or name


def latest_text(words: Words, line: OutcomeLine, names: AssessmentNames | None = None) -> str:
    """`Your latest score on this was Approaching (2), on Quiz 3 (Oct 27). That is below Meeting.`

    Only for a slipping outcome (met or on track, latest result below the threshold): the status
    alone would hide it. "" otherwise.
    """
    if not line.slipping or line.latest is None or line.latest_date is None:
        return ""
    score = words.number(line.latest)
    level = (words.gettext("{level} ({score})", level=words.policy_word(line.latest_label),
                           score=score) if line.latest_label else score)
    return words.gettext(
        "Your latest score on this was {level}, on {assessment} ({date}). That is below {goal}.",
        level=level, assessment=assessment_name(words, names or {}, line.latest_assessment),
        date=words.short_date(line.latest_date), goal=words.policy_word(line.policy.threshold_label))


def status_text(words: Words, line: OutcomeLine, *, symbol: bool = True) -> str:
    """`◐ On track (2 of 3)`: a symbol and words, so colour is never the only carrier."""
    text = words.band_label(line.status, line.band_label)
    if line.status is Status.ON_TRACK and line.needed is not None:
        text = words.gettext("{status} ({count} of {needed})", status=text,
                             count=line.demonstrations, needed=line.needed)
    return f"{SYMBOLS[line.status]} {text}" if symbol else text


def legend_text(words: Words, entry: LegendEntry, *, symbol: bool = True) -> str:
    text = words.band_label(entry.status, entry.band_label)
    return f"{SYMBOLS[entry.status]} {text}" if symbol else text


def evidence_text(words: Words, entry: EvidenceEntry,
                  names: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """`Quiz 2, Sep 21: 3 (Meeting)`, `Quiz 3, Oct 2: Missing`: words, never codes. `names`
    gives an assessment's name in the family's language (the Scores tab's `Name (es)` rows)."""
    if names:
        translated = names.get(entry.assessment, {}).get(words.language)
        if translated:
            entry = entry._replace(assessment=translated)
    # Keyed by a plain tuple (hashed in C): one assessment's few results repeat for every student.
    return _evidence_text(words.language, entry)


@lru_cache(maxsize=65536)
def _evidence_text(language: str, entry: EvidenceEntry) -> str:
    words = Words(language)
    if entry.score is None:
        result = words.policy_word(entry.mark_label) or words.gettext("Not counted")
    elif entry.level_label:
        result = words.gettext("{score} ({level})", score=words.number(entry.score),
                               level=words.policy_word(entry.level_label))
    else:
        result = words.number(entry.score)
    if entry.score is not None and entry.mark_label:
        result = words.gettext("{score} ({level})", score=result,
                               level=words.policy_word(entry.mark_label))
    text = words.gettext("{assessment}, {date}: {result}", assessment=entry.assessment,
                         date=words.short_date(entry.date), result=result)
    if entry.practice:
        text = words.gettext("{evidence} (practice, not counted)", evidence=text)
    return text


def work_text(words: Words, item: WorkItem, names: AssessmentNames | None = None) -> str:
    """`Quiz 2 (M1, Sep 21)`."""
    return words.gettext("{assessment} ({outcome}, {date})",
                         assessment=assessment_name(words, names or {}, item.assessment),
                         outcome=item.outcome_id, date=words.short_date(item.date))


def next_step(words: Words, line: OutcomeLine) -> str:
    """The next step in `words`' language.

    English is the engine's own sentence, so it always matches the Mastery tab's note. Other
    languages compose the same sentence from the structured columns (demonstrations, needed, the
    threshold's words), so the catalog holds whole sentences a translator can reorder.
    """
    if words.language == SOURCE_LANGUAGE and line.engine_next_step:
        step = line.engine_next_step.removeprefix("Next: ")
        return step[:1].upper() + step[1:]
    policy = line.policy
    level = words.policy_word(policy.threshold_label)
    if line.status is Status.MASTERED:
        return words.gettext("Nothing more is needed for this outcome.")
    if line.status is Status.NOT_ASSESSED:
        if line.missing_count:
            return words.gettext("Hand in the missing work.")
        return words.gettext("A first assessment of this outcome.")
    if line.needed is not None:
        return _demonstration_step(words, line, policy, level)
    if line.counted < policy.minimum_evidence:
        more = policy.minimum_evidence - line.counted
        return words.ngettext("{count} more score; at least {minimum} are needed.",
                              "{count} more scores; at least {minimum} are needed.", more,
                              minimum=policy.minimum_evidence)
    goal = f"{policy.mastery_threshold:g} ({level})"
    return words.gettext("A new score at {goal} or above to raise the level.", goal=goal)


def _demonstration_step(words: Words, line: OutcomeLine, policy: Policy, level: str) -> str:
    needed = line.needed or policy.n
    left = max(needed - line.demonstrations, 0)
    if line.status is Status.ON_TRACK and left == 0:
        more = max(policy.minimum_evidence - line.counted, 1)
        return words.ngettext("{count} more score; at least {minimum} are needed.",
                              "{count} more scores; at least {minimum} are needed.", more,
                              minimum=policy.minimum_evidence)
    if line.status is Status.ON_TRACK:
        if policy.distinct_dates:
            return words.ngettext(
                "{count} more demonstration at {level} or above on another day.",
                "{count} more demonstrations at {level} or above, each on a different day.",
                left, level=level)
        return words.ngettext("{count} more demonstration at {level} or above.",
                              "{count} more demonstrations at {level} or above.", left,
                              level=level)
    if policy.distinct_dates and needed > 1:
        return words.ngettext(
            "A first demonstration at {level} or above; {count} is needed on different days.",
            "A first demonstration at {level} or above; {count} are needed on different days.",
            needed, level=level)
    return words.ngettext("A first demonstration at {level} or above; {count} is needed.",
                          "A first demonstration at {level} or above; {count} are needed.",
                          needed, level=level)


def sparkline_points(line: OutcomeLine) -> tuple[float, float, tuple[float, ...]]:
    """The trend's y-range (the policy's scale) and points, for a SPARKLINE or an inline SVG."""
    scale = line.policy.scale
    return scale.minimum, scale.maximum, line.levels
