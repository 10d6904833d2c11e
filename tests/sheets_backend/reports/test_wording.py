"""What a 7th grader reads has no internal words: every explanation and next step of the demo.

The demo gradebook is evaluated under its own policies and under every policy of the library;
each explanation, each next step and each family report's next step (the engine's sentence, and
the catalog's English one composed for other languages) is checked for the jargon issue 15 named.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

import policy_engine
from sheets_backend.demo import write_demo_gradebook
from sheets_backend.gradebook.policies import load_policy_library
from sheets_backend.gradebook.template import Gradebook, read_gradebook
from sheets_backend.i18n.words import Words
from sheets_backend.reports.content import next_step, student_reports
from sheets_backend.sheets.gateway import SheetsGateway, local_client
from sheets_backend.sheets.local import LocalSheets

JARGON = ("counted:", "summative", ") (", "Next: Next:")
# "on a different day" after a count of two or more reads wrong; "each on a different day" is right.
PLURAL_DIFFERENT_DAY = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|[2-9]|\d{2,})\b[^.;]*?(?<!each )"
    r"on a different day")


def jargon_in(text: str) -> list[str]:
    found = [word for word in JARGON if word in text]
    return found + (["plural 'on a different day'"] if PLURAL_DIFFERENT_DAY.search(text) else [])


def test_the_check_finds_the_old_sentences() -> None:
    old = [
        "Next: two more demonstrations at Meeting or above on a different day.",
        "Not assessed yet: 1 piece of evidence that does not count toward the level "
        "(counted: summative, update).",
        "Mastered: 3 demonstrations at Meeting or above (3 needed) (Quiz 2, Oct 3: 3).",
    ]
    assert all(jargon_in(text) for text in old)
    assert not jargon_in("Next: one more demonstration at Meeting or above on another day.")
    assert not jargon_in(
        "Next: two more demonstrations at Meeting or above, each on a different day.")


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory) -> Gradebook:
    path = write_demo_gradebook(tmp_path_factory.mktemp("demo") / "gradebook.xlsx")
    service = LocalSheets()
    sid = service.open_workbook(path, autosave=False)
    return read_gradebook(SheetsGateway(local_client(service), sid).read_snapshot())


def _books(book: Gradebook) -> list[tuple[str, Gradebook]]:
    """The demo as it is, and under each library policy for every outcome."""
    books = [("demo", book)]
    for name, policy in load_policy_library().items():
        books.append((name, dataclasses.replace(
            book, policies={"Default": policy},
            outcomes=tuple(dataclasses.replace(o, policy="Default") for o in book.outcomes))))
    return books


def test_no_explanation_or_next_step_of_the_demo_holds_jargon(demo_book) -> None:
    seen = 0
    for name, book in _books(demo_book):
        result = policy_engine.evaluate(
            book.evidence, book.policies, students=[s.id for s in book.students],
            outcomes=[o.id for o in book.outcomes],
            outcome_policy=book.outcome_policy)
        texts = set(result.outcomes["explanation"]) | set(result.outcomes["next_step"])
        for report in student_reports(book, result.outcomes, result.students):
            for line in report.outcomes:
                texts.add(next_step(Words("en"), line))
                # The catalog's English, which other languages translate.
                texts.add(next_step(Words("en"), dataclasses.replace(line, engine_next_step="")))
        bad = {text: jargon_in(text) for text in texts if jargon_in(text)}
        assert not bad, (name, dict(list(bad.items())[:5]))
        seen += len(texts)
    assert seen > 1000
