"""The add-on's real Sidebar.html in Chromium, beside the preview grid, on the real local service.

`google.script.run` is the preview's shim (sheets_backend/service/preview_static/gas-shim.js), which calls
the service's /v1 API as Code.gs does in Sheets. Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Frame, Page, Route, expect

from tests.browser.conftest import BAD_SCORE_CELL, Screenshot, Service

pytestmark = pytest.mark.browser

GREEN, YELLOW, RED = "rgb(143, 209, 208)", "rgb(255, 245, 102)", "rgb(236, 147, 147)"
EVIL = '<img src=x onerror="window.pwned=1">'


class Sidebar:
    """The actions a teacher takes in the sidebar, and where their answers show up."""

    def __init__(self, page: Page, service: Service, spreadsheet_id: str) -> None:
        self.page = page
        page.goto(service.preview(spreadsheet_id))
        self.frame = page.frame_locator("#sidebar")
        expect(self.frame.locator("#policy-current")).not_to_have_text(re.compile("Loading"))
        page.wait_for_function("window.hivePreview && document.querySelector('#grid table')")

    @property
    def window(self) -> Frame:
        handle = self.page.query_selector("#sidebar")
        assert handle is not None
        frame = handle.content_frame()
        assert frame is not None
        return frame

    def locator(self, selector: str) -> Any:
        return self.frame.locator(selector)

    def recompute(self) -> None:
        self.locator("#recompute").click()

    def shim_calls(self) -> list[dict[str, Any]]:
        script = "JSON.parse(JSON.stringify(hiveShim.calls))"
        calls: list[dict[str, Any]] = self.window.evaluate(script)
        return calls

    def result(self) -> Any:
        return self.locator("#result")


def hold(page: Page, pattern: str) -> list[Route]:
    """Requests to `pattern` wait in the returned list until the test lets them go."""
    held: list[Route] = []
    page.route(pattern, lambda route: held.append(route))
    return held


def answer_with(page: Page, pattern: str, status: int, body: object) -> None:
    page.route(pattern, lambda route: route.fulfill(
        status=status, content_type="application/json", body=json.dumps(body)))


def test_recompute_shows_progress_then_the_summary(
    page: Page, service: Service, screenshot: Screenshot
) -> None:
    sidebar = Sidebar(page, service, "gradebook")
    held = hold(page, "**/v1/recompute")
    sidebar.recompute()

    expect(sidebar.locator("#steps")).to_be_visible()
    reading = sidebar.locator('#steps li[data-step="reading"]')
    expect(reading).to_have_attribute("aria-current", "step")
    expect(sidebar.locator("#recompute")).to_be_disabled()
    expect(sidebar.locator("#status")).to_contain_text("Recomputing")
    page.wait_for_timeout(100)  # the spinner has drawn: worth a picture
    screenshot("sidebar-progress")
    held[0].fallback()

    expect(sidebar.locator("#result-heading")).to_have_text("Recompute finished")
    expect(sidebar.locator("#result-heading")).to_be_focused()
    for step in ("reading", "computing", "writing"):
        item = sidebar.locator(f'#steps li[data-step="{step}"]')
        expect(item).to_have_attribute("data-state", "done")
    expect(sidebar.locator('#steps li[data-step="computing"] .fact')).to_have_text(
        "12 students × 3 outcomes")
    expect(sidebar.result()).to_contain_text("12 students, 3 outcomes")
    statuses = sidebar.locator(".statuses li")
    assert statuses.count() >= 1
    colours = {GREEN: "Mastered", YELLOW: "On track", RED: "Not Yet"}
    for i in range(statuses.count()):
        item = statuses.nth(i)
        label = item.get_attribute("data-status")
        colour = item.evaluate("node => getComputedStyle(node).backgroundColor")
        if label in colours.values():
            assert colours.get(colour) == label, (label, colour)
    expect(sidebar.locator("#status")).to_contain_text("Recompute finished")
    expect(sidebar.locator("#recompute")).to_be_enabled()

    # The preview reloads the workbook: Hive's output tab is there, coloured and with notes.
    page.get_by_role("tab", name="Mastery").click()
    expect(page.locator("#grid td[title]").first).to_be_visible()
    backgrounds = page.locator("#grid td").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c).backgroundColor)")
    assert GREEN in backgrounds or YELLOW in backgrounds or RED in backgrounds
    screenshot("sidebar-recomputed")
    assert page.hive_errors == []  # type: ignore[attr-defined]


def test_a_warning_takes_the_teacher_to_its_cell(
    page: Page, service: Service, screenshot: Screenshot
) -> None:
    sidebar = Sidebar(page, service, "gradebook")
    sidebar.recompute()
    link = sidebar.locator(f'button.cell[data-cell="{BAD_SCORE_CELL}"]')
    expect(link).to_be_visible()
    expect(link).to_have_text(BAD_SCORE_CELL)
    expect(link).to_have_attribute("aria-label", re.compile(r"^Go to Scores!E7: .*3\+"))

    link.click()

    expect(page.locator("#selection")).to_have_text(f"Selected {BAD_SCORE_CELL}")
    expect(page.get_by_role("tab", name="Scores")).to_have_attribute("aria-selected", "true")
    expect(page.locator('#grid td.selected[data-a1="E7"]')).to_have_text("3+")
    assert {"name": "selectCell", "args": [BAD_SCORE_CELL]} in sidebar.shim_calls()
    expect(sidebar.locator("#status")).to_have_text(f"Selected {BAD_SCORE_CELL} in the sheet.")
    screenshot("sidebar-warning-selected")


def test_sheet_text_is_shown_as_text_never_as_html(
    page: Page, service: Service, screenshot: Screenshot
) -> None:
    sidebar = Sidebar(page, service, "gradebook")
    warning = {"cell": "Roster!B3", "reason": "unknown_student", "message": f"Who is {EVIL}?",
               "severity": "warning"}
    answer_with(page, "**/v1/recompute", 200, {
        "students": 1, "outcomes": 1, "evidence": 1, "statuses": {EVIL: 1},
        "warnings": [warning], "api_calls": {"read": 2, "write": 1}, "written": True,
        "duration_ms": 5,
    })
    sidebar.recompute()

    expect(sidebar.locator(".warnings .why")).to_have_text(f"Who is {EVIL}?")
    expect(sidebar.locator(".statuses li span")).to_have_text(EVIL)
    assert sidebar.locator("#result img").count() == 0
    assert sidebar.window.evaluate("window.pwned") is None
    screenshot("sidebar-html-as-text")


def test_a_template_problem_says_what_to_fix_and_links_the_cell(
    page: Page, service: Service, screenshot: Screenshot
) -> None:
    sidebar = Sidebar(page, service, "broken")
    sidebar.recompute()

    error = sidebar.locator(".error")
    expect(error).to_have_attribute("data-code", "template_invalid")
    expect(sidebar.locator("#result-heading")).to_have_text("Hive cannot read this spreadsheet yet")
    expect(sidebar.locator("#result-heading")).to_be_focused()
    expect(error.locator(".action")).to_contain_text("Fix the cells listed below")
    problem = error.locator("button.cell").first
    expect(problem).to_contain_text("Roster!")
    expect(sidebar.locator("#steps")).to_be_hidden()
    expect(sidebar.locator("#status")).to_contain_text("Fix the cells listed below")
    screenshot("sidebar-template-invalid")

    problem.click()
    expect(page.get_by_role("tab", name="Roster")).to_have_attribute("aria-selected", "true")


def test_signed_in_with_two_accounts_tells_her_to_use_one(
    page: Page, service: Service, screenshot: Screenshot
) -> None:
    sidebar = Sidebar(page, service, "gradebook")
    sidebar.window.evaluate("hiveShim.failNext(\"ScriptError: We're sorry, a server error occurred "
                            "while reading from storage. Error code PERMISSION_DENIED.\")")
    sidebar.recompute()

    expect(sidebar.locator("#result-heading")).to_have_text(
        "Google could not tell which of your accounts to use")
    expect(sidebar.locator(".error .action")).to_contain_text("signed into one account only")
    expect(sidebar.locator("#recompute")).to_be_enabled()
    screenshot("sidebar-signed-in-twice")


@pytest.mark.parametrize(
    ("status", "code", "title"),
    [
        (401, "token_expired", "Your Google sign-in has expired"),
        (403, "sheets_forbidden", "You cannot edit this spreadsheet"),
        (429, "rate_limited", "Google is limiting how fast Hive can work"),
        (503, "sheets_unavailable", "Google Sheets is not answering right now"),
    ],
    ids=["expired-sign-in", "no-access", "rate-limited", "google-down"],
)
def test_service_errors_are_specific(
    page: Page, service: Service, status: int, code: str, title: str
) -> None:
    sidebar = Sidebar(page, service, "gradebook")
    answer_with(page, "**/v1/recompute", status, {"error": {"code": code, "message": f"{code}!"}})
    sidebar.recompute()
    expect(sidebar.locator("#result-heading")).to_have_text(title)
    expect(sidebar.locator(".error .message")).to_have_text(f"{code}!")


def test_check_template_writes_nothing(page: Page, service: Service) -> None:
    sidebar = Sidebar(page, service, "gradebook")
    calls: list[str] = []
    page.on("request", lambda request: calls.append(request.url))
    sidebar.locator("#check").click()
    expect(sidebar.locator("#result-heading")).to_have_text("Template check: fix these cells")
    expect(sidebar.locator(f'button.cell[data-cell="{BAD_SCORE_CELL}"]')).to_be_visible()
    assert any(url.endswith("/v1/validate") for url in calls)
    assert not any(url.endswith("/v1/recompute") for url in calls)


def test_the_keyboard_reaches_every_action(page: Page, service: Service) -> None:
    sidebar = Sidebar(page, service, "gradebook")
    sidebar.locator("#recompute").focus()
    page.keyboard.press("Enter")
    heading = sidebar.locator("#result-heading")
    expect(heading).to_be_focused()
    page.keyboard.press("Tab")
    focused = sidebar.window.evaluate("document.activeElement.className")
    assert focused == "cell", "Tab from the result goes to the first warning"
    page.keyboard.press("Enter")
    expect(page.locator("#selection")).to_have_text(re.compile("^Selected "))


def test_the_policy_picker_replaces_the_policy_tab(
    page: Page, service: Service, screenshot: Screenshot
) -> None:
    library = _get_json(f"{service.url}/v1/policies")
    assert len(library) >= 2, "the shipped library offers a choice"
    first, second = library[0], library[1]
    sidebar = Sidebar(page, service, "policy")
    expect(sidebar.locator("#policy-current strong")).to_have_text(first["name"])
    expect(sidebar.locator("#policy-current .description")).to_have_text(first["description"])
    expect(sidebar.locator("#policy-description")).to_have_text("")

    sidebar.locator("#policy-picker").select_option(second["name"])
    expect(sidebar.locator("#policy-description")).to_have_text(second["description"])
    sidebar.locator("#policy-use").click()
    expect(sidebar.locator("#policy-confirm")).to_be_visible()
    expect(sidebar.locator("#policy-confirm-no")).to_be_focused()
    screenshot("sidebar-policy-confirm")
    page.keyboard.press("Escape")
    expect(sidebar.locator("#policy-confirm")).to_be_hidden()
    expect(sidebar.locator("#policy-use")).to_be_focused()
    policy_tab = f"{service.url}/preview/api/policy/policy"
    assert _get_json(policy_tab)["rows"] == _trimmed(first["rows"]), "Cancel wrote nothing"

    sidebar.locator("#policy-use").click()
    sidebar.locator("#policy-confirm-yes").click()
    expect(sidebar.locator("#policy-message")).to_contain_text(f'now holds "{second["name"]}"')
    expect(sidebar.locator("#policy-current strong")).to_have_text(second["name"])
    expect(sidebar.locator("#policy-current .description")).to_have_text(second["description"])
    assert _get_json(policy_tab)["rows"] == _trimmed(second["rows"])
    page.get_by_role("tab", name="Policy").click()
    expect(page.locator("#grid")).to_contain_text(str(second["rows"][0][1]))
    screenshot("sidebar-policy-applied")


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def _trimmed(rows: list[list[Any]]) -> list[list[str]]:
    """Rows as the values API returns them: text, trailing blanks dropped."""
    out = []
    for row in rows:
        cells = [str(v) for v in row]
        while cells and cells[-1] == "":
            cells.pop()
        out.append(cells)
    return out


def test_the_policies_the_service_used_are_described_in_its_words(
    page: Page, service: Service
) -> None:
    sidebar = Sidebar(page, service, "gradebook")
    used = [
        {"name": "Default", "description": "Mastered after 3 demonstrations at Meeting or above"},
        {"name": "Reading", "description": "Mastered when the latest score is 3 or more"},
    ]
    answer_with(page, "**/v1/validate", 200, {
        "students": 1, "outcomes": 1, "evidence": 1, "statuses": {}, "warnings": [],
        "api_calls": {"read": 2, "write": 0}, "written": False, "duration_ms": 5, "policies": used,
    })
    sidebar.locator("#check").click()
    expect(sidebar.locator("#result-heading")).to_have_text("The template looks right")
    expect(sidebar.locator("#policy-current strong")).to_have_text("Default")
    expect(sidebar.locator("#policy-current .description").first).to_have_text(
        "Mastered after 3 demonstrations at Meeting or above")
    expect(sidebar.locator("#policy-current")).to_contain_text(
        "For some outcomes, Reading: Mastered when the latest score is 3 or more")


def _post_json(url: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def test_reteach_groups_show_counts_per_need_with_names_collapsed_and_a_section_filter(
    page: Page, service: Service, screenshot: Screenshot
) -> None:
    sidebar = Sidebar(page, service, "policy")
    picker = sidebar.locator("#groups-outcome")
    expect(picker).to_be_enabled()
    options = picker.locator("option")
    ids = [options.nth(i).get_attribute("value") for i in range(options.count())]
    assert len(ids) == 3 and all(ids), ids
    expect(options.first).to_contain_text(re.compile(r"^\S+: I can "))  # ID and wording
    # The outcome with the most students still working on it, asked of the service directly.
    answers = {i: _post_json(f"{service.url}/v1/groups", {"spreadsheet_id": "policy",
                                                           "outcome_id": i}) for i in ids}
    chosen = max(ids, key=lambda i: sum(len(g["members"]) for g in answers[i]["groups"]))
    expected = answers[chosen]
    assert expected["groups"], "the demo class has students who have not yet met an outcome"

    picker.select_option(chosen)  # the keyboard path: the picker, Tab, Enter
    picker.focus()
    page.keyboard.press("Tab")
    expect(sidebar.locator("#groups-show")).to_be_focused()
    page.keyboard.press("Enter")

    title = sidebar.locator("#groups-title")
    expect(title).to_have_text(f"{chosen}: {expected['outcome']}")
    expect(title).to_be_focused()
    expect(sidebar.locator("#groups-result")).to_have_attribute("aria-live", "polite")
    needs = sidebar.locator("#groups-result details.need")
    expect(needs).to_have_count(len(expected["groups"]))
    for n, group in enumerate(expected["groups"]):
        need = needs.nth(n)
        expect(need.locator("summary")).to_have_text(re.compile(
            rf"^{re.escape(group['label'])} \({len(group['members'])} students?\)$"))
        items = need.locator("li")
        expect(items.first).to_be_hidden()  # names collapsed until the group is opened
        need.locator("summary").click()
        expect(items).to_have_count(len(group["members"]))
        expect(items.first).to_be_visible()
        for k, member in enumerate(group["members"]):
            item = items.nth(k)
            expect(item).to_have_attribute("data-student", member["student_id"])
            expect(item.locator(".who")).to_have_text(member["name"])
            expect(item.locator(".state")).to_have_text(member["status"])  # words, not colour only
            expect(item.locator(".needs")).to_have_text(f"Needs: {member['needs']}")
            border = item.evaluate("node => getComputedStyle(node).borderLeftColor")
            red, green, blue = (int(member["colour"][i:i + 2], 16) for i in (1, 3, 5))
            assert border == f"rgb({red}, {green}, {blue})"
    # A section filters the same groups, in the same Roster order.
    section = expected["sections"][0]
    sidebar.locator("#groups-section").select_option(section)
    shown = [m["student_id"] for g in expected["groups"] for m in g["members"]
             if m["section"] == section]
    ids_shown = sidebar.locator("#groups-result li").evaluate_all(
        "nodes => nodes.map(n => n.getAttribute('data-student'))")
    assert ids_shown == shown
    students = sum(len(g["members"]) for g in expected["groups"])
    expect(sidebar.locator("#status")).to_contain_text(f"Reteach groups for {chosen}: {students}")
    assert [c["name"] for c in sidebar.shim_calls() if c["name"] == "reteachGroups"] == [
        "reteachGroups"]
    screenshot("sidebar-groups")
    assert page.hive_errors == []  # type: ignore[attr-defined]


def test_reteach_groups_explain_a_failure_in_the_add_ons_words(page: Page, service: Service) -> None:
    sidebar = Sidebar(page, service, "policy")
    expect(sidebar.locator("#groups-show")).to_be_enabled()
    answer_with(page, "**/v1/groups", 404, {"error": {
        "code": "outcome_not_found", "message": f'There is no outcome "{EVIL}".'}})
    sidebar.locator("#groups-show").click()
    error = sidebar.locator('#groups-result .error[data-code="outcome_not_found"]')
    expect(error).to_contain_text("That outcome is not on the Outcomes tab")
    expect(error).to_contain_text(EVIL)  # shown as text
    assert sidebar.window.evaluate("window.pwned === undefined")


def test_publishing_shows_a_progress_bar_and_a_reopened_sidebar_finds_the_running_job(
    page: Page, service: Service, screenshot: Screenshot
) -> None:
    """The real publish job on the real service, slowed to Google's pace: the bar advances, the
    sidebar is closed and opened again mid-job, finds the job, and shows the result at the end."""
    service.sheets.faults.delay = 0.15  # every Google call: a few seconds a step
    try:
        sidebar = Sidebar(page, service, "policy")
        sidebar.locator("#publish").click()
        bar = sidebar.locator("#publish-progress")
        line = sidebar.locator("#publish-line")
        expect(line).to_have_text(re.compile(r"^Publishing reports: \d+ of 12$"))
        expect(sidebar.locator("#publish")).to_be_disabled()
        expect(line).to_have_text(re.compile(r"^Publishing reports: ([1-9]|1[01]) of 12$"),
                                  timeout=60_000)
        first = int(bar.evaluate("node => node.value"))
        assert 0 < first < 12
        assert bar.evaluate("node => node.max") == 12
        screenshot("sidebar-publishing")

        reopened = Sidebar(page, service, "policy")  # the sidebar closed and opened again
        expect(reopened.locator("#publish-job")).to_be_visible()
        expect(reopened.locator("#publish-line")).to_have_text(
            re.compile(r"^Publishing reports: \d+ of 12$"))
        later = reopened.locator("#publish-line")
        expect(later).to_have_text(re.compile(r"^Published 12 reports: 12 new, 0 updated"),
                                   timeout=90_000)
        assert reopened.locator("#publish-progress").evaluate("node => node.value") == 12
        expect(reopened.locator("#publish-result a")).to_have_text("Open the reports folder")
        expect(reopened.locator("#publish")).to_be_enabled()
        calls = [c["name"] for c in reopened.shim_calls()]
        assert calls.count("startPublish") == 0 and calls.count("publishStatus") >= 1
        screenshot("sidebar-published")
    finally:
        service.sheets.faults.delay = 0.0
    assert page.hive_errors == []  # type: ignore[attr-defined]
