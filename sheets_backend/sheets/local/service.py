"""LocalSheets: the workbooks this process serves, and the one entry point for every HTTP call."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import requests

from sheets_backend.sheets.ids import sheet_hash
from sheets_backend.sheets.local import (
    batch_update,
    discovery,
    drive,
    metadata,
    spreadsheet,
    values,
    xlsx,
)
from sheets_backend.sheets.local.errors import ApiError, bad_request, not_found, permission_denied
from sheets_backend.sheets.local.faults import Faults
from sheets_backend.sheets.local.model import Sheet, Workbook
from sheets_backend.sheets.local.routes import Route, route
from sheets_backend.sheets.local.transport import session
from sheets_backend.sheets.local.write_behind import WriteBehind

log = logging.getLogger(__name__)

LOCAL_OWNER = "hive-local@localhost"
_WRITES = frozenset({"batchUpdate", "values.update", "values.batchUpdate", "values.append",
                     "values.clear", "values.batchClear"})


class LocalSheets:
    """An in-process Google Sheets (the part Hive uses), backed by .xlsx files or memory."""

    def __init__(
        self,
        *,
        owner: str = LOCAL_OWNER,
        sleep: Callable[[float], None] = time.sleep,
        write_behind: bool = False,
    ) -> None:
        self.owner = owner
        self.faults = Faults()
        self.books: dict[str, Workbook] = {}
        self.lock = threading.RLock()  # the registry of workbooks, and Drive's state
        self._book_locks: dict[str, threading.RLock] = {}
        self.pause = sleep
        # Drive (files, folders, sharing) answers in front of the Sheets routes.
        self.drive = drive.LocalDrive(self)
        # With write_behind, autosaved files are written just after the answer (see flush()).
        self._writer = WriteBehind(self._consistent_copy) if write_behind else None
        self._deferred: set[str] | None = None  # saves held for the end (saving_at_the_end)

    # -- workbooks -----------------------------------------------------------------------------

    def open_workbook(
        self,
        path: str | Path,
        spreadsheet_id: str | None = None,
        autosave: bool = True,
        *,
        owner: str = "",
    ) -> str:
        """Load an .xlsx; its id defaults to the file stem. With autosave, every successful
        mutating call writes the file back atomically. `owner`: another account's file, which
        this service's account sees only once it is shared (until then Google's 403)."""
        path = Path(path)
        book = xlsx.load(path, spreadsheet_id or path.stem)
        book.path, book.autosave, book.owner = path, autosave, owner
        with self.lock:
            self.books[book.spreadsheet_id] = book
        log.info("local workbook opened",
                 extra={"sheet": sheet_hash(book.spreadsheet_id), "tabs": len(book.sheets)})
        return book.spreadsheet_id

    def save(self, spreadsheet_id: str, path: str | Path | None = None) -> Path:
        """Write a workbook to `path` (default: the file it came from)."""
        with self.lock:
            book = self.workbook(spreadsheet_id)
            target = Path(path) if path is not None else book.path
            if target is None:
                raise ValueError(f"workbook {spreadsheet_id} has no file; pass a path")
            xlsx.save(book, Path(target))
            return Path(target)

    def create_workbook_from_rows(
        self,
        tabs: Mapping[str, list[list[Any]]],
        path: str | Path | None = None,
        *,
        spreadsheet_id: str | None = None,
        autosave: bool = True,
    ) -> str:
        """A workbook with one tab per entry (values as given, RAW), saved to `path` if given."""
        sid = spreadsheet_id or (
            Path(path).stem if path is not None else drive.new_workbook("").spreadsheet_id
        )
        sheets = []
        for i, (title, rows) in enumerate(tabs.items()):
            sheet = Sheet(i, title)
            sheet.row_count = max(sheet.row_count, len(rows))
            sheet.column_count = max(sheet.column_count, max((len(r) for r in rows), default=0))
            values.write_block(sheet, 0, 0, [list(r) for r in rows], "RAW")
            sheets.append(sheet)
        stamp = drive.now()
        book = Workbook(sid, sid, sheets, created_time=stamp, modified_time=stamp)
        if path is not None:
            book.path, book.autosave = Path(path), autosave
            xlsx.save(book, Path(path))
        with self.lock:
            self.books[sid] = book
        return sid

    @classmethod
    def from_folder(cls, folder: str | Path, **kwargs: Any) -> LocalSheets:
        """Every *.xlsx in `folder`, each under its file stem, autosaved (pass
        `write_behind=True` to save after answering, as `serve` does)."""
        keep_drive = kwargs.pop("keep_drive", False)
        service = cls(**kwargs)
        for path in sorted(Path(folder).glob("*.xlsx")):
            if not path.name.startswith("~$"):
                service.open_workbook(path)
        if keep_drive:  # folders and reports made through Drive outlive the process
            from sheets_backend.sheets.local import drive_store

            drive_store.attach(service.drive, folder)
        return service

    def workbook(self, spreadsheet_id: str) -> Workbook:
        try:
            return self.books[spreadsheet_id]
        except KeyError:
            raise not_found() from None

    @property
    def spreadsheet_ids(self) -> list[str]:
        return list(self.books)

    def session(self) -> requests.Session:
        """A requests.Session whose calls to Google's API hosts are answered by this service."""
        return session(self.drive)

    # -- HTTP ----------------------------------------------------------------------------------

    def handle(self, method: str, url: str, body: bytes | None) -> tuple[int, Any]:
        """Answer one HTTP request: (status, JSON payload or None)."""
        if self._writer is not None:
            self._writer.touch()
        if self.faults.delay:
            self.pause(self.faults.delay)
        fault = self.faults.take()
        if fault is not None:
            return fault.code, fault.body()
        parts = urlsplit(url)
        found = route(method.upper(), parts.hostname or "", parts.path)
        if found is None:
            return 404, not_found(f"Method not found: {method} {parts.path}").body()
        query = parse_qs(parts.query, keep_blank_values=True)
        params: dict[str, Any] = {k: v[-1] for k, v in query.items()}
        params["ranges"] = query.get("ranges", [])
        try:
            if found.spreadsheet_id in self.books and not self.drive.can_see(
                found.spreadsheet_id
            ):
                raise permission_denied()
            payload = self._parse(body, found)
            with self._lock_for(found.spreadsheet_id):
                answer = self._dispatch(found, params, payload)
            lost = self.faults.take_after_apply() if found.name in _WRITES else None
            return answer if lost is None else (lost.code, lost.body())
        except ApiError as error:
            return error.code, error.body()

    def _lock_for(self, spreadsheet_id: str | None) -> threading.RLock:
        """One lock per workbook: saving one teacher's file never holds up another's reads."""
        if not spreadsheet_id:
            return self.lock
        with self.lock:
            return self._book_locks.setdefault(spreadsheet_id, threading.RLock())

    @staticmethod
    def _parse(body: bytes | None, found: Route) -> Any:
        if not body:
            return {}
        try:
            payload = orjson.loads(body)  # a big recompute's body is tens of MB: parse it in C
        except (UnicodeDecodeError, json.JSONDecodeError):
            if found.name.startswith("drive"):
                return {}
            raise bad_request("Invalid JSON payload received. Unexpected token.") from None
        if found.schema and payload is not None:
            if not isinstance(payload, dict):
                raise bad_request(
                    f"Invalid JSON payload received. Expected an object for {found.schema}."
                )
            discovery.check(payload, found.schema)
        return payload if payload is not None else {}

    def mutate(self, sid: str, change: Callable[[Workbook], Any]) -> Any:
        """Apply `change` to a copy; keep it (and autosave) only if every part succeeded."""
        book = self.workbook(sid)
        copy = book.clone()
        result = change(copy)
        copy.modified_time = drive.now()
        saving = copy.autosave and copy.path is not None
        if saving and self._deferred is not None:
            self._deferred.add(sid)
        elif saving and self._writer is None:
            xlsx.save(copy, Path(copy.path))  # before adopting: a failed save changes nothing
        book.adopt(copy)
        if saving and self._writer is not None:
            self._writer.schedule(sid)
        return result

    @contextmanager
    def saving_at_the_end(self) -> Iterator[None]:
        """Within it, autosaved workbooks change in memory only; at its end each changed one is
        saved once. A command that makes several calls (a staged write makes dozens) then costs
        one save, and one that fails part-way leaves every file as it was."""
        if self._deferred is not None:  # already inside: the outer one saves
            yield
            return
        self._deferred = set()
        try:
            yield
            for sid in sorted(self._deferred):
                with self._lock_for(sid):
                    book = self.workbook(sid)
                    xlsx.save(book, Path(book.path))
        finally:
            self._deferred = None

    def request_started(self) -> None:
        """Someone is waiting on a request: write-behind saves hold off until it finishes."""
        if self._writer is not None:
            self._writer.begin()

    def request_finished(self) -> None:
        if self._writer is not None:
            self._writer.end()

    def flush(self, timeout: float | None = 60.0) -> bool:
        """Wait until every autosaved file holds its workbook's latest state (write-behind only)."""
        return True if self._writer is None else self._writer.flush(timeout)

    def _consistent_copy(self, spreadsheet_id: str) -> Workbook | None:
        with self._lock_for(spreadsheet_id):
            book = self.books.get(spreadsheet_id)
            return None if book is None else book.clone()

    def _dispatch(self, found: Route, params: dict[str, Any], body: Any) -> tuple[int, Any]:
        name, sid, text = found.name, found.spreadsheet_id or "", found.range or ""
        if name == "get":
            return 200, spreadsheet.get(self.workbook(sid), params, self.owner)
        if name == "values.get":
            return 200, values.value_range(self.workbook(sid), text, params)
        if name == "values.batchGet":
            return 200, values.batch_get(self.workbook(sid), params["ranges"], params)
        if name == "developerMetadata.search":
            return 200, metadata.search(self.workbook(sid), body)
        if name == "developerMetadata.get":
            return 200, metadata.get(self.workbook(sid), text, params)
        if name == "batchUpdate":
            return 200, self.mutate(sid, lambda b: batch_update.apply(b, body))
        if name == "values.update":
            option = params.get("valueInputOption")
            return 200, self.mutate(sid, lambda b: values.update(b, text, body, option))
        if name == "values.batchUpdate":
            return 200, self.mutate(sid, lambda b: values.batch_update(b, body))
        if name == "values.append":
            return 200, self.mutate(sid, lambda b: values.append(b, text, body, params))
        if name == "values.clear":
            return 200, self.mutate(sid, lambda b: values.clear(b, text))
        if name == "values.batchClear":
            return 200, self.mutate(sid, lambda b: values.batch_clear(b, body))
        if name == "create":
            book = drive.new_workbook(
                (body.get("properties") or {}).get("title") or "Untitled spreadsheet"
            )
            self.books[book.spreadsheet_id] = book
            return 200, spreadsheet.get(book, {}, self.owner)
        raise not_found()  # Drive's routes are answered by self.drive, in front of this service
