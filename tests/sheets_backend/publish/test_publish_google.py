"""GooglePublisher end to end on the local service: a real gradebook, real gspread, Drive v3."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from gspread.urls import DRIVE_FILES_API_V3_URL as FILES
from workbooks import BASE_TABS, Rows, write_workbook

from sheets_backend.publish.google import (
    GRADEBOOK_PROPERTY,
    REPORT_PROPERTY,
    GooglePublish,
    GooglePublisher,
)
from sheets_backend.publish.local import report_key
from sheets_backend.recompute import evaluate_sheet
from sheets_backend.sheets.gateway import SheetsGateway, local_client
from sheets_backend.sheets.local import LocalSheets
from sheets_backend.sheets.local.drive import FOLDER, LocalDrive

OWNER = "hive-local@localhost"
CO_TEACHER = "co.teacher@school.example.org"
DEPARTMENT = "math.head@school.example.org"
EMAILS = {  # Student ID -> (Student Email, Family Email)
    "S1": ("ana.rivera@students.example.org", "rivera.home@example.com"),
    "S2": ("omar.diallo@students.example.org", "diallo.fam@example.com; grandma.d@example.com"),
    "S3": ("s3@students.example.org", ""),
    "S4": ("mei.chen@students.example.org", "Chen.Parents@Example.com"),
}


def gradebook_tabs(leaving: tuple[str, ...] = ()) -> dict[str, Rows]:
    """The base gradebook with Student and Family Email columns, without the `leaving` students."""
    tabs = copy.deepcopy(BASE_TABS)
    header, *students = tabs["Roster"]
    tabs["Roster"] = [header + ["Student Email", "Family Email"]] + [
        row + list(EMAILS[row[0]]) for row in students if row[0] not in leaving]
    return tabs


class Publishing:
    """A teacher's gradebook on disk, her Drive folder, and `publish()` as the add-on runs it."""

    def __init__(self, tmp_path: Path) -> None:
        self.path = tmp_path / "gradebook.xlsx"
        self.service = LocalSheets()
        self.drive = LocalDrive(self.service)
        self.client = local_client(self.drive, base_delay=0.0, budget=1.0)
        self.http = self.client.http_client
        self.folder = self.http.request("post", FILES, json={
            "name": "Progress reports", "mimeType": FOLDER}).json()["id"]
        write_workbook(self.path, gradebook_tabs())
        self.gradebook = self.service.open_workbook(self.path)

    def publish(self, leaving: tuple[str, ...] = ()) -> GooglePublish:
        if leaving:
            write_workbook(self.path, gradebook_tabs(leaving))
            self.service.open_workbook(self.path)
        book, evaluation = evaluate_sheet(SheetsGateway(self.client, self.gradebook))
        return GooglePublisher(self.client, self.folder, self.gradebook).publish(book, evaluation)

    def files(self, *, trashed: bool | None = None) -> dict[str, dict[str, Any]]:
        """The folder's files by report key, as Drive lists them."""
        q = f"'{self.folder}' in parents"
        if trashed is not None:
            q += f" and trashed = {str(trashed).lower()}"
        reply = self.http.request("get", FILES, params={
            "q": q, "fields": "files(id,name,trashed,appProperties)"}).json()
        return {f["appProperties"][REPORT_PROPERTY]: f for f in reply["files"]}

    def access(self, file_id: str) -> dict[str, tuple[str, bool]]:
        """{email: (role, inherited)}: who can open a file."""
        return {p["emailAddress"]: (p["role"], any(d["inherited"] for d in p["permissionDetails"]))
                for p in self.client.list_permissions(file_id)}

    def text(self, file_id: str) -> str:
        sheet = self.client.open_by_key(file_id)
        return "\n".join(" | ".join(row) for ws in sheet.worksheets()
                         for row in ws.get_all_values())


def readers_of(student_id: str) -> set[str]:
    found = " ".join(EMAILS[student_id]).replace(";", " ").split()
    return {e.casefold() for e in found}


@pytest.fixture
def teacher(tmp_path: Path) -> Publishing:
    return Publishing(tmp_path)


def test_first_publish_creates_one_private_report_per_student(teacher: Publishing) -> None:
    result = teacher.publish()
    files = teacher.files()
    assert set(files) == {report_key(s) for s in EMAILS}
    assert result == GooglePublish(created=4, updated=0, retired=0, shared=8, unshared=0)
    for student_id in EMAILS:
        report = files[report_key(student_id)]
        assert report["appProperties"][GRADEBOOK_PROPERTY] == teacher.gradebook
        assert not report["trashed"]
        assert teacher.access(report["id"]) == {
            OWNER: ("owner", False), **{e: ("reader", False) for e in readers_of(student_id)}}
    assert teacher.drive.notified == []  # shared without a notification email


def test_publishing_again_updates_in_place(teacher: Publishing) -> None:
    teacher.publish()
    before = {k: f["id"] for k, f in teacher.files().items()}
    access = {fid: teacher.access(fid) for fid in before.values()}
    result = teacher.publish()
    assert result == GooglePublish(created=0, updated=4, retired=0, shared=0, unshared=0)
    assert {k: f["id"] for k, f in teacher.files().items()} == before
    assert {fid: teacher.access(fid) for fid in before.values()} == access
    assert len(teacher.service.spreadsheet_ids) == 1 + 4  # the gradebook and four reports


def test_a_student_who_leaves_loses_access_and_the_report_is_trashed(teacher: Publishing) -> None:
    teacher.publish()
    omar = teacher.files()[report_key("S2")]["id"]
    result = teacher.publish(leaving=("S2",))
    assert result == GooglePublish(created=0, updated=3, retired=1, shared=0, unshared=3)
    assert teacher.access(omar) == {OWNER: ("owner", False)}
    assert set(teacher.files(trashed=True)) == {report_key("S2")}
    assert set(teacher.files(trashed=False)) == {report_key(s) for s in ("S1", "S3", "S4")}
    again = teacher.publish(leaving=("S2",))  # the trashed file is not found again
    assert (again.created, again.retired) == (0, 0)


def test_a_report_holds_nothing_of_any_other_student(teacher: Publishing) -> None:
    teacher.publish()
    roster = {row[0]: row[1] for row in BASE_TABS["Roster"][1:]}
    for student_id, report in teacher.files().items():
        text = teacher.text(report["id"])
        own = next(s for s in EMAILS if report_key(s) == student_id)
        for other, name in roster.items():
            if other == own:
                continue
            assert other not in text and name not in text
            assert not any(e in text.casefold() for e in readers_of(other))
        assert "Phone out during the quiz" not in text and "Late three times" not in text


def test_co_teachers_and_folder_access_are_never_removed(teacher: Publishing) -> None:
    teacher.client.insert_permission(teacher.folder, DEPARTMENT, perm_type="user", role="reader",
                                     notify=False)
    teacher.publish()
    reports = {k: f["id"] for k, f in teacher.files().items()}
    for file_id in reports.values():
        teacher.client.insert_permission(file_id, CO_TEACHER, perm_type="user", role="writer",
                                         notify=False)
    teacher.publish(leaving=("S1",))
    for student_id, file_id in reports.items():
        access = teacher.access(file_id)
        assert access[CO_TEACHER] == ("writer", False)
        assert access[DEPARTMENT] == ("reader", True)
        readers = {e for e, (role, inherited) in access.items()
                   if role == "reader" and not inherited}
        left = student_id == report_key("S1")
        assert readers == (set() if left else readers_of(
            next(s for s in EMAILS if report_key(s) == student_id)))


def test_a_changed_family_email_moves_access_to_the_new_address(
    teacher: Publishing, monkeypatch: pytest.MonkeyPatch
) -> None:
    teacher.publish()
    monkeypatch.setitem(EMAILS, "S1", ("ana.rivera@students.example.org", "new.home@example.com"))
    write_workbook(teacher.path, gradebook_tabs())
    teacher.service.open_workbook(teacher.path)
    result = teacher.publish()
    assert (result.shared, result.unshared) == (1, 1)
    ana = teacher.files()[report_key("S1")]["id"]
    assert set(teacher.access(ana)) == {OWNER, "ana.rivera@students.example.org",
                                        "new.home@example.com"}
