"""The long `Evidence` tab: one piece of evidence per row, with the meaning of a Scores cell."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from policy_engine import Policy
from sheets_backend.gradebook.cells import find_headers, is_blank, text
from sheets_backend.gradebook.dates import DateReader
from sheets_backend.gradebook.scores import classify, empty_evidence, parse_type
from sheets_backend.problems import Problem, Reason, cell_ref
from sheets_backend.sheets.snapshot import Tab


def read_evidence_tab(
    tab: Tab | None,
    student_ids: set[str],
    outcome_policies: Mapping[str, Policy],
    problems: list[Problem],
    *,
    dates: DateReader | None = None,
) -> pd.DataFrame:
    """The long form: one piece of evidence per row (Student ID, Outcome ID, Date, Score, ...)."""
    if tab is None:
        return empty_evidence()
    required = ("Student ID", "Outcome ID", "Date", "Score")
    headers, header_problems = find_headers(tab, required, ("Assessment", "Type"))
    if header_problems:
        problems.extend(
            Problem(p.cell, p.reason, p.message + "; the Evidence tab was skipped")
            for p in header_problems
        )
        return empty_evidence()
    body = tab.rows[1:]
    names = list(headers.columns)
    table = pd.DataFrame(
        [[cells[c] if c < len(cells) else "" for c in headers.columns.values()] for cells in body],
        columns=names,
        dtype=object,
    )
    if table.empty:
        return empty_evidence()
    table["row"] = np.arange(1, len(table) + 1)
    table = table[table["Score"].map(lambda v: not is_blank(v))]
    col = headers.columns
    frame = pd.DataFrame(
        {
            "raw": table["Score"],
            "row": table["row"],
            "col": col["Score"],
            "student_id": table["Student ID"].map(text),
            "outcome_id": table["Outcome ID"].map(text),
            "assessment": table["Assessment"].map(text) if "Assessment" in table else "Evidence",
            "type_raw": table["Type"].map(text) if "Type" in table else "",
        }
    )
    reads = (dates or DateReader.for_dates(())).read_many(table["Date"])
    frame["date"] = pd.Series([read.day for read in reads], index=frame.index, dtype=object)
    keep = np.ones(len(frame), dtype=bool)
    for i, (row, sid, oid, read, kind) in enumerate(
        zip(
            frame["row"],
            frame["student_id"],
            frame["outcome_id"],
            reads,
            frame["type_raw"],
            strict=True,
        )
    ):
        # One pass over rows of the long tab to name each bad cell; the hot path is classify.
        problem = None
        if sid not in student_ids:
            problem = (
                col["Student ID"],
                Reason.UNKNOWN_STUDENT,
                f'Student ID "{sid}" is not on the Roster; this evidence was skipped',
            )
        elif oid not in outcome_policies:
            problem = (
                col["Outcome ID"],
                Reason.UNKNOWN_OUTCOME,
                f'outcome "{oid}" is not on the Outcomes tab; this evidence was skipped',
            )
        elif read.day is None:
            problem = (col["Date"], Reason.BAD_DATE, f"{read.message}; this evidence was skipped")
        elif parse_type(kind)[0] is None:
            problem = (
                col.get("Type", 0),
                Reason.BAD_TYPE,
                f'"{kind}" is not a type (summative, formative, update, or "update: " and the '
                "assessment it retakes); skipped",
            )
        if problem:
            keep[i] = False
            problems.append(Problem(cell_ref(tab.title, row + 1, problem[0] + 1), *problem[1:]))
        elif read.reason is not None:
            problems.append(Problem(cell_ref(tab.title, row + 1, col["Date"] + 1), read.reason,
                                    read.message))
    frame = frame[keep].copy()
    parsed = frame["type_raw"].map(parse_type)
    frame["type"] = parsed.str[0]
    frame["retakes"] = parsed.str[1]
    frame["order"] = (1_000_000 + frame["row"]).astype("int64")
    return classify(frame.drop(columns="type_raw"), tab.title, outcome_policies, problems)
