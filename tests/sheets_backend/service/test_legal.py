"""The /privacy and /terms pages: served without sign-in, as plain HTML, saying what Hive keeps."""

from __future__ import annotations

import pytest
from workbooks import BASE_TABS, write_workbook

from sheets_backend.service.app import create_app
from sheets_backend.service.serve import local_config
from sheets_backend.service.settings import Config


@pytest.fixture()
def client(tmp_path):
    write_workbook(tmp_path / "gradebook.xlsx", BASE_TABS)
    return create_app(local_config(tmp_path)).test_client()


@pytest.mark.parametrize("path", ["/privacy", "/terms"])
def test_the_pages_need_no_sign_in_and_run_no_script(client, path):
    page = client.get(path)
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "<script" not in text and text.startswith("<!DOCTYPE html>")


def test_the_privacy_page_says_what_is_read_written_and_kept(client):
    text = client.get("/privacy").get_data(as_text=True)
    for fact in ("drive.file", "Student Email and Family Email", "no database",
                 "no student names, scores or addresses", "never written to a log",
                 f"{Config().job_keep_days} days after the publish finishes"):
        assert fact in text, fact
