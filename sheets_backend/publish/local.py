"""Publish every student's private report as an HTML file in a folder, in place and idempotently.

A file is named by a hash of the Student ID, never by a name. In a new folder the hash is keyed by
a secret kept in the folder (`.hive-report-key`), so a classmate who knows a Student ID cannot
work out the page's name; a folder published before keeps its names, so links already shared
keep working. Publishing again overwrites each
file in place and removes the report of a student who left the Roster; other files are left alone.
`index.html` lists every student with a link to their page, for the teacher only: no student's
page links to it, and each page still holds that student's data only. With `pdf`, each student
also gets a PDF beside the page, and the class one PDF to print.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import os
import re
import secrets
import tempfile
from html import escape
from pathlib import Path

from policy_engine import Evaluation
from sheets_backend.gradebook.template import Gradebook
from sheets_backend.i18n.words import words_for
from sheets_backend.reports.content import StudentReport, student_reports
from sheets_backend.reports.html import CSS, render

log = logging.getLogger(__name__)
PREFIX = "progress-"
SUFFIX = ".html"
_OURS = re.compile(rf"^{PREFIX}[0-9a-f]{{16}}\.(html|pdf)$")
INDEX = "index.html"
SECRET_FILE = ".hive-report-key"
FOR_THE_TEACHER = "For the teacher only: this page lists every student. Do not share it."


def report_key(student_id: str) -> str:
    """A stable key for a student's report that does not show the name: 16 hex digits."""
    return hashlib.sha256(f"hive-report\x00{student_id}".encode()).hexdigest()[:16]


def report_name(student_id: str, secret: str = "") -> str:
    """`progress-<key>.html`: the file name of a student's report; keyed by the folder's `secret`
    when it has one (`folder_secret`), else the plain hash of folders published before."""
    if not secret:
        return f"{PREFIX}{report_key(student_id)}{SUFFIX}"
    digest = hmac.new(secret.encode(), student_id.encode(), hashlib.sha256).hexdigest()[:16]
    return f"{PREFIX}{digest}{SUFFIX}"


def folder_secret(out_dir: Path) -> str:
    """The folder's key for file names, made on first publish; "" for a folder that already holds
    reports named the old way (their links were shared; renaming them would break them)."""
    path = out_dir / SECRET_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    if any(_OURS.match(p.name) for p in out_dir.iterdir()):
        return ""
    secret = secrets.token_hex(16)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret + "\n")
    return secret


def publish_local(
    book: Gradebook,
    evaluation: Evaluation,
    out_dir: Path,
    *,
    as_of: dt.date | None = None,
    pdf: bool = False,
) -> list[Path]:
    """Write one self-contained HTML report per Roster student into `out_dir`, in Roster order.

    Each page is in the student's Family Language and holds that student's data only. Re-running
    overwrites in place; a report whose student is no longer on the Roster is deleted.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    secret = folder_secret(out_dir)
    written: list[Path] = []
    reports = student_reports(book, evaluation.outcomes, evaluation.students, as_of=as_of)
    for report in reports:
        path = out_dir / report_name(report.student.id, secret)
        write_atomically(path, render(report, words_for(report.student.family_language)))
        written.append(path)
    keep = {p.name for p in written}
    if pdf:
        from sheets_backend.reports.pdf import CLASS_PDF, class_pdf, pdf_bytes, student_documents

        documents = []
        for (_, document), path in zip(student_documents(reports), written, strict=True):
            write_atomically(path.with_suffix(".pdf"), pdf_bytes(document))
            keep.add(path.with_suffix(".pdf").name)
            documents.append(document)
        title = f"{book.about.course} · progress reports" if book.about.course else "Progress reports"
        write_atomically(out_dir / CLASS_PDF, class_pdf(documents, title))
    write_atomically(out_dir / INDEX, index_page(reports, written, book.about.course))
    removed = 0
    for stale in out_dir.iterdir():
        if _OURS.match(stale.name) and stale.name not in keep:
            stale.unlink()
            removed += 1
    log.info("reports published", extra={"reports": len(written), "removed": removed})
    return written


def index_page(reports: list[StudentReport], pages: list[Path], course: str) -> str:
    """The teacher's list: each student (name, section) linked to their page, in Roster order."""
    rows = "\n".join(
        f'<tr><td><a href="{escape(path.name)}">{escape(r.student.name or r.student.id)}</a></td>'
        f"<td>{escape(r.student.section)}</td></tr>"
        for r, path in zip(reports, pages, strict=True)
    )
    title = escape(f"{course} · progress reports" if course else "Progress reports")
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="robots" content="noindex, nofollow">', f"<title>{title}</title>",
        f"<style>{CSS} .teacher-only {{ background: #fce8e6; padding: .5rem .75rem; }}</style>",
        "</head>", "<body>", "<main>", f"<h1>{title}</h1>",
        f'<p class="teacher-only"><strong>{escape(FOR_THE_TEACHER)}</strong></p>',
        "<table><thead><tr><th>Student</th><th>Section</th></tr></thead><tbody>",
        rows, "</tbody></table>", "</main>", "</body>", "</html>", "",
    ])


def write_atomically(path: Path, text: str | bytes) -> None:
    """A reader never sees half a page: write beside it, then rename over it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".hive-", suffix=".tmp")
    try:
        data = text.encode("utf-8") if isinstance(text, str) else text
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
