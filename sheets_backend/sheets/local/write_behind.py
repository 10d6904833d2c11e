"""Saving workbooks after the answer, not before it: for `serve`, where a teacher waits on the reply.

The in-memory workbook is the truth the API serves, and it changes all-or-nothing; the .xlsx file
follows a moment later. A save starts once no request is in flight and the service has been quiet
for `idle` seconds, or at the latest `max_delay` after the write. It runs in a child process
(save_process.py) that is paused while any request is being answered and resumed in the gaps, for
up to `max_pause` seconds, so a save never competes with a request someone is waiting on. Saves of
one workbook coalesce, each save is atomic (temp file, then rename), and `flush()` (also run at
exit) writes everything at once, in this process, and waits until every file is current. A save
that failed (its child killed, say) is tried again by the next write or, at the latest, by
`flush()`, in this process; the temp file it left is removed.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from sheets_backend.sheets.ids import sheet_hash
from sheets_backend.sheets.local import xlsx
from sheets_backend.sheets.local.model import Workbook
from sheets_backend.sheets.local.save_process import ChildSave

log = logging.getLogger(__name__)


class SaveJob(Protocol):
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def wait(self) -> None: ...


class WriteBehind:
    """One background thread saving the workbooks marked dirty, newest state each time."""

    def __init__(
        self,
        snapshot: Callable[[str], Workbook | None],
        *,
        idle: float = 0.5,
        max_delay: float = 10.0,
        max_pause: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        start_save: Callable[[Workbook, Path], SaveJob] = ChildSave,
    ) -> None:
        # `snapshot(id)` returns a consistent copy of a workbook (taken under its lock), or None.
        # `start_save` begins writing it (by default in a child process) and returns the job.
        self._snapshot, self._start_save = snapshot, start_save
        self._idle, self._max_delay, self._max_pause, self._clock = idle, max_delay, max_pause, clock
        self._dirty: dict[str, float] = {}  # spreadsheet id -> when it first became dirty
        self._failed: set[str] = set()  # saves that failed: retried by the next write or flush
        self._last_activity = clock()
        self._busy = False
        self._urgent = False
        self._in_flight = 0  # requests someone is waiting on (the service's app says so)
        self._job: SaveJob | None = None  # the save running now, if any
        self._job_started = 0.0
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="hive-write-behind", daemon=True)
        self._thread.start()
        atexit.register(self.flush)

    def touch(self) -> None:
        """Note that the service is answering someone (saves wait for a quiet moment)."""
        self._last_activity = self._clock()

    def begin(self) -> None:
        """A request someone waits on has started: hold saves (and pause a running one) until
        it ends."""
        with self._changed:
            self._in_flight += 1
            self._last_activity = self._clock()
            if self._in_flight == 1 and self._job is not None and not self._urgent:
                if self._clock() - self._job_started < self._max_pause:
                    self._job.pause()

    def end(self) -> None:
        with self._changed:
            self._in_flight = max(0, self._in_flight - 1)
            self._last_activity = self._clock()
            if self._in_flight == 0 and self._job is not None:
                self._job.resume()
            self._changed.notify_all()

    def schedule(self, spreadsheet_id: str) -> None:
        with self._changed:
            self._failed.discard(spreadsheet_id)
            self._dirty.setdefault(spreadsheet_id, self._clock())
            self._changed.notify_all()

    def flush(self, timeout: float | None = 60.0) -> bool:
        """Save everything now and wait until every file is current; False if `timeout` ran out."""
        with self._changed:
            self._urgent = True
            for spreadsheet_id in self._failed:
                self._dirty.setdefault(spreadsheet_id, self._clock())
            self._failed.clear()
            if self._job is not None:
                self._job.resume()
            self._changed.notify_all()
            done = self._changed.wait_for(lambda: not self._dirty and not self._busy, timeout)
            self._urgent = False
            return done

    def _due(self) -> float:
        """Seconds until a save may start (0: now)."""
        now = self._clock()
        if self._urgent:
            return 0.0
        overdue = self._max_delay - (now - min(self._dirty.values()))
        if self._in_flight:
            return max(0.0, min(overdue, 0.25))  # look again soon: the request may be ending
        quiet = self._idle - (now - self._last_activity)
        return max(0.0, min(quiet, overdue))

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: bool(self._dirty))
                wait = self._due()
                if wait > 0:
                    self._changed.wait(timeout=wait)
                    continue
                spreadsheet_id = next(iter(self._dirty))
                del self._dirty[spreadsheet_id]
                self._busy = True
                urgent = self._urgent
            try:
                self._save(spreadsheet_id, urgent)
            except Exception:  # a failed save must not stop later ones; it is tried again
                log.exception("background save failed", extra={"sheet": sheet_hash(spreadsheet_id)})
                with self._changed:
                    if not urgent and spreadsheet_id not in self._dirty:
                        if self._urgent:  # a flush is waiting: it saves this one in process
                            self._dirty[spreadsheet_id] = self._clock()
                        else:
                            self._failed.add(spreadsheet_id)
            finally:
                with self._changed:
                    self._job = None
                    self._busy = False
                    self._changed.notify_all()

    def _save(self, spreadsheet_id: str, urgent: bool) -> None:
        book = self._snapshot(spreadsheet_id)
        if book is None or book.path is None:
            return
        if urgent:  # flushing (at exit, or asked to): nobody to give way to, no child to start
            xlsx.save(book, Path(book.path))
            return
        job = self._start_save(book, Path(book.path))
        with self._changed:
            self._job, self._job_started = job, self._clock()
            if self._in_flight:
                job.pause()
        try:
            job.wait()
        except BaseException:
            xlsx.remove_stale_temps(Path(book.path))  # a killed child cannot clean up after itself
            raise
