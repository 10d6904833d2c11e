"""Evidence from the wide `Scores` tab and the long `Evidence` tab, one row per scored cell.

Cells are classified in bulk with pandas (a 540k-cell gradebook has no per-cell Python work beyond
building the frame); each bad cell becomes a problem naming it, and is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from policy_engine import EVIDENCE_COLUMNS as ENGINE_EVIDENCE_COLUMNS
from policy_engine import EvidenceType, MarkEffect, Policy
from policy_engine.retakes import number_attempts
from sheets_backend.gradebook.cells import find_headers, is_blank, text
from sheets_backend.gradebook.dates import DateReader
from sheets_backend.gradebook.translations import is_name_row
from sheets_backend.problems import Problem, Reason, cell_ref
from sheets_backend.sheets.snapshot import Tab, normalise_name

# The engine's evidence contract, plus the optional column naming the assessment a retake retakes.
EVIDENCE_COLUMNS = (*ENGINE_EVIDENCE_COLUMNS, "retakes")
TYPES = {t.value: t.value for t in EvidenceType} | {
    "": EvidenceType.SUMMATIVE.value,
    "reassessment": "update",
    "retake": "update",
}
LABEL_ROWS = ("outcome", "date", "type")
MAX_PROBLEMS_PER_KIND = 200  # a sheet with 10,000 bad cells needs the first ones, not all of them


def empty_evidence() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "student_id": pd.Series([], dtype=str),
            "outcome_id": pd.Series([], dtype=str),
            "date": pd.Series([], dtype="datetime64[ns]"),
            "score": pd.Series([], dtype=float),
            "mark": pd.Series([], dtype=str),
            "assessment": pd.Series([], dtype=str),
            "type": pd.Series([], dtype=str),
            "order": pd.Series([], dtype="int64"),
            "cell": pd.Series([], dtype=str),
            "retakes": pd.Series([], dtype=str),
        }
    )


def read_scores_tab(
    tab: Tab | None,
    student_ids: set[str],
    outcome_policies: Mapping[str, Policy],
    problems: list[Problem],
    *,
    dates: DateReader | None = None,
) -> pd.DataFrame:
    """The gradebook: row 1 names assessments, rows labelled Outcome/Date/Type describe them,
    students follow. Columns may sit anywhere; they are found by their headers."""
    if tab is None:
        return empty_evidence()
    headers, header_problems = find_headers(tab, ("Student ID",), ("Student Name",))
    if header_problems:
        problems.extend(header_problems)
        return empty_evidence()
    id_col = headers.column("Student ID")
    label_rows = _label_rows(tab, id_col)
    for label in LABEL_ROWS[:2]:
        if label not in label_rows:
            problems.append(
                Problem(
                    cell_ref(tab.title, 2, id_col + 1),
                    Reason.MISSING_HEADER,
                    f'no row labelled "{label.title()}" under the header row; '
                    "the Scores tab was skipped",
                    fatal=False,
                )
            )
    if not all(label in label_rows for label in LABEL_ROWS[:2]):
        return empty_evidence()
    first_student_row = max(label_rows.values()) + 1
    skip_cols = set(headers.columns.values())
    columns = _assessment_columns(tab, skip_cols, label_rows, outcome_policies, problems,
                                  dates or DateReader.for_dates(()))
    rows = _student_rows(tab, id_col, first_student_row, student_ids, problems)
    if not columns or not rows:
        return empty_evidence()
    row_index = np.array([r for r, _ in rows])
    col_index = np.array([c["col"] for c in columns])
    width = int(col_index.max()) + 1
    grid = np.full((len(rows), width), "", dtype=object)
    for i, (r, _) in enumerate(rows):
        cells = tab.rows[r]
        n = min(len(cells), width)
        grid[i, :n] = cells[:n]
    block = grid[:, col_index]
    filled = np.nonzero(block != "")
    frame = pd.DataFrame(
        {
            "raw": block[filled],
            "row": row_index[filled[0]],
            "col": col_index[filled[1]],
            "student_id": np.array([sid for _, sid in rows], dtype=object)[filled[0]],
        }
    )
    meta = pd.DataFrame(columns).set_index("col")
    frame = frame.join(meta, on="col")
    frame["order"] = frame["col"].astype("int64")
    return classify(frame, tab.title, outcome_policies, problems)


def scores_date_cells(tab: Tab) -> list[Any]:
    """The values of the Date row of a Scores-layout tab (none when it has no such row)."""
    headers, header_problems = find_headers(tab, ("Student ID",))
    if header_problems:
        return []
    label_rows = _label_rows(tab, headers.column("Student ID"))
    if "date" not in label_rows:
        return []
    return list(tab.rows[label_rows["date"]])


def _label_rows(tab: Tab, id_col: int) -> dict[str, int]:
    """Rows 2-4 (or nearby) labelled Outcome, Date, Type in the Student ID column."""
    found: dict[str, int] = {}
    for r in range(1, min(len(tab.rows), 8)):
        label = normalise_name(tab.value(r, id_col))
        if label in LABEL_ROWS and label not in found:
            found[label] = r
    return found


def _assessment_columns(
    tab: Tab,
    skip_cols: set[int],
    label_rows: dict[str, int],
    outcome_policies: Mapping[str, Policy],
    problems: list[Problem],
    dates: DateReader,
) -> list[dict[str, Any]]:
    """Describe each assessment column; a column with a bad outcome, date or type is skipped."""
    header = tab.rows[0] if tab.rows else []
    width = max((len(r) for r in tab.rows), default=0)
    by_upper = {oid.upper(): oid for oid in outcome_policies}
    names = {normalise_name(text(v)): text(v) for c, v in enumerate(header) if c not in skip_cols}
    merged_from: tuple[str, Any, str] | None = None
    first_student = max(label_rows.values()) + 1
    columns = []
    for col in range(width):
        if col in skip_cols:
            continue
        name = text(tab.value(0, col)) if col < len(header) else ""
        raw_outcome = text(tab.value(label_rows["outcome"], col))
        raw_date = tab.value(label_rows["date"], col)
        raw_type = text(tab.value(label_rows["type"], col)) if "type" in label_rows else ""
        if not name and not raw_outcome:
            continue  # an empty spacer column
        if not name and merged_from is not None:
            # The Sheets API returns a merged range's value only in its top-left cell: a column
            # with an outcome but no name continues the assessment to its left ("Unit 1 Test"
            # over C1:E1, one outcome per column), and so do its blank date and type.
            name = merged_from[0]
            if is_blank(raw_date) and not raw_type:
                raw_date, raw_type = merged_from[1], merged_from[2]
        elif name:
            merged_from = (name, raw_date, raw_type)
        where = {k: cell_ref(tab.title, r + 1, col + 1) for k, r in label_rows.items()}
        label = name or f"column {cell_ref(tab.title, 1, col + 1).split('!')[1][:-1]}"
        outcome = by_upper.get(raw_outcome.upper())
        read = dates.read(raw_date)
        date = read.day
        kind, retakes = parse_type(raw_type)
        if not raw_outcome:
            problems.append(
                Problem(
                    where["outcome"],
                    Reason.MISSING_OUTCOME,
                    f'"{label}" has no outcome; its scores were skipped',
                )
            )
        elif outcome is None:
            scored = sum(not is_blank(tab.value(r, col)) for r in range(first_student, len(tab.rows)))
            problems.append(
                Problem(
                    where["outcome"],
                    Reason.ORPHANED_EVIDENCE if scored else Reason.UNKNOWN_OUTCOME,
                    f'outcome "{raw_outcome}" of "{label}" is not on the Outcomes tab; '
                    + (f"its {scored} {'score is' if scored == 1 else 'scores are'} orphaned: "
                       "skipped, never re-tagged to another outcome" if scored else
                       "its scores will be skipped (never re-tagged)"),
                )
            )
        elif date is None:
            shown = read.message if not is_blank(raw_date) else "no date"
            problems.append(
                Problem(
                    where["date"],
                    Reason.BAD_DATE,
                    f'"{label}" has {shown}; its scores were skipped'
                    if shown == "no date"
                    else f'{shown}; the scores of "{label}" were skipped',
                )
            )
        elif kind is None:
            problems.append(
                Problem(
                    where["type"],
                    Reason.BAD_TYPE,
                    f'"{raw_type}" is not a type (summative, formative or '
                    f'update); the scores of "{label}" were skipped',
                )
            )
        elif retakes and normalise_name(retakes) not in names:
            problems.append(
                Problem(
                    where["type"],
                    Reason.BAD_TYPE,
                    f'"{retakes}" is not an assessment on this tab (write "update: " and the '
                    f'name in row 1 of the assessment it retakes); the scores of "{label}" '
                    "were skipped",
                )
            )
        else:
            if read.reason is not None and not is_blank(tab.value(label_rows["date"], col)):
                # Said once, at the cell typed (not again under each merged continuation).
                problems.append(Problem(where["date"], read.reason, read.message))
            columns.append(
                {"col": col, "outcome_id": outcome, "date": date, "assessment": label,
                 "type": kind, "retakes": names.get(normalise_name(retakes), "") if retakes else ""}
            )
    return columns


def parse_type(raw: str) -> tuple[str | None, str]:
    """`summative` -> ("summative", ""); `update: Quiz 3` -> ("update", "Quiz 3"): a retake.

    Only an update can name the assessment it retakes; anything else is not a type (None).
    """
    word, colon, target = str(raw).partition(":")
    kind = TYPES.get(normalise_name(word))
    if colon and (kind != EvidenceType.UPDATE.value or not target.strip()):
        return None, ""
    return kind, target.strip()


def _student_rows(
    tab: Tab, id_col: int, first_row: int, student_ids: set[str], problems: list[Problem]
) -> list[tuple[int, str]]:
    rows: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for r in range(first_row, len(tab.rows)):
        cells = tab.rows[r]
        sid = text(cells[id_col]) if id_col < len(cells) else ""
        if is_name_row(sid):
            continue  # translated assessment names (docs/template.md), read by template.py
        has_scores = any(not is_blank(v) for i, v in enumerate(cells) if i != id_col)
        where = cell_ref(tab.title, r + 1, id_col + 1)
        if not sid:
            if has_scores and any(not is_blank(v) for v in cells[id_col + 2 :]):
                problems.append(
                    Problem(
                        where,
                        Reason.MISSING_STUDENT_ID,
                        "this row has scores but no Student ID; it was skipped",
                    )
                )
            continue
        if sid not in student_ids:
            problems.append(
                Problem(
                    where,
                    Reason.UNKNOWN_STUDENT,
                    f'Student ID "{sid}" is not on the Roster; its scores were skipped',
                )
            )
            continue
        if sid in seen:
            problems.append(
                Problem(
                    where,
                    Reason.DUPLICATE_STUDENT,
                    f'Student ID "{sid}" already has a row ({seen[sid] + 1}); this row was skipped',
                )
            )
            continue
        seen[sid] = r
        rows.append((r, sid))
    return rows


def classify(
    frame: pd.DataFrame, tab: str, outcome_policies: Mapping[str, Policy], problems: list[Problem]
) -> pd.DataFrame:
    """Split raw cells into scores and marks, by each outcome's policy; name every cell that is
    neither. Vectorised per policy (a school has a handful), never per cell."""
    if frame.empty:
        return empty_evidence()
    raw = frame["raw"]
    kinds = raw.map(type)
    typed = kinds.eq(str)  # most cells are numbers already; only typed text needs string work
    numbers = pd.to_numeric(raw.where(kinds.isin([int, float]), np.nan), errors="coerce")
    stripped = raw[typed].str.strip()
    numbers[typed] = pd.to_numeric(stripped, errors="coerce")
    upper = pd.Series("", index=frame.index, dtype=object)
    upper[typed] = stripped.str.upper()
    score = pd.Series(np.nan, index=frame.index)
    mark = pd.Series("", index=frame.index, dtype=object)
    valid = pd.Series(False, index=frame.index)
    names = {oid: policy.name for oid, policy in outcome_policies.items()}
    policy_names = frame["outcome_id"].map(names)
    allowed_words: dict[str, str] = {}
    by_name: dict[str, Policy] = {}
    for name in policy_names.unique():
        policy = next(p for p in outcome_policies.values() if p.name == name)
        rows = policy_names.eq(name)
        scale = policy.scale
        in_range = numbers.between(scale.minimum, scale.maximum) & rows
        score[in_range] = numbers[in_range]
        labels = {lv.label.upper(): lv.value for lv in scale.levels if not _is_number(lv.label)}
        words = rows & typed & numbers.isna()
        by_label = words & upper.isin(list(labels))
        score[by_label] = upper[by_label].map(labels)
        codes = {m.code.upper() for m in policy.marks}
        by_mark = words & ~by_label & upper.isin(list(codes))
        mark[by_mark] = upper[by_mark]
        valid |= in_range | by_label | by_mark
        _read_flagged_scores(words & ~by_label & ~by_mark, upper, policy, score, mark, valid)
        allowed_words[name] = _allowed(policy)
        by_name[name] = policy
    bad = frame.index[~valid]
    for i in bad[:MAX_PROBLEMS_PER_KIND]:
        problems.append(
            Problem(
                cell_ref(tab, int(frame.at[i, "row"]) + 1, int(frame.at[i, "col"]) + 1),
                Reason.SCORE_NOT_ON_SCALE,
                f'"{text(raw[i])}" is not a score on this scale '
                f"({allowed_words[policy_names[i]]}); "
                + _beside_a_score(str(upper[i]), by_name[policy_names[i]])
                + "the cell was skipped",
            )
        )
    if len(bad) > MAX_PROBLEMS_PER_KIND:
        problems.append(
            Problem(
                f"{tab}!A1",
                Reason.SCORE_NOT_ON_SCALE,
                f"{len(bad) - MAX_PROBLEMS_PER_KIND} more cells are not scores on "
                "the scale; fix the ones above first",
            )
        )
    keep = frame[valid]
    letters = {c: cell_ref(tab, 1, c + 1)[:-1] for c in keep["col"].unique()}
    cells = keep["col"].map(letters) + (keep["row"] + 1).astype(str)
    return pd.DataFrame(
        {
            "student_id": keep["student_id"].astype(str).to_numpy(),
            "outcome_id": keep["outcome_id"].astype(str).to_numpy(),
            "date": pd.to_datetime(keep["date"]).astype("datetime64[ns]").to_numpy(),
            "score": score[valid].astype(float).to_numpy(),
            "mark": mark[valid].astype(str).to_numpy(),
            "assessment": keep["assessment"].astype(str).to_numpy(),
            "type": keep["type"].astype(str).to_numpy(),
            "order": keep["order"].astype("int64").to_numpy(),
            "cell": cells.astype(str).to_numpy(),
            "retakes": (
                keep["retakes"].fillna("").astype(str).to_numpy() if "retakes" in keep else ""
            ),
        },
        columns=list(EVIDENCE_COLUMNS),
    )


_FLAGGED = r"^(-?\d+(?:\.\d+)?)\s*([A-Z]+)$"


def _read_flagged_scores(
    candidates: pd.Series,
    upper: pd.Series,
    policy: Policy,
    score: pd.Series,
    mark: pd.Series,
    valid: pd.Series,
) -> None:
    """A score with a flag beside it ("3 L", "3L"): the score counts, the flag goes in the note.

    Only the few typed cells that are neither a score nor a mark get here, so this costs nothing
    on a gradebook of plain numbers.
    """
    flags = [m.code.upper() for m in policy.marks if m.effect is MarkEffect.FLAG]
    if not flags or not candidates.any():
        return
    parts = upper[candidates].str.extract(_FLAGGED)
    number = pd.to_numeric(parts[0], errors="coerce")
    ok = parts[1].isin(flags) & number.between(policy.scale.minimum, policy.scale.maximum)
    hit = ok[ok].index
    score[hit] = number[hit]
    mark[hit] = parts[1][hit]
    valid[hit] = True


def _beside_a_score(typed: str, policy: Policy) -> str:
    """Why "4 AB" is refused although 4 and AB are both allowed: only a flag stands by a score."""
    parts = re.match(_FLAGGED, typed)
    codes = {m.code.upper(): m for m in policy.marks}
    if parts is None or parts[2] not in codes or codes[parts[2]].effect is MarkEffect.FLAG:
        return ""
    flags = [m.code for m in policy.marks if m.effect is MarkEffect.FLAG]
    allowed = (
        f"only a flag mark ({', '.join(flags)}) may stand beside a score, as in "
        f'"{parts[1]} {flags[0]}"' if flags else "no mark may stand beside a score"
    )
    return f"{allowed}, so type {parts[1]} or {parts[2]} alone; "


def _is_number(label: str) -> bool:
    try:
        float(label)
    except ValueError:
        return False
    return True


def _allowed(policy: Policy) -> str:
    scale = policy.scale
    span = f"{scale.minimum:g} to {scale.maximum:g}"
    marks = ", ".join(m.code for m in policy.marks)
    return f"{span}, or a mark: {marks}" if marks else span


def retake_problems(
    evidence: pd.DataFrame, outcome_policies: Mapping[str, Policy]
) -> list[Problem]:
    """A warning at each retake beyond its policy's `Retakes allowed`: tracked, not counted."""
    caps = {o: p.retakes_allowed for o, p in outcome_policies.items() if p.retakes_allowed is not None}
    if not caps or evidence.empty:
        return []
    attempt = number_attempts(evidence)
    cap = evidence["outcome_id"].map(caps).to_numpy(np.float64)
    beyond = np.flatnonzero(attempt > np.nan_to_num(cap, nan=np.inf))
    return [
        Problem(
            str(evidence["cell"].iat[i]),
            Reason.RETAKE_LIMIT,
            f'retake {attempt[i]} of "{evidence["retakes"].iat[i]}": the policy allows '
            f"{int(cap[i])}, so this one is tracked but not counted",
        )
        for i in beyond[:MAX_PROBLEMS_PER_KIND]
    ]


def assessment_names(frame: pd.DataFrame) -> Sequence[str]:
    return list(dict.fromkeys(frame["assessment"]))
