"""Reports on paper and the teacher's index: a PDF per student, one class PDF, index.html."""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader
from workbooks import snapshot_of

from sheets_backend.gradebook.template import read_gradebook
from sheets_backend.publish.local import FOR_THE_TEACHER, INDEX, publish_local
from sheets_backend.recompute import evaluate_book
from sheets_backend.reports.pdf import CLASS_PDF

ROSTER = [("S1", "Ana Rivera", "801", "Spanish"), ("S2", "Mei Chen", "801", "中文"),
          ("S3", "Omar Diallo", "802", "English"), ("S4", "王小明", "802", "zh")]


def tabs():
    return {
        "Roster": [["Student ID", "Student Name", "Section", "Family Language"],
                   *[list(s) for s in ROSTER]],
        "Outcomes": [["Outcome ID", "Outcome", "Outcome (zh)"],
                     ["M1", "I can solve one-step equations.", "我会解一步方程。"]],
        "Scores": [
            ["Student ID", "Student Name", "Quiz 1", "Quiz 2"],
            ["Outcome", "", "M1", "M1"],
            ["Date", "", datetime(2026, 9, 14), datetime(2026, 9, 21)],
            ["Type", "", "summative", "summative"],
            *[[s[0], s[1], 3, 2] for s in ROSTER],
        ],
    }


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    book, evaluation = evaluate_book(read_gradebook(snapshot_of(tabs())))
    out = tmp_path_factory.mktemp("reports")
    return out, publish_local(book, evaluation, out, pdf=True)


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_the_class_pdf_holds_every_name_once_in_roster_order_with_chinese_text(published):
    out, _ = published
    text = pdf_text(out / CLASS_PDF)
    at = [text.find(name) for _, name, _, _ in ROSTER]
    assert all(text.count(name) == 1 for _, name, _, _ in ROSTER), text
    assert at == sorted(at) and at[0] >= 0
    assert "我会解一步方程。" in text and "在已评估的" in text


def test_each_student_starts_a_new_page_in_the_class_pdf(published):
    out, _ = published
    pages = [p.extract_text() or "" for p in PdfReader(out / CLASS_PDF).pages]
    firsts = [i for i, t in enumerate(pages) for _, name, _, _ in ROSTER if name in t]
    assert len(firsts) == len(ROSTER)  # no page holds two students' names
    for i in firsts:
        assert sum(name in pages[i] for _, name, _, _ in ROSTER) == 1


def test_a_student_pdf_beside_each_page_holds_that_student_only(published):
    _, pages = published
    for path, (_, name, _, _) in zip(pages, ROSTER, strict=True):
        text = pdf_text(path.with_suffix(".pdf"))
        assert name in text
        assert not any(other in text for _, other, _, _ in ROSTER if other != name)
    assert "我会解一步方程。" in pdf_text(pages[1].with_suffix(".pdf"))


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.links += [v for k, v in attrs if k in ("href", "src") and v]


def test_the_index_lists_every_student_and_no_student_page_links_to_it(published):
    out, pages = published
    index = (out / INDEX).read_text(encoding="utf-8")
    assert FOR_THE_TEACHER in index and "noindex" in index
    rows = re.findall(r'<tr><td><a href="([^"]+)">([^<]+)</a></td><td>([^<]*)</td></tr>', index)
    assert rows == [(p.name, name, section) for p, (_, name, section, _) in
                    zip(pages, ROSTER, strict=True)]
    for path in pages:
        parser = Links()
        parser.feed(path.read_text(encoding="utf-8"))
        assert parser.links == []  # no link anywhere: not to the index, not to another page
        assert INDEX not in path.read_text(encoding="utf-8")


def test_publishing_again_without_pdf_removes_the_old_pdfs_of_students_who_left(
        tmp_path):
    book, evaluation = evaluate_book(read_gradebook(snapshot_of(tabs())))
    first = publish_local(book, evaluation, tmp_path, pdf=True)
    t = tabs()
    t["Roster"] = t["Roster"][:2]
    t["Scores"] = t["Scores"][:5]
    book, evaluation = evaluate_book(read_gradebook(snapshot_of(t)))
    publish_local(book, evaluation, tmp_path, pdf=True)
    names = {p.name for p in tmp_path.iterdir()}
    assert first[0].with_suffix(".pdf").name in names
    assert first[2].with_suffix(".pdf").name not in names and first[2].name not in names
