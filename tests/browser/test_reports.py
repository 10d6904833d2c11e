"""A family's report on a phone: no sideways scrolling at 360-400 px, one card per outcome."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from sheets_backend.demo import write_gradebook
from sheets_backend.publish.local import publish_local
from sheets_backend.recompute import evaluate_sheet
from sheets_backend.sheets.gateway import SheetsGateway, local_client
from sheets_backend.sheets.local import LocalSheets


@pytest.fixture(scope="module")
def report_pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("reports")
    path = write_gradebook(folder / "gradebook.xlsx", students=6, outcomes=6,
                           scores_per_outcome=4, seed=442, evidence_rows=10)
    service = LocalSheets()
    gateway = SheetsGateway(local_client(service), service.open_workbook(path, autosave=False))
    book, evaluation = evaluate_sheet(gateway)
    return publish_local(book, evaluation, folder / "out")


@pytest.mark.parametrize("width", [360, 390, 400])
def test_a_report_has_no_horizontal_scroll_on_a_phone(browser: Browser, report_pages, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        for report in report_pages:
            page.goto(report.as_uri())
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{report.name}: {scroll} px wide at {width} px"
            cards = page.locator("section.outcome")
            assert cards.count() == 6
            # One card per outcome, stacked: each card starts below the previous one.
            tops = [cards.nth(i).bounding_box()["y"] for i in range(cards.count())]
            assert tops == sorted(tops) and len(set(tops)) == len(tops)
            for i in range(cards.count()):
                box = cards.nth(i).bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= width
    finally:
        context.close()


def test_when_printed_an_outcome_card_is_never_split_and_students_start_a_page(
        browser: Browser, report_pages):
    context = browser.new_context(viewport={"width": 800, "height": 1000})
    page = context.new_page()
    try:
        page.goto(report_pages[0].as_uri())
        page.emulate_media(media="print")
        breaks = page.evaluate(
            "[...document.querySelectorAll('section.outcome')]"
            ".map(e => getComputedStyle(e).breakInside)")
        assert breaks and set(breaks) == {"avoid"}
    finally:
        context.close()
