"""Publish each student's report as a private spreadsheet in the teacher's Drive folder.

A report spreadsheet is found again by a stable Drive `appProperties` pair (gradebook, student key),
never by its title, so publishing twice updates it in place. It is shared read-only, without an
email notification, with exactly the student's and family's addresses; a student who leaves the
Roster loses access first, then the file goes to the teacher's trash. What to add and remove is
decided by pure functions (`sharing_change`, `roster_change`); `GooglePublisher` carries it
out.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import gspread
from gspread.urls import DRIVE_FILES_API_V3_URL

from policy_engine import Evaluation
from sheets_backend.gradebook.template import Gradebook, Student
from sheets_backend.i18n.words import words_for
from sheets_backend.publish.local import report_key
from sheets_backend.reports.content import REPORT_TITLE, StudentReport, student_reports
from sheets_backend.sheets.gateway import SheetsGateway, translated_errors
from sheets_backend.tabs.plan import TabContent, WritePlan, build_plan
from sheets_backend.tabs.summary import COLUMN_WIDTHS, student_block

log = logging.getLogger(__name__)
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
GRADEBOOK_PROPERTY = "hiveGradebook"
REPORT_PROPERTY = "hiveReport"
FOLDER_PROPERTY = "hiveReportsFolder"  # on the folder Hive makes: the gradebook it serves
FOLDER_MIME = "application/vnd.google-apps.folder"
FOLDER_NAME = "Hive progress reports"
SHARED_ROLES = frozenset({"reader", "commenter"})  # the only access Hive grants or takes away
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


@dataclass(frozen=True)
class Permission:
    """One entry of a file's sharing list, as Drive v3 describes it."""

    id: str
    email: str
    role: str
    type: str = "user"
    inherited: bool = False

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Permission:
        details = data.get("permissionDetails") or []
        return cls(
            id=str(data.get("id", "")),
            email=str(data.get("emailAddress", "")).strip().casefold(),
            role=str(data.get("role", "")),
            type=str(data.get("type", "user")),
            inherited=any(d.get("inherited") for d in details),
        )


@dataclass(frozen=True)
class SharingChange:
    """Addresses to share with (read-only) and permissions to remove."""

    add: tuple[str, ...] = ()
    remove: tuple[Permission, ...] = ()


@dataclass(frozen=True)
class RosterChange:
    """Which reports to create, which to update (by file id), which files to retire."""

    create: tuple[str, ...] = ()
    update: Mapping[str, str] = field(default_factory=dict)
    retire: tuple[str, ...] = ()


def readers_for(student: Student) -> frozenset[str]:
    """Who may read a student's report: the Student and Family Email cells (several allowed,
    separated by commas or semicolons), lower-cased; anything that is not an address is ignored."""
    return addresses(f"{student.student_email} {student.family_email}")


def addresses(text: str) -> frozenset[str]:
    """The email addresses in a cell (several allowed, separated by commas, semicolons or
    spaces), lower-cased; anything that is not an address is ignored."""
    found = re.split(r"[,;\s]+", text)
    return frozenset(e.casefold() for e in found if _EMAIL.match(e))


def sharing_change(wanted: Iterable[str], current: Iterable[Permission]) -> SharingChange:
    """The smallest change that leaves exactly `wanted` as the file's direct readers.

    Only direct `user` readers and commenters are Hive's to remove: the owner, editors (the
    teacher, co-teachers) and access inherited from the folder are never touched.

    >>> now = [Permission("1", "ana@x.org", "reader"), Permission("2", "t@x.org", "owner")]
    >>> change = sharing_change({"mom@x.org"}, now)
    >>> change.add, [p.id for p in change.remove]
    (('mom@x.org',), ['1'])
    """
    wanted = {w.casefold() for w in wanted}
    current = list(current)
    has_access = {p.email for p in current if p.type == "user"}
    removable = [
        p for p in current
        if p.type == "user" and p.role in SHARED_ROLES and not p.inherited and p.email not in wanted
    ]
    return SharingChange(add=tuple(sorted(wanted - has_access)), remove=tuple(removable))


def roster_change(wanted: Sequence[str], existing: Iterable[tuple[str, str]]) -> RosterChange:
    """Reports to create, update and retire, from the Roster's keys and the folder's
    `(key, file id)` pairs. A key found twice keeps its first file; the extra is retired, so a
    report is never duplicated."""
    found: dict[str, str] = {}
    extra: list[str] = []
    for key, file_id in existing:
        if key in found:
            extra.append(file_id)
        else:
            found[key] = file_id
    keep = set(wanted)
    return RosterChange(
        create=tuple(k for k in wanted if k not in found),
        update={k: found[k] for k in wanted if k in found},
        retire=tuple([f for k, f in found.items() if k not in keep] + extra),
    )


@dataclass(frozen=True)
class GooglePublish:
    """What a publish did, in counts (no names, no addresses: safe to log and show)."""

    created: int = 0
    updated: int = 0
    retired: int = 0
    shared: int = 0
    unshared: int = 0

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class GooglePublisher:
    """Carries out a publish through a gspread client acting as the teacher."""

    def __init__(self, client: gspread.Client, folder_id: str, gradebook_id: str) -> None:
        self.client = client
        self.folder_id = folder_id
        self.gradebook_id = gradebook_id

    def publish(
        self, book: Gradebook, evaluation: Evaluation, *, as_of: dt.date | None = None
    ) -> GooglePublish:
        """Create or update every Roster student's report, share it, retire leavers' reports."""
        reports = self.reports(book, evaluation, as_of=as_of)
        counts = {"shared": 0, "unshared": 0}
        with translated_errors():  # Drive's 403/404/5xx become errors a teacher can act on
            change = roster_change(list(reports), self.existing())
            self.retire(change.retire, counts)
            for key, report in reports.items():
                self.publish_one(key, report, change.update.get(key), counts)
        result = GooglePublish(created=len(change.create), updated=len(change.update),
                               retired=len(change.retire), **counts)
        log.info("google reports published",
                 extra={f"reports_{k}": v for k, v in result.to_dict().items()})
        return result

    @staticmethod
    def reports(
        book: Gradebook, evaluation: Evaluation, *, as_of: dt.date | None = None
    ) -> dict[str, StudentReport]:
        """Every Roster student's report, by report key, in Roster order."""
        return {
            report_key(r.student.id): r
            for r in student_reports(book, evaluation.outcomes, evaluation.students, as_of=as_of)
        }

    def retire(self, file_ids: Iterable[str], counts: dict[str, int]) -> None:
        """Leavers' reports: access goes first, then the file goes to the trash."""
        for file_id in file_ids:
            self._share(file_id, frozenset(), counts)
            self._drive("patch", file_id, json={"trashed": True})

    def planned(self, report: StudentReport, file_id: str | None) -> dict[str, int]:
        """What publishing one report would do, in counts, from Drive's current state."""
        return self.planned_for(readers_for(report.student), file_id)

    def planned_for(self, wanted: frozenset[str], file_id: str | None) -> dict[str, int]:
        """What publishing one file for exactly `wanted` readers would do, in counts."""
        current = ([Permission.from_api(p) for p in self.client.list_permissions(file_id)]
                   if file_id else [])
        change = sharing_change(wanted, current)
        return {"created": int(file_id is None), "updated": int(file_id is not None),
                "shared": len(change.add), "unshared": len(change.remove)}

    def publish_one(
        self, key: str, report: StudentReport, file_id: str | None, counts: dict[str, int]
    ) -> str:
        """Create (if `file_id` is None), write and share one report; its file id."""
        file_id = file_id or self._create(key, report)
        self._write(file_id, report)
        self._share(file_id, readers_for(report.student), counts)
        return file_id

    def publish_content(
        self, key: str, title: str, content: TabContent, readers: frozenset[str],
        file_id: str | None, counts: dict[str, int],
    ) -> str:
        """Create (if `file_id` is None), write and share one file of any content (the school's
        cross-course reports and mentor sheets): the same marks, write and sharing as a report."""
        file_id = file_id or self._create_titled(key, title)
        self._write_content(file_id, content)
        self._share(file_id, readers, counts)
        return file_id

    def existing(self) -> list[tuple[str, str]]:
        """`(report key, file id)` of this gradebook's reports in the folder, oldest first."""
        query = (
            f"'{self.folder_id}' in parents and trashed = false and appProperties has "
            f"{{ key='{GRADEBOOK_PROPERTY}' and value='{self.gradebook_id}' }}"
        )
        params: dict[str, Any] = {
            "q": query, "fields": "nextPageToken,files(id,appProperties)", "pageSize": 1000,
            "orderBy": "createdTime", "supportsAllDrives": True, "includeItemsFromAllDrives": True,
        }
        pairs: list[tuple[str, str]] = []
        while True:
            reply = self.client.http_client.request("get", DRIVE_FILES_API_V3_URL,
                                                    params=params).json()
            for item in reply.get("files", []):
                props = item.get("appProperties") or {}
                if props.get(GRADEBOOK_PROPERTY) == self.gradebook_id and REPORT_PROPERTY in props:
                    pairs.append((props[REPORT_PROPERTY], item["id"]))
            if not reply.get("nextPageToken"):
                return pairs
            params["pageToken"] = reply["nextPageToken"]

    def find_or_create_folder(self, name: str = FOLDER_NAME) -> str:
        """The gradebook's reports folder, found by its `appProperties` mark, else made (with the
        mark in the same files.create, so a retry finds it instead of making a second)."""
        query = (f"mimeType = '{FOLDER_MIME}' and trashed = false and appProperties has "
                 f"{{ key='{FOLDER_PROPERTY}' and value='{self.gradebook_id}' }}")
        reply = self.client.http_client.request(
            "get", DRIVE_FILES_API_V3_URL,
            params={"q": query, "fields": "files(id)", "orderBy": "createdTime",
                    "supportsAllDrives": True, "includeItemsFromAllDrives": True}).json()
        if reply.get("files"):
            return str(reply["files"][0]["id"])
        made = self.client.http_client.request(
            "post", DRIVE_FILES_API_V3_URL, params={"supportsAllDrives": True},
            json={"name": name, "mimeType": FOLDER_MIME,
                  "appProperties": {FOLDER_PROPERTY: self.gradebook_id}}).json()
        return str(made["id"])

    def _create(self, key: str, report: StudentReport) -> str:
        words = words_for(report.student.family_language)
        title = f"{words.gettext(REPORT_TITLE)} · {report.student.name or report.student.id}"
        return self._create_titled(key, title)

    def _create_titled(self, key: str, title: str) -> str:
        # One files.create carrying the marks that find it again: a failure can leave no
        # unmarked file behind for the next publish to duplicate.
        reply = self.client.http_client.request(
            "post", DRIVE_FILES_API_V3_URL, params={"supportsAllDrives": True},
            json={"name": title, "mimeType": SPREADSHEET_MIME, "parents": [self.folder_id],
                  "appProperties": {GRADEBOOK_PROPERTY: self.gradebook_id, REPORT_PROPERTY: key}})
        return str(reply.json()["id"])

    def _write(self, file_id: str, report: StudentReport) -> None:
        """The student's block in the family's language, as the report's only tab."""
        words = words_for(report.student.family_language)
        content = TabContent(words.gettext(REPORT_TITLE), student_block(report, words, words),
                             column_widths=COLUMN_WIDTHS)
        self._write_content(file_id, content)

    def _write_content(self, file_id: str, content: TabContent) -> None:
        """`content` as the file's only tab (any other tab removed), in one batchUpdate."""
        gateway = SheetsGateway(self.client, file_id)
        snapshot = gateway.read_snapshot()
        plan = build_plan(snapshot, [content])
        stale = tuple({"deleteSheet": {"sheetId": tab.sheet_id}}
                      for tab in snapshot.tabs if tab.title != content.title)
        gateway.apply(WritePlan(plan.requests + stale, plan.tabs, plan.problems))

    def _share(self, file_id: str, wanted: frozenset[str], counts: dict[str, int]) -> None:
        current = [Permission.from_api(p) for p in self.client.list_permissions(file_id)]
        change = sharing_change(wanted, current)
        for email in change.add:
            self.client.insert_permission(file_id, email, perm_type="user", role="reader",
                                          notify=False)
        for permission in change.remove:
            self.client.remove_permission(file_id, permission.id)
        counts["shared"] += len(change.add)
        counts["unshared"] += len(change.remove)

    def _drive(self, method: str, file_id: str, **kwargs: Any) -> dict[str, Any]:
        url = f"{DRIVE_FILES_API_V3_URL}/{file_id}"
        reply = self.client.http_client.request(method, url, params={"supportsAllDrives": True},
                                                **kwargs)
        return reply.json() if reply.content else {}
