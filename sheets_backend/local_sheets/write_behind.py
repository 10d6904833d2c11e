"""Saving workbooks after the answer, not before it: for `serve`, where a teacher waits on the reply.

The in-memory workbook is the truth the API serves, and it changes all-or-nothing; the .xlsx file
follows a moment later. Saves of one workbook coalesce (ten quick writes, one save), each save is
atomic (temp file, then rename), and `flush()` (also run at exit) waits until every file is current.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from sheets_backend.local_sheets import xlsx
from sheets_backend.local_sheets.model import Workbook

log = logging.getLogger(__name__)


class WriteBehind:
    """One background thread saving the workbooks marked dirty, newest state each time."""

    def __init__(self, snapshot: Callable[[str], Workbook | None]) -> None:
        # `snapshot(id)` returns a consistent copy of a workbook (taken under its lock), or None.
        self._snapshot = snapshot
        self._dirty: list[str] = []
        self._busy = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="hive-write-behind", daemon=True)
        self._thread.start()
        atexit.register(self.flush)

    def schedule(self, spreadsheet_id: str) -> None:
        with self._changed:
            if spreadsheet_id not in self._dirty:
                self._dirty.append(spreadsheet_id)
            self._changed.notify_all()

    def flush(self, timeout: float | None = 60.0) -> bool:
        """Wait until every scheduled save has reached its file; False if `timeout` ran out."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._dirty and not self._busy, timeout)

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: bool(self._dirty))
                spreadsheet_id = self._dirty.pop(0)
                self._busy = True
            try:
                book = self._snapshot(spreadsheet_id)
                if book is not None and book.path is not None:
                    xlsx.save(book, Path(book.path))
            except Exception:  # a failed save must not stop later ones; the next write retries
                log.exception("background save failed", extra={"spreadsheet_id": spreadsheet_id})
            finally:
                with self._changed:
                    self._busy = False
                    self._changed.notify_all()
