"""A1 notation: parsing `'My tab'!A1:C`, echoing ranges back the way Google normalises them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sheets_backend.problems import quote_tab
from sheets_backend.sheets.local.errors import bad_request

_ENDPOINT = re.compile(r"^([A-Za-z]{0,3})([0-9]{0,7})$")


def column_index(letters: str) -> int:
    """`A` -> 0, `AA` -> 26."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def column_letters(index: int) -> str:
    """0 -> `A`, 26 -> `AA`."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


# A tab title as Google echoes it: one rule for the service and for Hive's own references.
quote_title = quote_tab


@dataclass(frozen=True)
class A1Range:
    """A parsed range; indexes are 0-based, ends exclusive, None where the text left a side open."""

    title: str | None
    start_row: int | None = None
    end_row: int | None = None
    start_col: int | None = None
    end_col: int | None = None


def split_title(text: str) -> tuple[str | None, str | None]:
    """`'It''s'!A1` -> ("It's", "A1"); `Sheet1` -> ("Sheet1", None); `A1:B2` -> (None, "A1:B2")."""
    if text.startswith("'"):
        i, title = 1, []
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if text[i + 1 : i + 2] == "'":
                    title.append("'")
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest == "":
                    return "".join(title), None
                if rest.startswith("!"):
                    return "".join(title), rest[1:]
                raise bad_request(f"Unable to parse range: {text}")
            title.append(ch)
            i += 1
        raise bad_request(f"Unable to parse range: {text}")
    if "!" in text:
        title, _, cells = text.rpartition("!")
        return title, cells
    return None, text


def parse_cells(cells: str, original: str) -> tuple[int | None, int | None, int | None, int | None]:
    """`B2:C` -> (1, None, 1, 3): start_row, end_row, start_col, end_col."""
    parts = cells.split(":")
    if len(parts) > 2 or not cells:
        raise bad_request(f"Unable to parse range: {original}")
    ends = []
    for part in parts:
        m = _ENDPOINT.match(part.strip())
        if not m or not (m.group(1) or m.group(2)):
            raise bad_request(f"Unable to parse range: {original}")
        col = column_index(m.group(1)) if m.group(1) else None
        row = int(m.group(2)) - 1 if m.group(2) else None
        if row is not None and row < 0:
            raise bad_request(f"Unable to parse range: {original}")
        ends.append((row, col))
    if len(ends) == 1:
        row, col = ends[0]
        if row is None or col is None:
            raise bad_request(f"Unable to parse range: {original}")
        return row, row + 1, col, col + 1
    (r1, c1), (r2, c2) = ends
    if (r1 is None) != (r2 is None) and (c1 is None or c2 is None) and r1 is None:
        # `A:1` style mixes are not ranges Google accepts.
        raise bad_request(f"Unable to parse range: {original}")
    if r1 is not None and r2 is not None and r1 > r2:
        r1, r2 = r2, r1
    if c1 is not None and c2 is not None and c1 > c2:
        c1, c2 = c2, c1
    return (
        r1 if r1 is not None else 0 if r2 is not None or c1 is not None else None,
        r2 + 1 if r2 is not None else None,
        c1 if c1 is not None else 0 if c2 is not None or r1 is not None else None,
        c2 + 1 if c2 is not None else None,
    )


def format_range(title: str, r0: int, r1: int, c0: int, c1: int) -> str:
    """Google's echo of a bounded range: `Sheet1!A1:D2`, or `Sheet1!B1` for one cell."""
    start = f"{column_letters(c0)}{r0 + 1}"
    if r1 - r0 == 1 and c1 - c0 == 1:
        return f"{quote_title(title)}!{start}"
    return f"{quote_title(title)}!{start}:{column_letters(c1 - 1)}{r1}"
