"""Reports on paper: a PDF per student and one class PDF (a page break between students).

WeasyPrint lays the same HTML out with Pango, so the PDF says exactly what the page says; CJK text
needs a CJK font on the machine (Debian's fonts-noto-cjk; the Makefile's install step adds it).
Each student is laid out once: the class PDF is the students' pages put together, so printing
the class costs no second layout.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sheets_backend.i18n.words import words_for
from sheets_backend.reports.content import REPORT_TITLE, StudentReport
from sheets_backend.reports.html import body, page

CLASS_PDF = "class-reports.pdf"


def student_documents(reports: Sequence[StudentReport]) -> Iterator[tuple[StudentReport, Any]]:
    """Each student's report laid out (a WeasyPrint document), in the family's language."""
    from weasyprint import HTML  # imported here: only publishing with --pdf needs Pango

    for report in reports:
        words = words_for(report.student.family_language)
        name = report.student.name or report.student.id
        document = page([(body(report, words), words)],
                        f"{words.gettext(REPORT_TITLE)} · {name}", words.language)
        yield report, HTML(string=document).render()


def pdf_bytes(document: Any) -> bytes:
    return bytes(document.write_pdf())


def class_pdf(documents: Sequence[Any], title: str = "Progress reports") -> bytes:
    """Every student's pages in order: each student starts on a new page."""
    if not documents:
        return b""
    pages = [p for document in documents for p in document.pages]
    combined = documents[0].copy(pages)
    combined.metadata.title = title  # not the first student's page title
    return bytes(combined.write_pdf())
