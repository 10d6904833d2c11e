"""The school's files on Drive: one cross-course report spreadsheet per student (shared with the
student and family) and one mentor sheet per mentor (shared with that mentor only).

What each file holds and who reads it is decided here (`school_files`, pure over what was read);
creating, writing, finding again by `appProperties` and sharing is `GooglePublisher`'s, the same
as a gradebook's reports, with the school workbook's id as the files' home.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

import gspread

from sheets_backend.publish.google import addresses, readers_for
from sheets_backend.publish.local import report_key
from sheets_backend.reports.content import REPORT_TITLE, StudentReport, headline
from sheets_backend.school.aggregate import SchoolView
from sheets_backend.school.publish import cross_course_heading, mentor_table
from sheets_backend.school.workbook import Course, SchoolStudent
from sheets_backend.sheets.gateway import SheetsGateway
from sheets_backend.tabs.plan import CellData, TabContent, text_cell
from sheets_backend.tabs.summary import COLUMN_WIDTHS, HEADER_COLOUR, student_block

FOLDER_NAME = "Hive school reports"
MENTOR_TAB = "Mentees"


@dataclass(frozen=True)
class SchoolFile:
    """One file to publish: its key (found again by it), title, only tab and readers."""

    key: str
    title: str
    content: TabContent
    readers: frozenset[str]
    kind: str  # "report" or "mentor"


def student_key(student_id: str) -> str:
    return f"school-{report_key(student_id)}"


def mentor_key(mentor: str) -> str:
    return f"mentor-{hashlib.sha256(f'hive-mentor{chr(0)}{mentor}'.encode()).hexdigest()[:16]}"


def school_files(
    view: SchoolView, reports: Mapping[str, Sequence[tuple[Course, StudentReport]]]
) -> list[SchoolFile]:
    """Every student's cross-course report (students with at least one course, Roster order),
    then every mentor's sheet (mentors in name order). Each is built from its own people only."""
    files = [cross_course_file(s, list(reports[s.id])) for s in view.students if reports.get(s.id)]
    for mentor, email, mentees in view.mentors():
        files.append(mentor_file(mentor, email, mentees, view))
    return files


def cross_course_file(student: SchoolStudent, courses: list[tuple[Course, StudentReport]]
                      ) -> SchoolFile:
    """One student's report spreadsheet: an overall line, then each course's block (the same
    block as a gradebook's report), in the family's language; shared with the Roster addresses
    of this student and family (the school's Roster and every course's)."""
    words, overall, name = cross_course_heading(student, courses)
    rows: list[list[CellData]] = [[text_cell(name, bold=True, size=14)],
                                  [text_cell(headline(words, overall))]]
    for course, report in courses:
        rows.append([])
        rows.append([text_cell(course.label, bold=True, size=12, background=HEADER_COLOUR)])
        rows += student_block(report, words, words)
    readers = set(addresses(student.family_email))
    for _, report in courses:
        readers |= readers_for(report.student)
    title = words.gettext(REPORT_TITLE)
    return SchoolFile(student_key(student.id), f"{title} · {name}",
                      TabContent(title, rows, frozen_rows=1, column_widths=COLUMN_WIDTHS),
                      frozenset(readers), "report")


def mentor_file(mentor: str, email: str, mentees: tuple[SchoolStudent, ...], view: SchoolView
                ) -> SchoolFile:
    """A mentor's sheet: their mentees only, shared with the mentor's email only (none: with no
    one, and the job says how many mentors that is)."""
    head, body = mentor_table(mentees, view)
    rows = [[text_cell(f"Mentees of {mentor}", bold=True, size=14)],
            [text_cell(h, bold=True, background=HEADER_COLOUR, wrap=True) for h in head]]
    rows += [[text_cell(c) for c in cells] for cells in body]
    readers = addresses(email)
    return SchoolFile(mentor_key(mentor), f"Mentees · {mentor}",
                      TabContent(MENTOR_TAB, rows, frozen_rows=2, frozen_columns=1),
                      readers, "mentor")


class DriveOpener:
    """Gradebooks opened with the caller's own client: a Sheets id or URL as it is; a local path
    (`math.xlsx`, the local service's way) by its file stem, the id the local service gives it."""

    def __init__(self, client: gspread.Client) -> None:
        self.client = client

    def __call__(self, course: Course) -> SheetsGateway:
        sid = course.spreadsheet_id
        if sid.casefold().endswith(".xlsx"):
            sid = PurePosixPath(sid.replace("\\", "/")).stem
        return SheetsGateway(self.client, sid)
