"""The `Student Summary` tab: one print-ready block per student, in plain words, about them only.

No class averages, no ranks, no behaviour; missing work is listed as work to hand in, never a score.
A block is in the school's language; when the Roster gives another Family Language, each fixed word
is followed by its translation, so the student and the family can read the same printed page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd

from sheets_backend.gradebook.template import Gradebook
from sheets_backend.i18n.words import SOURCE_LANGUAGE, Words, words_for
from sheets_backend.reports.content import (
    COLOUR_KEY,
    COLUMNS,
    NO_EVIDENCE,
    NOTHING_MISSING,
    SYMBOLS,
    WORK_TO_HAND_IN,
    OutcomeLine,
    StudentReport,
    as_of_line,
    evidence_text,
    headline,
    latest_text,
    legend_text,
    next_step,
    outcome_text,
    sparkline_points,
    status_text,
    student_reports,
    work_text,
)
from sheets_backend.reports.header import (
    from_line,
    grade_rule,
    grade_text,
    policy_text,
    scale_text,
)
from sheets_backend.tabs.plan import CellData, TabContent, formula_cell, text_cell

STUDENT_SUMMARY = "Student Summary"
HEADER_COLOUR = "#eeeeee"
COLUMN_WIDTHS = (260, 150, 240, 110, 260)
SPARKLINE_COLOUR = "#3c78d8"
Say = Callable[[Callable[[Words], str]], str]


def summary_tab(
    book: Gradebook,
    outcomes: pd.DataFrame,
    students: pd.DataFrame,
    *,
    as_of: dt.date | None = None,
) -> TabContent:
    """The tab for every Roster student, in Roster order; each block says "Progress as of
    <date>" (`as_of`, else today)."""
    school = Words(SOURCE_LANGUAGE)
    rows: list[list[CellData]] = []
    for report in student_reports(book, outcomes, students, as_of=as_of):
        rows.extend(student_block(report, school, words_for(report.student.family_language)))
        rows.append([])
    return TabContent(STUDENT_SUMMARY, rows, column_widths=COLUMN_WIDTHS)


def student_block(report: StudentReport, school: Words, family: Words) -> list[list[CellData]]:
    """One student's rows: name, headline, when and who it is from, grade, key, a row per
    outcome, then work to hand in."""
    both = _both(school, family)
    rows: list[list[CellData]] = [
        [text_cell(report.student.name or report.student.id, bold=True, size=14)],
    ]
    for words in _languages(school, family):
        rows.append([text_cell(headline(words, report), wrap=False)])
    if report.as_of is not None:
        as_of = report.as_of
        rows.append([text_cell(both(lambda w: as_of_line(w, as_of)), bold=True, wrap=True)])
    if from_line(school, report.about):
        rows.append([text_cell(both(lambda w: from_line(w, report.about)), wrap=False)])
    card = report.card_policy.report_card if report.card_policy is not None else None
    if report.report_card and card is not None:
        grade = report.report_card
        rows.append([text_cell(both(lambda w: grade_text(w, grade)), bold=True, wrap=False),
                     text_cell(both(lambda w: grade_rule(w, card, grade)), wrap=True)])
    # By name: hashing a Policy (a deep frozen dataclass) per outcome costs more than the block.
    for policy in {line.policy.name: line.policy for line in report.outcomes}.values():
        rows.append([text_cell(both(lambda w, p=policy: scale_text(w, p)), wrap=True),
                     text_cell(both(lambda w, p=policy: policy_text(w, p)), wrap=True)])
    rows.append([text_cell(both(lambda w: w.gettext(COLOUR_KEY)), bold=True)] + [
        text_cell(
            f"{SYMBOLS[entry.status]} " + both(lambda w, e=entry: legend_text(w, e, symbol=False)),
            background=entry.colour, wrap=True)
        for entry in report.legend
    ])
    rows.append([
        text_cell(both(lambda w, h=heading: w.gettext(h)), bold=True, background=HEADER_COLOUR,
                  wrap=True)
        for heading in COLUMNS
    ])
    for line in report.outcomes:
        rows.append(_outcome_row(line, school, both, report))
    work = "; ".join(work_text(school, item) for item in report.work)
    rows.append([
        text_cell(both(lambda w: w.gettext(WORK_TO_HAND_IN)), bold=True, wrap=True),
        text_cell(work or both(lambda w: w.gettext(NOTHING_MISSING)), wrap=True),
    ])
    return rows


def _outcome_row(line: OutcomeLine, school: Words, both: Say, report: StudentReport
                 ) -> list[CellData]:
    # The trail is dates, names and numbers: one language keeps it short enough to print.
    trail = "\n".join([evidence_text(school, entry) for entry in line.evidence])
    status = f"{SYMBOLS[line.status]} " + both(lambda w: status_text(w, line, symbol=False))
    if line.slipping:
        status += "\n" + both(lambda w: latest_text(w, line, report.names))
    return [
        # The teacher's words, and their own translation where the Outcomes tab has one.
        text_cell(both(lambda w: outcome_text(w, line)), wrap=True),
        text_cell(status, background=line.colour, wrap=True),
        text_cell(trail or both(lambda w: w.gettext(NO_EVIDENCE)), wrap=True),
        sparkline(line),
        text_cell(both(lambda w: next_step(w, line)), wrap=True),
    ]


def sparkline(line: OutcomeLine) -> CellData:
    """A SPARKLINE Hive composes from numbers only (never teacher text), on the policy's scale."""
    low, high, points = sparkline_points(line)
    if len(points) < 2:
        return {}
    values = ",".join(f"{v:g}" for v in points)
    options = f'{{"ymin",{low:g};"ymax",{high:g};"color","{SPARKLINE_COLOUR}";"linewidth",2}}'
    return formula_cell(f"=SPARKLINE({{{values}}},{options})")


def _languages(school: Words, family: Words) -> tuple[Words, ...]:
    return (school,) if family.language == school.language else (school, family)


def _both(school: Words, family: Words) -> Say:
    """`say(words)` in the school's language, then (on a new line) in the family's."""

    if family.language == school.language:
        return lambda say: say(school)

    def render(say: Callable[[Words], str]) -> str:
        first, second = say(school), say(family)
        return first if first == second else f"{first}\n{second}"

    return render
