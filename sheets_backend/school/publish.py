"""The school's private pages in a folder: one cross-course report per student (every course's
outcomes, in the family's language) and one page per mentor holding only their mentees.

Files are named by a hash, never by a name; publishing again overwrites in place and removes the
pages of students or mentors who are gone. Other files in the folder are left alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from sheets_backend.errors import HiveError
from sheets_backend.i18n.words import SOURCE_LANGUAGE, Words, words_for
from sheets_backend.problems import Problem
from sheets_backend.publish.local import report_key, write_atomically
from sheets_backend.reports.content import REPORT_TITLE, StudentReport, headline, student_reports
from sheets_backend.reports.html import body, page
from sheets_backend.school.aggregate import SchoolView, aggregate
from sheets_backend.school.course import CourseResult, Opener, course_result, not_read, read_course
from sheets_backend.school.run import read_school_book
from sheets_backend.school.tabs import GROUP, needs_text
from sheets_backend.school.workbook import Course, SchoolStudent
from sheets_backend.sheets.gateway import SheetsGateway

log = logging.getLogger(__name__)
_OURS = re.compile(r"^(school|mentor)-[0-9a-f]{16}\.html$")


@dataclass(frozen=True)
class Published:
    reports: int
    mentor_pages: int
    paths: tuple[Path, ...]
    not_read: tuple[Problem, ...]


def school_report_name(student_id: str) -> str:
    return f"school-{report_key(student_id)}.html"


def mentor_page_name(mentor: str) -> str:
    return f"mentor-{hashlib.sha256(f'hive-mentor{chr(0)}{mentor}'.encode()).hexdigest()[:16]}.html"


def publish_school(
    gateway: SheetsGateway, opener: Opener, out_dir: Path, *, as_of: dt.date | None = None
) -> Published:
    """Read every gradebook (no writes), then write the students' and mentors' pages."""
    view, reports = read_reports(gateway, opener, as_of=as_of)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for student in view.students:
        courses = reports.get(student.id)
        if courses:
            path = out_dir / school_report_name(student.id)
            write_atomically(path, cross_course_page(student, courses))
            written.append(path)
    n_reports = len(written)
    for mentor, _email, mentees in view.mentors():
        path = out_dir / mentor_page_name(mentor)
        write_atomically(path, mentor_page(mentor, mentees, view))
        written.append(path)
    keep = {p.name for p in written}
    for stale in out_dir.iterdir():
        if _OURS.match(stale.name) and stale.name not in keep:
            stale.unlink()
    log.info("school pages published", extra={"reports": n_reports,
                                              "mentor_pages": len(written) - n_reports})
    return Published(n_reports, len(written) - n_reports, tuple(written),
                     tuple(r.error for r in view.not_read if r.error is not None))


def read_reports(
    gateway: SheetsGateway, opener: Opener, *, as_of: dt.date | None = None
) -> tuple[SchoolView, dict[str, list[tuple[Course, StudentReport]]]]:
    """The school's picture and every student's reports by Student ID, each course's in
    Gradebooks order; every gradebook read once, nothing written. A gradebook that cannot be read
    is in `view.not_read`."""
    _, school = read_school_book(gateway)
    results: list[CourseResult] = []
    reports: dict[str, list[tuple[Course, StudentReport]]] = {}
    for course in school.courses:
        course_gateway: SheetsGateway | None = None
        try:
            course_gateway = opener(course)
            course_snapshot, book, evaluation = read_course(school, course_gateway, as_of=as_of)
        except HiveError as error:
            results.append(not_read(course, error, course_gateway))
            continue
        results.append(course_result(school, course, course_snapshot, book, evaluation,
                                     course_gateway))
        for report in student_reports(book, evaluation.outcomes, evaluation.students, as_of=as_of):
            reports.setdefault(report.student.id, []).append((course, report))
    return aggregate(school, results), reports


def cross_course_heading(student: SchoolStudent, courses: list[tuple[Course, StudentReport]]
                         ) -> tuple[Words, StudentReport, str]:
    """What opens one student's report over every course, on a page or in a sheet: the family's
    words, the overall figures (outcomes met and assessed, summed over the courses) and the
    student's name."""
    first = courses[0][1]
    words = words_for(student.family_language or first.student.family_language)
    overall = dataclasses.replace(first, met=sum(r.met for _, r in courses),
                                  assessed=sum(r.assessed for _, r in courses))
    return words, overall, student.name or first.student.name or student.id


def cross_course_page(student: SchoolStudent, courses: list[tuple[Course, StudentReport]]) -> str:
    """One student's page: an overall line, then every course's report, in Gradebooks order.
    Everything on it comes from this student's own reports."""
    words, overall, name = cross_course_heading(student, courses)
    parts = [f"<h1>{escape(name)}</h1>",
             f'<p class="headline"><strong>{escape(headline(words, overall))}</strong></p>']
    for course, report in courses:
        parts.append(f'<section><h2 class="course">{escape(course.label)}</h2>')
        parts.append(body(report, words))
        parts.append("</section>")
    return page([("\n".join(parts), words)], f"{words.gettext(REPORT_TITLE)} · {name}",
                words.language)


def mentor_table(
    mentees: tuple[SchoolStudent, ...], view: SchoolView
) -> tuple[list[str], list[list[str]]]:
    """A mentor's table as plain text (header, a row per mentee in Roster order): each course's
    figures, what needs a check-in, incentive eligibility. Only these mentees' rows are read."""
    figures = view.figures.to_dict("index")
    needs = view.needs.to_dict("index")
    head = ["Student", "Grade", "Last check-in"]
    head += [f"{c}: {g}" for c in view.courses for g in GROUP]
    head += ["Needs a check-in", "Incentive eligible"]
    rows = []
    for s in mentees:
        day = view.last_check_in.get(s.id)
        cells = [s.name or s.id, s.grade, f"{day:%Y-%m-%d}" if day is not None else "none yet"]
        for course in view.courses:
            f = figures.get((s.id, course))
            if f is None:
                cells += ["", "", ""]
            else:
                pct = f["percent_met"]
                cells += ["" if pct != pct else f"{pct:.0f}%", str(int(f["on_track"])),
                          str(int(f["missing_count"]))]
        items = [needs_text(c, needs.get((s.id, c))) for c in view.courses]
        cells.append("; ".join(i for i in items if i) or "nothing flagged")
        cells.append("No" if view.ineligible.get(s.id) else "Yes")
        rows.append(cells)
    return head, rows


def mentor_page(mentor: str, mentees: tuple[SchoolStudent, ...], view: SchoolView) -> str:
    """A mentor's page: their mentees only, each course's figures and what needs a check-in."""
    words = Words(SOURCE_LANGUAGE)
    head_cells, body_rows = mentor_table(mentees, view)
    head = "".join(f"<th>{escape(h)}</th>" for h in head_cells)
    rows = ["<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>"
            for cells in body_rows]
    table = f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + \
        "\n</tbody>\n</table>"
    heading = f"<h1>{escape(f'Mentees of {mentor}')}</h1>"
    return page([(heading + "\n" + table, words)], f"Mentees · {mentor}", words.language)

