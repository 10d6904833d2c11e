"""The school workbook (docs/school.md): Gradebooks, Roster, Policy, Mentoring, Behavior tabs.

Every problem names the school workbook's tab and cell; only a missing or empty Gradebooks tab, or
a Policy tab Hive cannot read, leaves nothing to compute.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from policy_engine import Policy
from sheets_backend.gradebook.cells import Headers, find_headers, missing_tab, text
from sheets_backend.gradebook.policies import default_policies, parse_policy_tab
from sheets_backend.problems import Problem, Reason, cell_ref
from sheets_backend.school.side_tabs import CheckIn, Incident, check_ins, unresolved_incidents
from sheets_backend.sheets.snapshot import Snapshot, Tab

GRADEBOOKS, ROSTER, POLICY, MENTORING, BEHAVIOR = (
    "Gradebooks", "Roster", "Policy", "Mentoring", "Behavior")
SCHOOL_PLACE = "School"
_SHEETS_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")


@dataclass(frozen=True)
class Course:
    """One row of the Gradebooks tab: a teacher's gradebook and the course it keeps."""

    ref: str  # a Google Sheets URL or id; locally a path relative to the school workbook
    course: str
    teacher: str
    teacher_email: str
    department: str
    cell: str  # where the row's Gradebook cell is: "Gradebooks!A3"

    @property
    def spreadsheet_id(self) -> str:
        """The Google spreadsheet id in a URL (`.../spreadsheets/d/<id>/edit`), or the ref as is."""
        found = _SHEETS_URL.search(self.ref)
        return found.group(1) if found else self.ref

    @property
    def label(self) -> str:
        """How the school names this gradebook: "Math 6 (Ms Lee)"."""
        return f"{self.course} ({self.teacher})" if self.teacher else self.course


@dataclass(frozen=True)
class SchoolStudent:
    id: str
    name: str
    grade: str = ""
    mentor: str = ""
    mentor_email: str = ""
    family_email: str = ""
    family_language: str = ""


@dataclass(frozen=True)
class School:
    """Everything Hive read from the school workbook."""

    title: str
    courses: tuple[Course, ...]
    roster: tuple[SchoolStudent, ...] | None  # None: no Roster tab, the gradebooks' union is used
    policies: Mapping[str, Policy]
    policy_tab: Tab | None
    check_ins: tuple[CheckIn, ...] = ()
    incidents: tuple[Incident, ...] = ()
    problems: tuple[Problem, ...] = field(default=())

    @property
    def fatal(self) -> bool:
        return any(p.fatal for p in self.problems)


def read_school(snapshot: Snapshot) -> School:
    """Read the school workbook's tabs, collecting every problem."""
    problems: list[Problem] = []
    courses = _read_gradebooks(snapshot.find(GRADEBOOKS), problems)
    policy_tab = snapshot.find(POLICY)
    if policy_tab is None:
        problems.append(missing_tab(POLICY, fatal=False))
        policies = default_policies()
    else:
        policies, policy_problems = parse_policy_tab([list(r) for r in policy_tab.rows],
                                                     tab=policy_tab.title)
        problems.extend(policy_problems)
    roster = _read_roster(snapshot.find(ROSTER), problems)
    known = None if roster is None else {s.id for s in roster}
    incidents = unresolved_incidents(snapshot.find(BEHAVIOR), SCHOOL_PLACE, known, problems)
    rows = check_ins(snapshot.find(MENTORING), problems)
    if known is not None:
        for row in rows:
            if row.student_id not in known:
                problems.append(Problem(row.cell, Reason.UNKNOWN_STUDENT,
                                        f'Student ID "{row.student_id}" is not on the Roster; '
                                        "row ignored"))
        rows = [r for r in rows if r.student_id in known]
    return School(
        title=snapshot.title,
        courses=tuple(courses),
        roster=roster,
        policies=policies,
        policy_tab=policy_tab,
        check_ins=tuple(rows),
        incidents=tuple(incidents),
        problems=tuple(problems),
    )


def _read_gradebooks(tab: Tab | None, problems: list[Problem]) -> list[Course]:
    if tab is None:
        problems.append(missing_tab(GRADEBOOKS, fatal=True))
        return []
    headers, header_problems = find_headers(
        tab, ("Gradebook", "Course"), ("Teacher", "Teacher Email", "Department"))
    problems.extend(header_problems)
    if header_problems:
        return []
    courses: list[Course] = []
    seen: dict[str, int] = {}
    values = {name: headers.values(name) for name in
              ("Gradebook", "Course", "Teacher", "Teacher Email", "Department")}
    for i, raw in enumerate(values["Gradebook"]):
        ref, course = text(raw), text(values["Course"][i])
        if not ref:
            if course:
                problems.append(Problem(headers.cell(i + 1, "Gradebook"), Reason.MISSING_GRADEBOOK,
                                        f'the course "{course}" names no gradebook; row skipped'))
            continue
        if ref in seen:
            problems.append(Problem(headers.cell(i + 1, "Gradebook"), Reason.MISSING_GRADEBOOK,
                                    f"this gradebook is already listed in row {seen[ref] + 2}; "
                                    "row skipped"))
            continue
        seen[ref] = i
        courses.append(Course(
            ref=ref,
            course=course or ref,
            teacher=text(values["Teacher"][i]),
            teacher_email=text(values["Teacher Email"][i]),
            department=text(values["Department"][i]),
            cell=headers.cell(i + 1, "Gradebook"),
        ))
    if not courses:
        problems.append(Problem(cell_ref(tab.title, 2, headers.column("Gradebook") + 1),
                                Reason.MISSING_GRADEBOOK,
                                "the Gradebooks tab lists no gradebooks; add one per row from row 2",
                                fatal=True))
    return courses


def _read_roster(tab: Tab | None, problems: list[Problem]) -> tuple[SchoolStudent, ...] | None:
    if tab is None:
        return None
    optional = ("Grade", "Mentor", "Mentor Email", "Family Email", "Family Language")
    headers, header_problems = find_headers(tab, ("Student ID", "Student Name"), optional)
    if header_problems:
        problems.extend(Problem(p.cell, p.reason, p.message + "; the gradebooks' Rosters are used")
                        for p in header_problems)
        return None
    values = {name: headers.values(name) for name in ("Student ID", "Student Name", *optional)}
    students: list[SchoolStudent] = []
    first: dict[str, int] = {}
    for i, raw in enumerate(values["Student ID"]):
        sid = text(raw)
        if not sid:
            continue
        if sid in first:
            problems.append(Problem(headers.cell(i + 1, "Student ID"), Reason.DUPLICATE_STUDENT,
                                    f'Student ID "{sid}" is already used in row {first[sid] + 2}; '
                                    "this row was skipped"))
            continue
        first[sid] = i
        students.append(SchoolStudent(
            id=sid, name=text(values["Student Name"][i]), grade=text(values["Grade"][i]),
            mentor=text(values["Mentor"][i]), mentor_email=text(values["Mentor Email"][i]),
            family_email=text(values["Family Email"][i]),
            family_language=text(values["Family Language"][i])))
    problems.extend(_mentors_without_email(students, headers, first))
    return tuple(students)


def _mentors_without_email(
    students: list[SchoolStudent], headers: Headers, row_of: dict[str, int]
) -> list[Problem]:
    """A mentor no Roster row gives an email for cannot be sent their page: once per mentor."""
    emails: dict[str, str] = {}
    first: dict[str, str] = {}
    for s in students:
        if s.mentor:
            first.setdefault(s.mentor, s.id)
            emails[s.mentor] = emails.get(s.mentor) or s.mentor_email
    column = "Mentor Email" if "Mentor Email" in headers else "Mentor"
    return [
        Problem(headers.cell(row_of[first[m]] + 1, column), Reason.MENTOR_NO_EMAIL,
                f'the mentor "{m}" has no Mentor Email on any Roster row; their mentor page '
                "cannot be shared")
        for m in first if not emails[m]
    ]
