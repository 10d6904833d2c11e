"""Who a report is from: the optional `About` tab (School, Course, Teacher, Term) over the title.

The tab is two columns, a label and its value, one per row (`School | MS 442`). Without it, or
where a row is blank, the course is the spreadsheet's title and the rest stays unsaid.
"""

from __future__ import annotations

from dataclasses import dataclass

from sheets_backend.gradebook.cells import text
from sheets_backend.sheets.snapshot import Tab, normalise_name

ABOUT = "About"
FIELDS = ("school", "course", "teacher", "term")


@dataclass(frozen=True)
class About:
    """The header every report and Student Summary block starts with."""

    school: str = ""
    course: str = ""
    teacher: str = ""
    term: str = ""


def read_about(tab: Tab | None, title: str) -> About:
    """The About tab's values; the course falls back to the spreadsheet's `title`."""
    found: dict[str, str] = {}
    for row in tab.rows if tab is not None else ():
        if len(row) < 2:
            continue
        key = normalise_name(row[0])
        if key in FIELDS and key not in found and text(row[1]):
            found[key] = text(row[1])
    return About(
        school=found.get("school", ""),
        course=found.get("course", "") or title.strip(),
        teacher=found.get("teacher", ""),
        term=found.get("term", ""),
    )
