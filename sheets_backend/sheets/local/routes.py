"""URL routing: which Sheets or Drive endpoint a request is for, and its body's schema."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

_SHEETS = re.compile(r"^/v4/spreadsheets(?:/(?P<id>[^/:]+))?(?P<rest>.*)$")
_DRIVE = re.compile(
    r"^/drive/v3/files(?:/(?P<id>[^/]+))?"
    r"(?P<rest>/copy|/permissions(?:/(?P<permission>[^/]+))?)?$"
)


@dataclass(frozen=True)
class Route:
    """An endpoint, the spreadsheet it addresses, an A1 range from the path, the body schema."""

    name: str
    spreadsheet_id: str | None = None
    range: str | None = None
    schema: str | None = None
    permission_id: str | None = None  # Drive permissions.get/delete


def route(method: str, host: str, path: str) -> Route | None:
    """Map (method, host, path) to a Route; None for anything this service does not answer."""
    if host == "sheets.googleapis.com":
        m = _SHEETS.match(path)
        if not m:
            return None
        sid, rest = m.group("id"), m.group("rest")
        if sid is None:
            return Route("create", schema="Spreadsheet") if method == "POST" and not rest else None
        sid = unquote(sid)
        if rest == "" and method == "GET":
            return Route("get", sid)
        simple = {
            (":batchUpdate", "POST"): Route(
                "batchUpdate", sid, schema="BatchUpdateSpreadsheetRequest"
            ),
            ("/values:batchGet", "GET"): Route("values.batchGet", sid),
            ("/values:batchUpdate", "POST"): Route(
                "values.batchUpdate", sid, schema="BatchUpdateValuesRequest"
            ),
            ("/values:batchClear", "POST"): Route(
                "values.batchClear", sid, schema="BatchClearValuesRequest"
            ),
            ("/developerMetadata:search", "POST"): Route(
                "developerMetadata.search", sid, schema="SearchDeveloperMetadataRequest"
            ),
        }
        if (rest, method) in simple:
            return simple[(rest, method)]
        if rest.startswith("/developerMetadata/") and method == "GET":
            return Route("developerMetadata.get", sid, unquote(rest[len("/developerMetadata/") :]))
        if rest.startswith("/values/"):
            text = unquote(rest[len("/values/") :])
            for suffix, name, verb, schema in (
                (":append", "values.append", "POST", "ValueRange"),
                (":clear", "values.clear", "POST", "ClearValuesRequest"),
            ):
                if text.endswith(suffix) and method == verb:
                    return Route(name, sid, text[: -len(suffix)], schema)
            if method == "GET":
                return Route("values.get", sid, text)
            if method == "PUT":
                return Route("values.update", sid, text, "ValueRange")
        return None
    if host == "www.googleapis.com":
        m = _DRIVE.match(path)
        if not m:
            return None
        fid = unquote(m.group("id")) if m.group("id") else None
        if fid is None:
            return {"POST": Route("drive.create"), "GET": Route("drive.list")}.get(method)
        if m.group("permission"):
            pid = unquote(m.group("permission"))
            return {
                "GET": Route("drive.permissions.get", fid, permission_id=pid),
                "DELETE": Route("drive.permissions.delete", fid, permission_id=pid),
            }.get(method)
        if m.group("rest") == "/permissions":
            return {
                "GET": Route("drive.permissions.list", fid),
                "POST": Route("drive.permissions.create", fid),
            }.get(method)
        if m.group("rest"):
            return Route("drive.copy", fid) if method == "POST" else None
        return {
            "GET": Route("drive.get", fid),
            "DELETE": Route("drive.delete", fid),
            "PATCH": Route("drive.update", fid),
        }.get(method)
    return None
