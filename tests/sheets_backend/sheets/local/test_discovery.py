"""discovery.check: repeated cell formats are checked once, yet every bad one is still reported."""

from __future__ import annotations

import pytest

from sheets_backend.sheets.local import discovery
from sheets_backend.sheets.local.errors import ApiError


def _update(formats: list[dict]) -> dict:
    rows = [{"values": [{"userEnteredFormat": f} for f in formats]}]
    return {"requests": [{"updateCells": {"rows": rows, "fields": "*", "start": {"sheetId": 0}}}]}


def test_a_repeated_unknown_field_is_reported_at_every_cell() -> None:
    bad = {"wrapStrategy": "WRAP", "shading": 1}
    with pytest.raises(ApiError) as caught:
        discovery.check(_update([dict(bad), dict(bad), {"wrapStrategy": "CLIP"}]),
                        "BatchUpdateSpreadsheetRequest")
    fields = [v["field"] for v in caught.value.details[0]["fieldViolations"]]
    assert fields == [
        "requests[0].update_cells.rows[0].values[0].user_entered_format",
        "requests[0].update_cells.rows[0].values[1].user_entered_format",
    ]


def test_a_repeated_snake_case_format_is_renamed_in_every_cell() -> None:
    body = _update([{"wrap_strategy": "WRAP"} for _ in range(3)] + [{"wrapStrategy": "WRAP"}])
    discovery.check(body, "BatchUpdateSpreadsheetRequest")
    cells = body["requests"][0]["updateCells"]["rows"][0]["values"]
    assert [c["userEnteredFormat"] for c in cells] == [{"wrapStrategy": "WRAP"}] * 4


def test_a_format_seen_clean_does_not_hide_a_bad_nested_field_elsewhere() -> None:
    good = {"textFormat": {"bold": True}}
    bad = {"textFormat": {"bold": True, "blink": True}}
    with pytest.raises(ApiError) as caught:
        discovery.check(_update([good, good, bad]), "BatchUpdateSpreadsheetRequest")
    assert 'Unknown name "blink"' in caught.value.message
