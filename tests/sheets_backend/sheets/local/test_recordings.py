"""Replays Google's recorded Sheets/Drive traffic against the local service and compares answers.

The recordings live outside the repo (HIVE_RECORDINGS, default ../shared/sheets-api-recordings).
Server-generated ids (Drive file ids, sheetId from addSheet, protectedRangeId, namedRangeId) are
mapped from Google's to ours as they appear. Dropped before comparing, and nothing else:
`createdTime`/`modifiedTime` (clock readings) and `spreadsheetTheme` (a constant style blob Hive
never reads, which the service does not emit); protected-range editor e-mails become "<owner>".
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from sheets_backend.sheets.local import LocalSheets

HERE = Path(__file__).resolve()
DEFAULT = HERE.parents[5] / "shared" / "sheets-api-recordings"
FOLDER = Path(os.environ.get("HIVE_RECORDINGS") or DEFAULT)

# Recordings that exercise endpoints Hive does not use, each with the reason it is skipped.
SKIPPED: dict[str, str] = {
    "ClientTest.test_client_export_spreadsheet": "Drive files.export (CSV/PDF) is not served",
    "SpreadsheetTest.test_export_spreadsheet": "Drive files.export (CSV/PDF) is not served",
    "ClientTest.test_copy": "Drive files.copy with comments (files/{id}/comments) is not served",
    "ClientTest.test_import_csv": "Drive v2 media upload (import_csv) is not served",
    "ClientTest.test_open_all_has_metadata": (
        "Drive files.list answers with every file of the recording account, not one episode's"
    ),
    "ClientTest.test_openall": (
        "Drive files.list answers with every file of the recording account, not one episode's"
    ),
    "WorksheetTest.test_auto_resize_columns": (
        "autoResizeDimensions needs font metrics; the request is accepted, sizes stay put"
    ),
    "WorksheetTest.test_basic_filters": "setBasicFilter/clearBasicFilter: not used by Hive",
    "WorksheetTest.test_get_values_merge_cells_with_named_range": (
        "named ranges as A1 ranges in values.get: not used by Hive"
    ),
    "WorksheetTest.test_group_columns": "addDimensionGroup/deleteDimensionGroup: not used by Hive",
    "WorksheetTest.test_group_rows": "addDimensionGroup/deleteDimensionGroup: not used by Hive",
    "WorksheetTest.test_sort": "sortRange: not used by Hive",
}

DROPPED_KEYS = frozenset({"createdTime", "modifiedTime", "spreadsheetTheme"})
ID_KEYS = ("sheetId", "protectedRangeId", "namedRangeId")


def recordings() -> list[Any]:
    if not FOLDER.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no recordings at {FOLDER}"))]
    params = []
    for path in sorted(FOLDER.glob("*.json")):
        reason = SKIPPED.get(path.stem)
        marks = [pytest.mark.skip(reason=reason)] if reason else []
        params.append(pytest.param(path, id=path.stem, marks=marks))
    return params


class Replay:
    """One recording replayed in order against a fresh LocalSheets, learning id pairs as it goes."""

    def __init__(self) -> None:
        self.service = LocalSheets()
        self.session = self.service.session()
        self.file_ids: dict[str, str] = {}
        self.numbers: dict[str, dict[Any, Any]] = {key: {} for key in ID_KEYS}

    def _text(self, text: str) -> str:
        for theirs, ours in self.file_ids.items():
            text = text.replace(theirs, ours)
        return text

    def _ids(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: self.numbers[k].get(v, v)
                if k in self.numbers and not isinstance(v, dict)
                else self._ids(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self._ids(v) for v in value]
        return value

    def _learn(self, theirs: Any, ours: Any, key: str | None = None) -> None:
        if isinstance(theirs, dict) and isinstance(ours, dict):
            for k in theirs.keys() & ours.keys():
                self._learn(theirs[k], ours[k], k)
        elif isinstance(theirs, list) and isinstance(ours, list):
            for a, b in zip(theirs, ours, strict=False):
                self._learn(a, b, key)
        elif key == "id" and isinstance(theirs, str) and isinstance(ours, str):
            self.file_ids.setdefault(theirs, ours)
        elif key in self.numbers and theirs not in self.numbers[key]:
            self.numbers[key][theirs] = ours

    def send(self, request: dict[str, Any]) -> tuple[int, str]:
        body = request["body"]
        if body is not None:
            try:
                body = json.dumps(self._ids(json.loads(self._text(body))))
            except json.JSONDecodeError:
                body = self._text(body)
        uri = self._text(request["uri"])
        response = self.session.request(
            request["method"],
            uri,
            data=body.encode("utf-8") if body is not None else None,
            headers={"Content-Type": "application/json"},
        )
        return response.status_code, response.text

    def expect(self, recorded: dict[str, Any], actual_text: str) -> tuple[Any, Any]:
        """(expected, actual) normalised; learns new id pairs from this answer first."""
        text = recorded["body"]["string"]
        try:
            theirs = json.loads(text) if text else None
            ours = json.loads(actual_text) if actual_text else None
        except json.JSONDecodeError:
            return text, actual_text
        self._learn(theirs, ours)
        theirs = self._ids(json.loads(self._text(text))) if text else None
        return normalise(theirs), normalise(ours)


def normalise(value: Any) -> Any:
    if isinstance(value, dict):
        out = {k: normalise(v) for k, v in value.items() if k not in DROPPED_KEYS}
        if isinstance(out.get("users"), list):
            out["users"] = [
                "<owner>" if re.match(r"[^@\s]+@[^@\s]+$", u) else u for u in out["users"]
            ]
        return out
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


@pytest.mark.parametrize("path", recordings())
def test_recordings(path: Path) -> None:
    cassette = json.loads(path.read_text(encoding="utf-8"))
    replay = Replay()
    for i, interaction in enumerate(cassette["interactions"]):
        request, response = interaction["request"], interaction["response"]
        status, text = replay.send(request)
        expected, actual = replay.expect(response, text)
        where = f"#{i} {request['method']} {request['uri']}"
        assert status == response["status"]["code"], f"{where}: {text[:500]}"
        assert actual == expected, where
