"""The local preview (sheets_backend/service/preview.py): workbooks as grids, Hive's colours, notes."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Screenshot, Service

pytestmark = pytest.mark.browser


def test_the_index_lists_every_workbook_in_the_folder(page: Page, service: Service) -> None:
    page.goto(f"{service.url}/preview/")
    links = page.locator("main li a")
    expect(links).to_have_text(["broken", "gradebook", "policy"])
    links.nth(1).click()
    expect(page.locator("#title")).to_have_text("gradebook")


def test_a_workbook_shows_its_tabs_as_grids(page: Page, service: Service) -> None:
    page.goto(service.preview("policy"))
    expect(page.get_by_role("tab")).to_have_text(
        ["Roster", "Outcomes", "Scores", "Policy", "Behavior"])
    expect(page.get_by_role("tab", name="Roster")).to_have_attribute("aria-selected", "true")
    expect(page.locator('#grid td[data-a1="A1"]')).to_have_text("Student ID")
    page.get_by_role("tab", name="Scores").click()
    expect(page.locator('#grid td[data-a1="A4"]')).to_have_text("Type")
    expect(page.locator("#grid tr.frozen")).to_have_count(4)


def test_after_a_recompute_the_output_tabs_carry_colours_and_notes(
    page: Page, service: Service, screenshot: Screenshot
) -> None:
    page.goto(service.preview("gradebook"))
    sidebar = page.frame_locator("#sidebar")
    sidebar.locator("#recompute").click()
    expect(sidebar.locator("#result-heading")).to_have_text("Recompute finished")
    expect(page.get_by_role("tab", name="Mastery")).to_be_visible()
    page.get_by_role("tab", name="Mastery").click()
    noted = page.locator("#grid td.has-note").first
    expect(noted).to_have_attribute("title", re.compile(r"\w"))
    coloured = page.locator("#grid td[style*='background']")
    assert coloured.count() > 0
    screenshot("preview-mastery")


def test_selecting_a_cell_on_a_missing_tab_is_refused(page: Page, service: Service) -> None:
    page.goto(service.preview("gradebook"))
    page.wait_for_function("window.hivePreview && document.querySelector('#grid table')")
    assert page.evaluate("hivePreview.select('Nowhere!A1')") is False
    assert page.evaluate("hivePreview.select(\"'Roster'!B2\")") is True
    expect(page.locator("#selection")).to_have_text("Selected 'Roster'!B2")


def test_the_sidebar_is_the_real_one_with_the_shim_first(service: Service) -> None:
    html = _get(f"{service.url}/preview/gradebook/sidebar")
    head = html.split("<head>", 1)[1]
    assert head.index("gas-shim.js") < head.index("<style>")
    assert head.index("messages.js") < head.index("gas-shim.js")
    real = Path(__file__).resolve().parents[2] / "apps_script" / "Sidebar.html"
    body = real.read_text("utf-8").split("<head>", 1)[1]
    assert html.endswith(body), "everything after the shim is Sidebar.html, unchanged"


def test_the_policy_route_refuses_a_grid_that_is_not_one(service: Service) -> None:
    request = urllib.request.Request(
        f"{service.url}/preview/api/gradebook/policy", method="PUT",
        data=json.dumps({"rows": "Setting"}).encode(), headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 400
    assert json.load(caught.value)["error"]["code"] == "bad_request"


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        text: str = response.read().decode("utf-8")
        return text
