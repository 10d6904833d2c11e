"""Saving a workbook in a child process that steps aside whenever a request is being answered.

Writing a class's .xlsx is a second or two of pure Python. On a background thread it would share
the interpreter lock with the requests a teacher is waiting on; in a child process it still shares
the machine (on a 2-core machine a busy neighbour process slowed a recompute by about half). So the
parent pickles the workbook (a few milliseconds: rows of plain values) into
`python -m sheets_backend.sheets.local.save_process PATH`, and the write-behind thread pauses the
child (SIGSTOP) while a request is in flight and resumes it (SIGCONT) in the gaps. The child writes
the file atomically with `xlsx.save`; a paused or killed child leaves the previous file intact.

The pickle travels over a pipe between two copies of this same code, never from outside. A failed
child reports only the exception's type: an openpyxl message can quote a cell, and cells are
student data, which never reach a log.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path

from sheets_backend.sheets.local import xlsx
from sheets_backend.sheets.local.model import Workbook

# Where `sheets_backend` is importable from, for a child started from any working directory.
_IMPORT_ROOT = str(Path(__file__).resolve().parents[3])
_PR_SET_PDEATHSIG = 1


class SaveFailed(RuntimeError):
    """The child process could not write the file (the previous file is left as it was)."""


class ChildSave:
    """One save running in a child process: pause() and resume() it, wait() for the file."""

    def __init__(self, book: Workbook, path: Path) -> None:
        self.path = path
        self._payload = pickle.dumps(book, protocol=pickle.HIGHEST_PROTOCOL)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (_IMPORT_ROOT, os.environ.get("PYTHONPATH", "")) if p)}
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(path), str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
            # Its own session: Ctrl-C in the terminal interrupts the service, which then
            # flushes; it must not kill the save under way (PDEATHSIG still ties it to us).
            start_new_session=True,
        )

    def pause(self) -> None:
        self._signal(getattr(signal, "SIGSTOP", None))  # Windows has no SIGSTOP: never paused

    def resume(self) -> None:
        self._signal(getattr(signal, "SIGCONT", None))

    def wait(self, timeout: float = 300.0) -> None:
        """Feed the child its workbook and wait for the file; SaveFailed if it could not."""
        try:
            _, err = self._process.communicate(self._payload, timeout=timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.communicate()
            raise SaveFailed(f"saving a workbook took over {timeout:g} s") from None
        if self._process.returncode != 0:
            why = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no reason given"]
            # Not the file's name: in local mode it is the spreadsheet id, which logs never hold.
            raise SaveFailed(f"saving a workbook failed in the child process ({why[0]})")

    def _signal(self, which: signal.Signals | None) -> None:
        if which is not None and self._process.returncode is None:
            try:
                os.kill(self._process.pid, which)
            except ProcessLookupError:  # it has just finished
                pass


def _die_with_parent(parent: int) -> None:
    """A paused child whose parent is gone would wait forever: let Linux kill it instead."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        raise SystemExit(1)


def main(argv: list[str]) -> int:
    """The child: a pickled Workbook on stdin; the target path and the parent's pid as arguments."""
    _die_with_parent(int(argv[1]))
    gc.disable()  # a short-lived process: reference counting frees what it needs freed
    try:
        book = pickle.load(sys.stdin.buffer)
        xlsx.save(book, Path(argv[0]))
    except Exception as exc:  # the type only: the message may quote a student's cell
        print(type(exc).__name__, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
