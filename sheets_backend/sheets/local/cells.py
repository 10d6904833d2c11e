"""CellData in and out: ExtendedValue <-> stored values, and `fields` masks applied to one cell."""

from __future__ import annotations

from typing import Any

import orjson

from sheets_backend.sheets.local.colours import normalise_format
from sheets_backend.sheets.local.errors import bad_request
from sheets_backend.sheets.local.fields import copy_path, parse_mask, paths
from sheets_backend.sheets.local.model import Formula, Sheet, plain_number
from sheets_backend.sheets.local.render import evaluate, formatted

CELL_KEYS = frozenset(
    (
        "userEnteredValue",
        "effectiveValue",
        "formattedValue",
        "userEnteredFormat",
        "note",
        "dataValidation",
    )
)
_TWINS = {
    "backgroundColor": "backgroundColorStyle",
    "foregroundColor": "foregroundColorStyle",
    "color": "colorStyle",
}
_TWINS.update({v: k for k, v in _TWINS.items()})


def extended(value: Any) -> dict[str, Any] | None:
    """A stored value as an ExtendedValue."""
    if value is None:
        return None
    if isinstance(value, Formula):
        return {"formulaValue": value.text}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, (int, float)):
        return {"numberValue": value}
    return {"stringValue": value}


def from_extended(value: Any, where: str) -> Any:
    """An ExtendedValue from a request as a stored value (a stringValue `=...` stays text)."""
    if not value:
        return None
    if "formulaValue" in value:
        text = value["formulaValue"]
        return Formula(text, evaluate(text)) if text else None
    if "stringValue" in value:
        return value["stringValue"] or None
    if "numberValue" in value:
        number = value["numberValue"]
        return plain_number(float(number)) if isinstance(number, (int, float)) else number
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "errorValue" in value:
        raise bad_request(f"Invalid {where}: errorValue cannot be written.")
    return None


def cell_data(sheet: Sheet, r: int, c: int, keys: frozenset[str]) -> dict[str, Any]:
    """One CellData for a GET with grid data, holding only `keys`."""
    out: dict[str, Any] = {}
    value = sheet.value(r, c)
    fmt = sheet.formats.get((r, c))
    if value is not None:
        if "userEnteredValue" in keys:
            out["userEnteredValue"] = extended(value)
        effective = value.value if isinstance(value, Formula) else value
        if "effectiveValue" in keys and effective is not None:
            out["effectiveValue"] = extended(effective)
        if "formattedValue" in keys and effective is not None:
            out["formattedValue"] = formatted(value, (fmt or {}).get("numberFormat"))
    if fmt and "userEnteredFormat" in keys:
        out["userEnteredFormat"] = fmt
    if "note" in keys and (r, c) in sheet.notes:
        out["note"] = sheet.notes[(r, c)]
    if "dataValidation" in keys and (r, c) in sheet.validations:
        out["dataValidation"] = sheet.validations[(r, c)]
    return out


class CellWriter:
    """Writes CellData into cells the way a `fields` mask says: named fields are set from the
    request, or cleared where the request leaves them out."""

    def __init__(self, fields: str | None, where: str) -> None:
        if not fields:
            raise bad_request(f"Invalid {where}: At least one field must be updated.")
        leaves = paths(parse_mask(fields))
        every = ("*",) in leaves
        tops = {p[0] for p in leaves}
        self.where = where
        self.value = every or "userEnteredValue" in tops
        self.note = every or ("note",) in leaves
        self.validation = every or ("dataValidation",) in leaves
        self.format_all = every or ("userEnteredFormat",) in leaves
        format_paths: list[tuple[str, ...]] = []
        for p in leaves:
            if p[0] == "userEnteredFormat" and len(p) > 1 and not self.format_all:
                format_paths.append(p[1:])
                if p[-1] in _TWINS:
                    format_paths.append((*p[1:-1], _TWINS[p[-1]]))
        self.format_paths = format_paths
        self.values_only = self.value and not (
            self.note or self.validation or self.format_all or format_paths
        )
        self._memo: dict[tuple[int, int], tuple[Any, Any, dict[str, Any] | None]] = {}
        self._by_text: dict[bytes, tuple[dict[str, Any] | None]] = {}

    def _format(self, current: dict[str, Any] | None, given: Any) -> dict[str, Any] | None:
        if self.format_all:
            # Whole formats replace: equal formats (a big write repeats a handful) share one
            # normalised copy, found by their text.
            text = orjson.dumps(given)
            found = self._by_text.get(text)
            if found is None:
                found = self._by_text[text] = (normalise_format(given) if given else None,)
            return found[0]
        key = (id(current), id(given))
        hit = self._memo.get(key)
        if hit is not None and hit[0] is current and hit[1] is given:
            return hit[2]
        merged = current or {}
        source = given if isinstance(given, dict) else {}
        for p in self.format_paths:
            merged = copy_path(merged, source, p)
        result = normalise_format(merged) if merged else None
        self._memo[key] = (current, given, result)
        return result

    def write(self, sheet: Sheet, r: int, c: int, data: dict[str, Any]) -> None:
        if self.value:
            sheet.set_value(r, c, from_extended(data.get("userEnteredValue"), self.where))
        if self.format_all or self.format_paths:
            fmt = self._format(sheet.formats.get((r, c)), data.get("userEnteredFormat"))
            if fmt:
                sheet.formats[(r, c)] = fmt
            else:
                sheet.formats.pop((r, c), None)
        if self.note:
            note = data.get("note")
            if note:
                sheet.notes[(r, c)] = note
            else:
                sheet.notes.pop((r, c), None)
        if self.validation:
            rule = data.get("dataValidation")
            if rule:
                sheet.validations[(r, c)] = rule
            else:
                sheet.validations.pop((r, c), None)
