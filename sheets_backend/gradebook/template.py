"""The sheet contract (docs/template.md): a snapshot becomes a roster, outcomes, policies and evidence.

Every problem is reported with its tab and cell; a bad cell is skipped and good ones still count.
Only a problem that leaves nothing to compute (no Roster, no Outcomes) is fatal.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from policy_engine import Policy, empty_overrides
from sheets_backend.gradebook.about import ABOUT, About, read_about
from sheets_backend.gradebook.cells import (
    Headers,
    column_values,
    find_headers,
    find_tab,
    is_blank,
    is_yes,
    missing_tab,
    text,
)
from sheets_backend.gradebook.dates import DEFAULT_START_MONTH, DateReader
from sheets_backend.gradebook.evidence_tab import read_evidence_tab
from sheets_backend.gradebook.overrides import OVERRIDES, read_overrides
from sheets_backend.gradebook.policies import default_policies, parse_policy_tab, read_school_year_start
from sheets_backend.gradebook.scores import read_scores_tab, retake_problems, scores_date_cells
from sheets_backend.gradebook.translations import (
    AssessmentNames,
    assessment_names,
    evidence_names,
    merge_names,
    translated_columns,
    unknown_language_problems,
)
from sheets_backend.i18n.words import resolve_language
from sheets_backend.problems import Problem, Reason, cell_ref
from sheets_backend.sheets.snapshot import Snapshot, Tab

ROSTER, OUTCOMES, SCORES, EVIDENCE, POLICY, BEHAVIOR, MENTORING = (
    "Roster",
    "Outcomes",
    "Scores",
    "Evidence",
    "Policy",
    "Behavior",
    "Mentoring",
)


@dataclass(frozen=True)
class Student:
    id: str
    name: str
    section: str = ""
    student_email: str = ""
    family_email: str = ""
    family_language: str = ""
    advisor: str = ""


@dataclass(frozen=True)
class Outcome:
    id: str
    text: str
    subject: str = ""
    unit: str = ""
    policy: str = "Default"
    translations: tuple[tuple[str, str], ...] = ()  # (language, wording) from `Outcome (es)`

    def text_in(self, language: str) -> str:
        """The wording for a family reading `language`: its translation, else the school's."""
        return dict(self.translations).get(language) or self.text


@dataclass(frozen=True)
class Mentoring:
    """A student's mentor and latest check-in: shown beside mastery, never part of it."""

    mentor: str
    last_check_in: pd.Timestamp | None


@dataclass(frozen=True)
class Gradebook:
    """Everything Hive read from a teacher's tabs, ready for the policy engine."""

    students: tuple[Student, ...]
    outcomes: tuple[Outcome, ...]
    evidence: pd.DataFrame
    policies: Mapping[str, Policy]
    incentive_eligible: Mapping[str, bool] = field(default_factory=dict)
    mentoring: Mapping[str, Mentoring] | None = None  # None: the sheet has no Mentoring tab
    problems: tuple[Problem, ...] = ()
    overrides: pd.DataFrame = field(default_factory=empty_overrides)
    about: About = field(default_factory=About)
    assessment_names: AssessmentNames = field(default_factory=dict)

    def assessment_in(self, name: str, language: str) -> str:
        """An assessment's name for a family reading `language` (`Name (es)` rows), else as is."""
        return self.assessment_names.get(name, {}).get(language) or name

    @property
    def outcome_policy(self) -> dict[str, str]:
        return {o.id: o.policy for o in self.outcomes}

    @property
    def fatal(self) -> bool:
        return any(p.fatal for p in self.problems)


def read_gradebook(snapshot: Snapshot) -> Gradebook:
    """Read every template tab of `snapshot`, collecting all problems rather than stopping at one."""
    problems: list[Problem] = []
    policy_tab = find_tab(snapshot, POLICY, problems)
    policies = _read_policies(policy_tab, problems)
    students = _read_roster(find_tab(snapshot, ROSTER, problems), problems)
    outcomes = _read_outcomes(find_tab(snapshot, OUTCOMES, problems), policies, problems)
    frames = []
    names: list[AssessmentNames] = []
    overrides = empty_overrides()
    dated = {name: find_tab(snapshot, name, []) for name in (SCORES, EVIDENCE, OVERRIDES)}
    dates = _date_reader(policy_tab, dated, snapshot, problems)
    if students and outcomes:
        context = (
            {s.id for s in students},
            {o.id: policies[o.policy] for o in outcomes},
        )
        scores_tab = find_tab(snapshot, SCORES, problems)
        evidence_tab = find_tab(snapshot, EVIDENCE, problems)
        if scores_tab is None and evidence_tab is None:
            problems.append(missing_tab(SCORES, fatal=False))
        if scores_tab is not None:
            frames.append(read_scores_tab(scores_tab, *context, problems, dates=dates))
            names.append(_scores_names(scores_tab))
        if evidence_tab is not None:
            frames.append(read_evidence_tab(evidence_tab, *context, problems, dates=dates))
            names.append(_evidence_names(evidence_tab))
        overrides = read_overrides(find_tab(snapshot, OVERRIDES, problems), *context, problems,
                                   dates=dates)
    evidence = (
        pd.concat(frames, ignore_index=True) if frames else read_scores_tab(None, set(), {}, [])
    )
    if frames:
        problems.extend(retake_problems(evidence, context[1]))
    ids = {s.id for s in students}
    eligible = _read_behavior(snapshot.find(BEHAVIOR), ids, problems, dates)
    mentoring = _read_mentoring(snapshot.find(MENTORING), ids, problems, dates)
    return Gradebook(
        students=tuple(students),
        outcomes=tuple(outcomes),
        evidence=evidence,
        policies=policies,
        incentive_eligible=eligible,
        mentoring=mentoring,
        problems=tuple(problems),
        overrides=overrides,
        about=read_about(snapshot.find(ABOUT), snapshot.title),
        assessment_names=merge_names(*names),
    )


def _scores_names(tab: Tab) -> AssessmentNames:
    """Translated assessment names from the Scores tab's `Name (es)` rows."""
    headers, header_problems = find_headers(tab, ("Student ID",))
    return {} if header_problems else assessment_names(tab, headers.column("Student ID"))


def _evidence_names(tab: Tab) -> AssessmentNames:
    """Translated assessment names from the Evidence tab's `Assessment (es)` columns."""
    headers, header_problems = find_headers(tab, ("Assessment",))
    if header_problems:
        return {}
    columns = {
        language: column_values(tab, col, headers.row + 1)
        for language, col in translated_columns(tab, headers.row, "Assessment").items()
    }
    return evidence_names(headers.values("Assessment"), columns)


def _read_policies(tab: Tab | None, problems: list[Problem]) -> dict[str, Policy]:
    if tab is None:
        return default_policies()
    policies, policy_problems = parse_policy_tab([list(r) for r in tab.rows], tab=tab.title)
    problems.extend(policy_problems)
    # No Default (its header blank, or its column unreadable) is already a fatal problem at its
    # cell; the school's defaults stand in so the rest of the tabs are still checked.
    return policies if "Default" in policies else {**default_policies(), **policies}


def _date_reader(
    policy_tab: Tab | None, dated: Mapping[str, Tab | None], snapshot: Snapshot,
    problems: list[Problem],
) -> DateReader:
    """How this gradebook's dates are read: a date without a year takes the school year most
    of its full dates (Scores, Evidence, Overrides, Behavior, Mentoring) fall in."""
    start = DEFAULT_START_MONTH
    if policy_tab is not None:
        start, start_problems = read_school_year_start([list(r) for r in policy_tab.rows],
                                                       policy_tab.title)
        problems.extend(start_problems)
    cells: list[Any] = []
    scores = dated[SCORES]
    if scores is not None:
        cells.extend(scores_date_cells(scores))
    for tab in (dated[EVIDENCE], dated[OVERRIDES], snapshot.find(BEHAVIOR),
                snapshot.find(MENTORING)):
        if tab is not None:
            headers, _ = find_headers(tab, (), ("Date",))
            cells.extend(headers.values("Date"))
    return DateReader.for_dates(cells, start)


def _read_roster(tab: Tab | None, problems: list[Problem]) -> list[Student]:
    if tab is None:
        problems.append(missing_tab(ROSTER, fatal=True))
        return []
    optional = ("Section", "Student Email", "Family Email", "Family Language", "Advisor")
    headers, header_problems = find_headers(tab, ("Student ID", "Student Name"), optional)
    problems.extend(header_problems)
    if header_problems:
        return []
    columns = {name: column_values(tab, col, 1) for name, col in headers.columns.items()}
    students: list[Student] = []
    first_row: dict[str, int] = {}
    for i, raw_id in enumerate(columns["Student ID"]):
        row = i + 1
        sid, name = text(raw_id), text(columns["Student Name"][i])
        if not sid:
            if name:
                problems.append(
                    Problem(
                        headers.cell(row, "Student ID"),
                        Reason.MISSING_STUDENT_ID,
                        "this student has no Student ID; the row was skipped",
                    )
                )
            continue
        if sid in first_row:
            problems.append(
                Problem(
                    headers.cell(row, "Student ID"),
                    Reason.DUPLICATE_STUDENT,
                    f'Student ID "{sid}" is already used in row {first_row[sid] + 1}; '
                    "this row was skipped",
                )
            )
            continue
        first_row[sid] = row
        extra = {n: text(columns[n][i]) for n in optional if n in columns}
        students.append(
            Student(
                id=sid,
                name=name,
                section=extra.get("Section", ""),
                student_email=extra.get("Student Email", ""),
                family_email=extra.get("Family Email", ""),
                family_language=extra.get("Family Language", ""),
                advisor=extra.get("Advisor", ""),
            )
        )
    _warn_unknown_languages(students, columns.get("Family Language"), headers, problems)
    if not students:
        problems.append(
            Problem(
                cell_ref(tab.title, 2, headers.column("Student ID") + 1),
                Reason.EMPTY_ROSTER,
                "the Roster has no students; add one per row from row 2",
                fatal=True,
            )
        )
    return students


def _warn_unknown_languages(
    students: list[Student], languages: list[Any] | None, headers: Any, problems: list[Problem]
) -> None:
    """A Family Language with no catalog falls back to English: say so once, at its first cell."""
    if languages is None:
        return
    seen: set[str] = set()
    for i, raw in enumerate(languages):
        language = text(raw)
        if language and language not in seen and resolve_language(language) is None:
            seen.add(language)
            problems.append(Problem(
                headers.cell(i + 1, "Family Language"), Reason.UNKNOWN_LANGUAGE,
                f'Hive has no "{language}" translation yet; these families get English '
                "(docs/translating.md says how to add a language)"))


def _read_outcomes(
    tab: Tab | None, policies: Mapping[str, Policy], problems: list[Problem]
) -> list[Outcome]:
    if tab is None:
        problems.append(missing_tab(OUTCOMES, fatal=True))
        return []
    optional = ("Subject", "Unit", "Policy")
    headers, header_problems = find_headers(
        tab,
        ("Outcome ID", "Outcome"),
        optional,
        aliases={"Outcome": ("Learning Outcome", "Outcome Text", "Description")},
    )
    problems.extend(header_problems)
    if header_problems:
        return []
    columns = {name: column_values(tab, col, 1) for name, col in headers.columns.items()}
    translated = {
        language: column_values(tab, col, 1)
        for language, col in translated_columns(tab, 0, "Outcome").items()
    }
    problems.extend(unknown_language_problems(tab, 0, "Outcome"))
    outcomes: list[Outcome] = []
    seen: dict[str, int] = {}
    for i, raw_id in enumerate(columns["Outcome ID"]):
        row = i + 1
        oid = text(raw_id)
        if not oid:
            continue
        if oid in seen:
            problems.append(
                Problem(
                    headers.cell(row, "Outcome ID"),
                    Reason.DUPLICATE_OUTCOME,
                    f'Outcome ID "{oid}" is already used in row {seen[oid] + 1}; this row was skipped',
                )
            )
            continue
        seen[oid] = row
        policy = text(columns["Policy"][i]) if "Policy" in columns else ""
        if policy and policy not in policies:
            known = ", ".join(policies)
            problems.append(
                Problem(
                    headers.cell(row, "Policy"),
                    Reason.UNKNOWN_POLICY,
                    f'"{policy}" is not a policy on the Policy tab ({known}); using Default',
                )
            )
            policy = ""
        outcomes.append(
            Outcome(
                id=oid,
                text=text(columns["Outcome"][i]) or oid,
                subject=text(columns["Subject"][i]) if "Subject" in columns else "",
                unit=text(columns["Unit"][i]) if "Unit" in columns else "",
                policy=policy or "Default",
                translations=tuple(
                    (language, text(values[i]))
                    for language, values in translated.items()
                    if i < len(values) and text(values[i])
                ),
            )
        )
    if not outcomes:
        problems.append(
            Problem(
                cell_ref(tab.title, 2, 1),
                Reason.MISSING_OUTCOME,
                "the Outcomes tab lists no outcomes; add one per row from row 2",
                fatal=True,
            )
        )
    return outcomes


def _read_behavior(
    tab: Tab | None, student_ids: set[str], problems: list[Problem], dates: DateReader
) -> dict[str, bool]:
    """Incentive eligibility: a student is eligible unless an incident of theirs is unresolved.

    Behaviour is kept apart from mastery: nothing here ever reaches the policy engine.
    """
    eligible = dict.fromkeys(student_ids, True)
    if tab is None:
        return eligible
    headers, header_problems = find_headers(tab, ("Student ID",), ("Date", "Note", "Resolved"))
    if header_problems:
        problems.extend(
            p.__class__(p.cell, p.reason, p.message, fatal=False) for p in header_problems
        )
        return eligible
    resolved = headers.values("Resolved")
    for i, sid, _day in _known_student_rows(headers, student_ids, problems, "incident ignored",
                                            dates):
        if not is_yes(resolved[i]):
            eligible[sid] = False
    return eligible


def _read_mentoring(
    tab: Tab | None, student_ids: set[str], problems: list[Problem], dates: DateReader
) -> dict[str, Mentoring] | None:
    """Each student's mentor and the date of their latest check-in (the newest row wins)."""
    if tab is None:
        return None
    headers, header_problems = find_headers(tab, ("Student ID", "Mentor"), ("Date", "Note"))
    if header_problems:
        problems.extend(
            Problem(p.cell, p.reason, p.message + "; the Mentoring tab was skipped")
            for p in header_problems
        )
        return None
    out: dict[str, Mentoring] = {}
    mentors = headers.values("Mentor")
    for i, sid, day in _known_student_rows(headers, student_ids, problems, "row ignored", dates):
        previous = out.get(sid)
        mentor = text(mentors[i]) or (previous.mentor if previous else "")
        latest = previous.last_check_in if previous else None
        if day is not None and (latest is None or day >= latest):
            latest = day
        out[sid] = Mentoring(mentor=mentor, last_check_in=latest)
    return out


def _known_student_rows(
    headers: Headers, student_ids: set[str], problems: list[Problem], ignored: str,
    dates: DateReader,
) -> Iterator[tuple[int, str, pd.Timestamp | None]]:
    """(row index, Student ID, Date) of each row naming a Roster student, for the side tabs
    (Behavior, Mentoring). An unknown ID or an unreadable date is named by its cell."""
    days = headers.values("Date")
    for i, raw in enumerate(headers.values("Student ID")):
        sid = text(raw)
        if not sid:
            continue
        if sid not in student_ids:
            problems.append(Problem(headers.cell(i + 1, "Student ID"), Reason.UNKNOWN_STUDENT,
                                    f'Student ID "{sid}" is not on the Roster; {ignored}'))
            continue
        read = dates.read(days[i])
        if read.reason is not None and not is_blank(days[i]):
            problems.append(Problem(headers.cell(i + 1, "Date"), read.reason, read.message))
        yield i, sid, read.day


