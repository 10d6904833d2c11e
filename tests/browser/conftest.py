"""Browser fixtures: the real local service with its preview on 127.0.0.1, and Debian's chromium."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The first recompute in a process imports pandas and friends; a slow CI machine needs the margin.
expect.set_options(timeout=20_000)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
BAD_SCORE_CELL = "Scores!E7"


@dataclass(frozen=True)
class Service:
    """The running service: its URL and the folder of workbooks it serves."""

    url: str
    folder: Path
    sheets: Any = None  # the local Sheets service behind it (its `faults.delay` slows Google)

    def preview(self, spreadsheet_id: str) -> str:
        return f"{self.url}/preview/{spreadsheet_id}"


def _write_workbooks(folder: Path) -> None:
    """gradebook: a demo class with one score a teacher mistyped; policy: a spare copy to change;
    broken: a roster whose Student ID header was renamed, so nothing can be recomputed."""
    from sheets_backend.demo import write_gradebook

    for name in ("gradebook", "policy", "broken"):
        write_gradebook(folder / f"{name}.xlsx", students=12, outcomes=3, scores_per_outcome=3,
                        seed=7, behaviour_incidents=2)
    for name, edit in (("gradebook", _mistype_a_score), ("broken", _rename_roster_header)):
        path = folder / f"{name}.xlsx"
        book = load_workbook(path)
        edit(book)
        book.save(path)


def _mistype_a_score(book: Workbook) -> None:
    tab, cell = BAD_SCORE_CELL.split("!")
    book[tab][cell] = "3+"


def _rename_roster_header(book: Workbook) -> None:
    book["Roster"]["A1"] = "ID number"


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """Hive's service in local mode over a temp folder, with the preview page, on a free port."""
    from sheets_backend.service.app import create_app
    from sheets_backend.service.preview import preview_blueprint
    from sheets_backend.service.serve import local_config
    from sheets_backend.sheets.gateway import local_client
    from sheets_backend.sheets.local import LocalSheets

    folder = tmp_path_factory.mktemp("workbooks")
    _write_workbooks(folder)
    sheets = LocalSheets.from_folder(folder)
    # Every page load asks for the policy library: lift the per-teacher limit for a test run.
    config = local_config(folder, client_factory=lambda _token: local_client(sheets),
                          rate_limit_per_minute=100_000, rate_limit_burst=10_000)
    app = create_app(config)
    if "preview" not in app.blueprints:
        app.register_blueprint(preview_blueprint(sheets))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Service(url=f"http://127.0.0.1:{server.server_port}", folder=folder, sheets=sheets)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: run apps_script/scripts/install-test-deps.sh (as root)."
        if os.environ.get("CI"):
            pytest.fail(message)  # never a silent skip in CI
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page, 1280 x 800; uncaught errors in it are collected in `page.hive_errors`."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.hive_errors = errors  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        context.close()


Screenshot = Callable[[str], Path]


@pytest.fixture
def screenshot(page: Page) -> Screenshot:
    """`screenshot("name")` saves the page as test-artifacts/name.png (gitignored, kept by CI)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    return take
