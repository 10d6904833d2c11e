"""One recompute per spreadsheet at a time in this process, so two write plans never interleave."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sheets_backend.errors import HiveError


class RecomputeInProgress(HiveError):
    """409: another recompute of this spreadsheet did not finish within the wait."""

    code = "busy"  # the sidebar (apps_script/Messages.gs) keys on this word
    status = 409

    def __init__(self) -> None:
        super().__init__(
            "Another Recompute of this spreadsheet is still running. Wait for it to finish, "
            "then try again."
        )


class SpreadsheetLocks:
    """A lock per spreadsheet id, created on first use and dropped when nobody holds or waits.

    Only within one process: App Engine instances do not share it. Across instances each recompute
    is still one atomic batchUpdate, so the sheet holds one whole result or the other.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, spreadsheet_id: str, timeout: float) -> Iterator[None]:
        """Hold `spreadsheet_id`'s lock for the block; `RecomputeInProgress` after `timeout` s."""
        with self._guard:
            lock, users = self._locks.get(spreadsheet_id, (threading.Lock(), 0))
            self._locks[spreadsheet_id] = (lock, users + 1)
        try:
            if not lock.acquire(timeout=max(timeout, 0.0)):
                raise RecomputeInProgress()
            try:
                yield
            finally:
                lock.release()
        finally:
            with self._guard:
                lock, users = self._locks[spreadsheet_id]
                if users == 1:
                    del self._locks[spreadsheet_id]
                else:
                    self._locks[spreadsheet_id] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)
