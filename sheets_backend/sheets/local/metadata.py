"""Developer metadata: key/value pairs a program pins to a spreadsheet or a tab (Sheets API v4).

`createDeveloperMetadata`, `updateDeveloperMetadata` and `deleteDeveloperMetadata` are batchUpdate
requests; `developerMetadata:search` and `developerMetadata/{id}` read them, and spreadsheets.get
shows them under `developerMetadata` (the spreadsheet's) and `sheets[].developerMetadata` (a tab's).
Row and column locations are not served here: Hive pins nothing to a row or column.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Mapping
from typing import Any

from sheets_backend.sheets.local.errors import bad_request, not_found
from sheets_backend.sheets.local.fields import parse_mask, select
from sheets_backend.sheets.local.model import Workbook

VISIBILITIES = ("DOCUMENT", "PROJECT")
_UPDATABLE = ("metadataKey", "metadataValue", "visibility", "location")


def _location(book: Workbook, given: Mapping[str, Any] | None, where: str) -> dict[str, Any]:
    """The stored form of a DeveloperMetadataLocation, as Google answers it."""
    given = given or {}
    if given.get("dimensionRange") is not None:
        raise bad_request(f"Invalid {where}.location: row and column metadata are not supported "
                          "by Hive's local Sheets service.")
    if given.get("spreadsheet"):
        if given.get("sheetId") is not None:
            raise bad_request(f"Invalid {where}.location: Only one location may be set.")
        return {"locationType": "SPREADSHEET", "spreadsheet": True}
    if given.get("sheetId") is not None:
        book.sheet_by_id(int(given["sheetId"]), f"{where}.location")
        return {"locationType": "SHEET", "sheetId": int(given["sheetId"])}
    raise bad_request(f"Invalid {where}: Developer metadata location must be specified.")


def _live(book: Workbook) -> list[dict[str, Any]]:
    """The workbook's entries, less any pinned to a tab that has since been deleted."""
    ids = {s.sheet_id for s in book.sheets}
    return [
        m for m in book.developer_metadata
        if m["location"]["locationType"] == "SPREADSHEET" or m["location"]["sheetId"] in ids
    ]


def _matches(entry: Mapping[str, Any], lookup: Mapping[str, Any]) -> bool:
    for name in ("metadataId", "metadataKey", "metadataValue"):
        if lookup.get(name) is not None and entry.get(name) != lookup[name]:
            return False
    visibility = lookup.get("visibility")
    if visibility not in (None, "DEVELOPER_METADATA_VISIBILITY_UNSPECIFIED") and (
        entry["visibility"] != visibility
    ):
        return False
    kind = lookup.get("locationType")
    if kind not in (None, "DEVELOPER_METADATA_LOCATION_TYPE_UNSPECIFIED") and (
        entry["location"]["locationType"] != kind
    ):
        return False
    where = lookup.get("metadataLocation")
    if where:
        location = entry["location"]
        if where.get("spreadsheet") and location["locationType"] != "SPREADSHEET":
            return False
        if where.get("sheetId") is not None and location.get("sheetId") != where["sheetId"]:
            return False
    return True


def _selected(book: Workbook, data_filter: Mapping[str, Any], where: str) -> list[dict[str, Any]]:
    if data_filter.get("a1Range") is not None or data_filter.get("gridRange") is not None:
        raise bad_request(f"Invalid {where}: only developerMetadataLookup filters are supported "
                          "by Hive's local Sheets service.")
    lookup = data_filter.get("developerMetadataLookup")
    if not lookup:
        raise bad_request(f"Invalid {where}: The data filter must be specified.")
    return [m for m in _live(book) if _matches(m, lookup)]


def create(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    """batchUpdate `createDeveloperMetadata`."""
    given = req.get("developerMetadata") or {}
    if not given.get("metadataKey"):
        raise bad_request(f"Invalid {where}: Developer metadata key must be specified.")
    if given.get("visibility") not in VISIBILITIES:
        raise bad_request(f"Invalid {where}: Developer metadata visibility must be specified.")
    taken = {m["metadataId"] for m in _live(book)}
    metadata_id = given.get("metadataId")
    if metadata_id is not None and metadata_id in taken:
        raise bad_request(f"Invalid {where}: Developer metadata with ID {metadata_id} already "
                          "exists.")
    while metadata_id is None or metadata_id in taken:
        metadata_id = secrets.randbelow(2**31 - 1) + 1
    entry = {
        "metadataId": int(metadata_id),
        "metadataKey": given["metadataKey"],
        **({"metadataValue": given["metadataValue"]} if "metadataValue" in given else {}),
        "location": _location(book, given.get("location"), f"{where}.developerMetadata"),
        "visibility": given["visibility"],
    }
    book.developer_metadata.append(entry)
    return {"createDeveloperMetadata": {"developerMetadata": copy.deepcopy(entry)}}


def update(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    """batchUpdate `updateDeveloperMetadata`: the `fields` of every entry the filters select."""
    fields = req.get("fields")
    if not fields:
        raise bad_request(f"Invalid {where}: At least one field must be updated.")
    names = list(parse_mask(fields)) if fields != "*" else list(_UPDATABLE)
    for name in names:
        if name not in _UPDATABLE:
            raise bad_request(f"Invalid {where}: field {name} cannot be updated.")
    given = req.get("developerMetadata") or {}
    filters = req.get("dataFilters") or []
    if not filters:
        raise bad_request(f"Invalid {where}: At least one data filter must be specified.")
    chosen: dict[int, dict[str, Any]] = {}
    for i, data_filter in enumerate(filters):
        for entry in _selected(book, data_filter, f"{where}.dataFilters[{i}]"):
            chosen[entry["metadataId"]] = entry
    for entry in chosen.values():
        for name in names:
            if name == "location":
                entry["location"] = _location(book, given.get("location"), where)
            elif name == "visibility" and given.get("visibility") not in VISIBILITIES:
                raise bad_request(f"Invalid {where}: Developer metadata visibility must be "
                                  "specified.")
            elif name in given:
                entry[name] = given[name]
            else:
                entry.pop(name, None)
    return {"updateDeveloperMetadata": {
        "developerMetadata": [copy.deepcopy(e) for e in chosen.values()]}}


def delete(book: Workbook, req: Mapping[str, Any], where: str) -> dict[str, Any]:
    """batchUpdate `deleteDeveloperMetadata`."""
    gone = _selected(book, req.get("dataFilter") or {}, f"{where}.dataFilter")
    ids = {m["metadataId"] for m in gone}
    book.developer_metadata = [m for m in _live(book) if m["metadataId"] not in ids]
    return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": copy.deepcopy(gone)}}


def search(book: Workbook, body: Mapping[str, Any]) -> dict[str, Any]:
    """`developerMetadata:search`: each entry once, with the filters that matched it."""
    found: dict[int, dict[str, Any]] = {}
    for i, data_filter in enumerate(body.get("dataFilters") or []):
        for entry in _selected(book, data_filter, f"dataFilters[{i}]"):
            match = found.setdefault(entry["metadataId"], {
                "developerMetadata": copy.deepcopy(entry), "dataFilters": []})
            match["dataFilters"].append(copy.deepcopy(dict(data_filter)))
    return {"matchedDeveloperMetadata": list(found.values())} if found else {}


def get(book: Workbook, metadata_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """`developerMetadata/{metadataId}`."""
    for entry in _live(book):
        if str(entry["metadataId"]) == metadata_id:
            fields = params.get("fields")
            return select(copy.deepcopy(entry), parse_mask(fields) if fields else None)
    raise not_found(f"No developer metadata with ID: {metadata_id}")


def at_spreadsheet(book: Workbook) -> list[dict[str, Any]]:
    """The entries spreadsheets.get lists under `developerMetadata`."""
    return [copy.deepcopy(m) for m in _live(book) if m["location"]["locationType"] == "SPREADSHEET"]


def at_sheet(book: Workbook, sheet_id: int) -> list[dict[str, Any]]:
    """The entries spreadsheets.get lists under a tab's `developerMetadata`."""
    return [copy.deepcopy(m) for m in _live(book) if m["location"].get("sheetId") == sheet_id]
