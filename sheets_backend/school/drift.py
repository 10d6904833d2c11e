"""Policy drift: where a gradebook's own Policy tab says something other than the school's.

Each policy both tabs name (Default, and a department column such as Math) is compared setting by
setting; a column only the gradebook has is its teacher's own and is not compared.
"""

from __future__ import annotations

from collections.abc import Mapping

from policy_engine import Policy
from sheets_backend.gradebook import policy_cells as read
from sheets_backend.gradebook.policies import SETTINGS, parse_policy_tab
from sheets_backend.problems import Problem, Reason, cell_ref
from sheets_backend.sheets.snapshot import Tab

_BY_KEY = {read.key(alias): s for s in SETTINGS for alias in (s.name, *s.aliases)}


def policy_drift(school: Mapping[str, Policy], school_tab: Tab, book_tab: Tab) -> list[Problem]:
    """A warning per differing setting, at the gradebook's Policy cell, naming both values."""
    rows = [list(r) for r in book_tab.rows]
    mine, _ = parse_policy_tab(rows, tab=book_tab.title)
    book_rows, book_cols = _layout(rows)
    school_rows, school_cols = _layout([list(r) for r in school_tab.rows])
    found: list[Problem] = []
    for name, policy in mine.items():
        theirs = school.get(name)
        if theirs is None:
            continue
        for setting in SETTINGS:
            here = str(setting.show(getattr(policy, setting.field)))
            there = str(setting.show(getattr(theirs, setting.field)))
            if here == there:
                continue
            at = cell_ref(book_tab.title, book_rows.get(setting.field, 1), book_cols.get(name, 2))
            school_at = cell_ref(school_tab.title, school_rows.get(setting.field, 1),
                                 school_cols.get(name, 2))
            found.append(Problem(
                at, Reason.POLICY_DRIFT,
                f'{setting.name} ({name}) is "{here}" here but "{there}" on the school\'s Policy '
                f"tab ({school_at}); this gradebook keeps its own value"))
    return found


def _layout(rows: list[list[object]]) -> tuple[dict[str, int], dict[str, int]]:
    """(setting field -> 1-based row, policy name -> 1-based column) of a Policy grid."""
    fields: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        setting = _BY_KEY.get(read.key(row[0])) if row else None
        if setting is not None:
            fields.setdefault(setting.field, number)
    header = rows[0] if rows else []
    names = {("Default" if col == 2 else str(v).strip()): col
             for col, v in enumerate(header[1:], start=2) if str(v).strip()}
    return fields, names
