"""Publish every student's private report as an HTML file in a folder, in place and idempotently.

A file is named by a hash of the Student ID, never by a name. Publishing again overwrites each
file in place and removes the report of a student who left the Roster; other files are left alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import tempfile
from pathlib import Path

from policy_engine import Evaluation
from sheets_backend.gradebook.template import Gradebook
from sheets_backend.i18n.words import words_for
from sheets_backend.reports.content import student_reports
from sheets_backend.reports.html import render

log = logging.getLogger(__name__)
PREFIX = "progress-"
SUFFIX = ".html"
_OURS = re.compile(rf"^{PREFIX}[0-9a-f]{{16}}{re.escape(SUFFIX)}$")


def report_key(student_id: str) -> str:
    """A stable key for a student's report that does not show the name: 16 hex digits."""
    return hashlib.sha256(f"hive-report\x00{student_id}".encode()).hexdigest()[:16]


def report_name(student_id: str) -> str:
    """`progress-<key>.html`: the file name of a student's report."""
    return f"{PREFIX}{report_key(student_id)}{SUFFIX}"


def publish_local(
    book: Gradebook,
    evaluation: Evaluation,
    out_dir: Path,
    *,
    as_of: dt.date | None = None,
) -> list[Path]:
    """Write one self-contained HTML report per Roster student into `out_dir`, in Roster order.

    Each page is in the student's Family Language and holds that student's data only. Re-running
    overwrites in place; a report whose student is no longer on the Roster is deleted.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for report in student_reports(book, evaluation.outcomes, evaluation.students, as_of=as_of):
        path = out_dir / report_name(report.student.id)
        _write_atomically(path, render(report, words_for(report.student.family_language)))
        written.append(path)
    keep = {p.name for p in written}
    removed = 0
    for stale in out_dir.iterdir():
        if _OURS.match(stale.name) and stale.name not in keep:
            stale.unlink()
            removed += 1
    log.info("reports published", extra={"reports": len(written), "removed": removed})
    return written


def _write_atomically(path: Path, text: str) -> None:
    """A reader never sees half a page: write beside it, then rename over it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".hive-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
