"""Evidence + policies -> an `Evaluation`: every student x outcome status, with its explanation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from policy_engine import keys, rules, words
from policy_engine.methods import method_for, validate
from policy_engine.model import (
    NOTED_EFFECTS,
    STATUS_WORDS,
    MarkEffect,
    MissingWork,
    Policy,
    PolicyError,
    Status,
)
from policy_engine.pieces import Rows, Text, assessment_names, listed, mark_labels, pieces
from policy_engine.report_card import report_grades
from policy_engine.retakes import number_attempts
from policy_engine.rules import NOT_ASSESSED, ON_TRACK, STATUSES, Bools
from policy_engine.vectorised import Floats, Groups, Ints, half_up_array
from policy_engine.words import day_words as day_words
from policy_engine.words import number_words

EVIDENCE_COLUMNS = (
    "student_id",
    "outcome_id",
    "date",
    "score",
    "mark",
    "assessment",
    "type",
    "order",
    "cell",
)
OUTCOME_COLUMNS = (
    "student_id",
    "outcome_id",
    "policy",
    "level",
    "status",
    "label",
    "band",
    "colour",
    "evidence_count",
    "demonstrations",
    "needed",
    "last_date",
    "trend",
    "explanation",
    "next_step",
    "missing_count",
    "counted",
    "level_label",
)
STUDENT_COLUMNS = (
    "student_id",
    "met",
    "assessed",
    "percent_met",
    "on_track",
    "missing_count",
    "report_card",
)


@dataclass(frozen=True)
class Evaluation:
    """The result: one row per student x outcome (`outcomes`) and one per student (`students`)."""

    outcomes: pd.DataFrame
    students: pd.DataFrame


def evaluate(
    evidence: pd.DataFrame,
    policies: Mapping[str, Policy],
    *,
    students: Sequence[str],
    outcomes: Sequence[str],
    outcome_policy: Mapping[str, str] | None = None,
    as_of: dt.date | dt.datetime | pd.Timestamp | None = None,
) -> Evaluation:
    """Judge every student on every outcome under the outcome's policy (missing -> "Default").

    `evidence` has the columns of docs/architecture.md; evidence dated after `as_of` is ignored.
    Nothing here ranks students.

    >>> import pandas as pd
    >>> ev = pd.DataFrame({"student_id": ["s1"] * 2, "outcome_id": ["o1"] * 2,
    ...     "date": pd.to_datetime(["2024-10-03", "2024-11-01"]), "score": [3.0, 4.0],
    ...     "mark": ["", ""], "assessment": ["Quiz 2", "Project"], "type": ["summative"] * 2,
    ...     "order": [1, 2], "cell": ["Scores!D2", "Scores!E2"]})
    >>> row = evaluate(ev, {"Default": Policy()}, students=["s1"], outcomes=["o1"]).outcomes.iloc[0]
    >>> row.label
    'On track (2 of 3)'
    >>> row.explanation
    'On track: 2 of 3 demonstrations at Meeting or above (Quiz 2, Oct 3: 3; Project, Nov 1: 4).'
    """
    named = _policy_names(policies, outcomes, outcome_policy or {})
    student_index = pd.Index(list(students), dtype=object)
    outcome_index = pd.Index(list(outcomes), dtype=object)
    n_students, n_outcomes = len(student_index), len(outcome_index)
    ev = evidence
    dates = keys.nanoseconds(ev["date"])
    undated = dates == keys.NAT
    if undated.any():
        first = int(np.flatnonzero(undated)[0])
        where = f" (first: {ev['cell'].iloc[first]})" if "cell" in ev else ""
        raise ValueError(f"evidence column 'date': {int(undated.sum())} rows have no date{where}; "
                         "every piece of evidence needs the date of its assessment")
    if as_of is not None:
        ev = ev[ev["date"] <= pd.Timestamp(as_of)]
        dates = keys.nanoseconds(ev["date"])
    cell = keys.cells(student_index, outcome_index, ev)
    # Evidence of unknown students or outcomes is left out; usually there is none to leave.
    known: slice | Ints = slice(None) if int(cell.min(initial=0)) >= 0 else np.flatnonzero(cell >= 0)
    marks = ev["mark"].to_numpy(object)
    marked = np.flatnonzero(marks != "")
    is_marked = np.zeros(len(marks), dtype=bool)
    is_marked[marked[~pd.isna(marks[marked])]] = True
    text = Text(
        mark=marks,
        assessment=ev["assessment"].to_numpy(object),
        retakes=ev["retakes"].to_numpy(object) if "retakes" in ev else np.zeros(0, dtype=object),
        is_marked=is_marked,
    )
    rows = Rows(
        cell=cell[known],
        date=dates[known],
        order=ev["order"].to_numpy(np.int64)[known],
        score=ev["score"].to_numpy(np.float64)[known],
        kind=ev["type"].to_numpy(object)[known],
        attempt=number_attempts(ev)[known],
        source=np.arange(len(ev), dtype=np.int64)[known],
        text=text,
    )
    size = n_students * n_outcomes
    columns: dict[str, npt.NDArray[Any]] = {}
    for name in dict.fromkeys(named):
        in_policy = np.array([n == name for n in named])
        cells = (np.arange(n_students)[:, None] * n_outcomes + np.flatnonzero(in_policy)).ravel()
        # One policy takes every row as it is; several take their own rows, never all of them.
        subset = rows if in_policy.all() else rows.take(
            np.flatnonzero(in_policy[rows.cell % n_outcomes]))
        part = _judge(policies[name], name, subset, cells)
        if len(cells) == size:
            columns = part
            break
        for column, values in part.items():
            if column not in columns:
                columns[column] = np.empty(size, dtype=values.dtype)
            columns[column][cells] = values
    needed = columns.pop("needed")
    table = pd.DataFrame(
        {
            "student_id": np.repeat(student_index.to_numpy(object), n_outcomes),
            "outcome_id": np.tile(outcome_index.to_numpy(object), n_students),
            "needed": pd.arrays.IntegerArray(np.nan_to_num(needed).astype(np.int64), np.isnan(needed)),
            **_as_text(columns),
        },
        columns=list(OUTCOME_COLUMNS),
        copy=False,  # every column is made here, for this table alone
    )
    return Evaluation(table, students_table(table, student_index, policies["Default"]))


def _as_text(columns: dict[str, npt.NDArray[Any]]) -> dict[str, Any]:
    """The engine's text columns as the string arrays pandas would infer from them, made
    directly: pandas infers a column's type by reading every cell first."""
    inferred = pd.Series(words.table(["text"])).dtype
    if not isinstance(inferred, pd.StringDtype) or inferred.storage != "python":
        return dict(columns)
    return {name: pd.arrays.StringArray(values, dtype=inferred) if values.dtype == object else values
            for name, values in columns.items()}


def _policy_names(
    policies: Mapping[str, Policy], outcomes: Sequence[str], outcome_policy: Mapping[str, str]
) -> list[str]:
    """Each outcome's policy name, after checking every policy used, all problems at once."""
    if "Default" not in policies:
        raise PolicyError("policy", "a policy named Default", sorted(policies))
    names = [outcome_policy.get(o, "Default") for o in outcomes]
    unknown = sorted(set(names) - set(policies))
    if unknown:
        raise PolicyError("policy", "one of " + ", ".join(sorted(policies)), unknown[0])
    errors = [e for name in dict.fromkeys(names) for e in validate(policies[name])]
    if errors:
        raise PolicyError(
            errors[0].setting, errors[0].allowed, errors[0].value, "; ".join(str(e) for e in errors)
        )
    return names


def _judge(policy: Policy, name: str, rows: Rows, cells: Ints) -> dict[str, npt.NDArray[Any]]:
    """One policy's cells: classify marks and types, run the method, explain the result."""
    value = rows.score.copy()
    n_rows = len(value)
    missing = np.zeros(n_rows, dtype=bool)
    noted = np.zeros(n_rows, dtype=bool)
    excluded = np.zeros(n_rows, dtype=bool)
    # Marks are few: classify only the marked rows, once per mark of the policy.
    marked = rows.marked()
    codes = rows.mark(marked)
    ignored = np.isnan(value[marked])  # unknown marks are ignored, like EX
    for mark in policy.marks:
        hit = codes == mark.code.upper()
        at = marked[hit]
        ignored &= ~hit
        if mark.effect is MarkEffect.LEVEL and mark.value is not None:
            value[at] = mark.value
        elif mark.effect is MarkEffect.MISSING:
            missing[at] = True
        elif mark.effect in NOTED_EFFECTS:
            noted[at] = True  # a lone flag has no value; beside a score the score counts
        else:
            excluded[at] = True
    excluded[marked[ignored]] = True
    has_value = ~np.isnan(value) & ~missing & ~excluded
    wanted = [t.value for t in policy.counted_types]
    counted_type = pd.Series(rows.kind, dtype=object, copy=False).isin(wanted).to_numpy(bool)
    # Retakes beyond the policy's cap are tracked (in the note) but never counted.
    cap = policy.retakes_allowed
    beyond = rows.attempt > cap if cap is not None else None
    countable = counted_type if beyond is None else counted_type & ~beyond
    counted = has_value & countable
    if policy.missing_work is MissingWork.NOT_YET:
        value[missing] = policy.scale.minimum
        counted |= missing & countable
    contiguous = len(cells) > 0 and int(cells[-1]) - int(cells[0]) == len(cells) - 1
    local = np.searchsorted(cells, rows.cell) if not contiguous else (
        rows.cell - cells[0] if cells[0] else rows.cell)
    size = len(cells)
    idx = np.flatnonzero(counted)
    idx = idx[keys.cell_date_order(local, rows.date, rows.order, idx)]
    g = Groups(value[idx], local[idx], size, rows.date[idx])
    method = method_for(policy.method)
    judgement = method.compute(method, g, policy)
    status = judgement.status
    level = np.where(status != NOT_ASSESSED, judgement.level, np.nan)
    level_label = _level_labels(judgement.level, policy)
    facts = rules.Facts(
        status=status,
        demonstrations=judgement.demonstrations,
        counted=g.counts,
        used=g.recent(method.recent(policy)).counts,
        evidence_count=keys.tally(local, has_value, size),
        missing_count=keys.tally(local, missing, size),
        level=judgement.level,
        level_words=number_words(judgement.level),
        level_label=level_label,
        trail=pieces(g, judgement.named, rows, idx, policy),
    )
    explanation, next_step = method.explain(method, facts, policy)
    at = np.flatnonzero(noted)
    if len(at):
        code, names = rows.assessment(at)
        label = mark_labels(rows.mark(at), policy) + " (" + names[code] + ", "
        _append(explanation, listed(" Noted: ", at, label, ")", rows, local))
    late = np.zeros(0, dtype=np.int64) if beyond is None else np.flatnonzero(beyond & (has_value | missing))
    if len(late):
        uncounted = f" Not counted ({cap} {'retake' if cap == 1 else 'retakes'} allowed): "
        code, names = assessment_names(rows, late)
        _append(explanation, listed(uncounted, late, names[code] + ", ", "", rows, local))
    bands = [policy.band(s) for s in STATUSES]
    label = words.table([STATUS_WORDS[s] and b.label for s, b in zip(STATUSES, bands, strict=True)])[status]
    if judgement.needed is not None and len(judgement.demonstrations):
        on = np.flatnonzero(status == ON_TRACK)
        tallied = [f"{bands[ON_TRACK].label} ({k} of {policy.n})"
                   for k in range(int(judgement.demonstrations.max()) + 1)]
        label[on] = words.table(tallied)[judgement.demonstrations[on]]
    last = np.full(size, np.datetime64("NaT"), dtype="datetime64[ns]")
    if g.dates is not None:
        last[g.scored] = g.dates[g.newest].view("datetime64[ns]")
    return {
        "policy": words.filled(size, name),
        "level": level,
        "status": words.table([s.value for s in STATUSES])[status],
        "label": label,
        "band": words.table([s.value for s in STATUSES[:-1]] + [""])[status],
        "colour": words.table([b.colour for b in bands])[status],
        "evidence_count": facts.evidence_count,
        "demonstrations": judgement.demonstrations,
        "needed": np.full(size, np.nan if judgement.needed is None else judgement.needed,
                          dtype=np.float64),
        "last_date": last,
        "trend": _trend(g),
        "explanation": explanation,
        "next_step": next_step,
        "missing_count": facts.missing_count,
        "counted": g.counts,
        "level_label": level_label,
    }


def _append(text: rules.Objects, extra: tuple[Ints, rules.Objects]) -> None:
    at, words_ = extra
    text[at] = text[at] + words_


def _level_labels(level: Floats, policy: Policy) -> rules.Objects:
    values = np.array([lv.value for lv in policy.scale.levels])
    labels = np.array([lv.label for lv in policy.scale.levels] + [""], dtype=object)
    step = np.searchsorted(values, np.nan_to_num(level, nan=-np.inf), side="right") - 1
    return labels[np.where(np.isnan(level), -1, step)]


def _trend(g: Groups) -> rules.Objects:
    """`up`, `down` or `steady`: the latest counted score against the one before it."""
    newest = g.last()
    before = np.full(g.size, np.nan)
    two = g.counts[g.scored] > 1
    before[g.scored[two]] = g.values[g.newest[two] - 1]
    change = np.sign(newest - before)  # NaN where a cell has fewer than two scores
    code = np.where(np.isnan(change), 3, change + 1).astype(np.int64)
    return np.asarray(words.table(["down", "steady", "up", ""])[code], dtype=object)


def students_table(table: pd.DataFrame, student_index: pd.Index, default: Policy) -> pd.DataFrame:
    """Per student: outcomes met, assessed, percent met, on track, missing. Never a rank."""
    code = np.repeat(np.arange(len(student_index)), len(table) // max(len(student_index), 1))
    status = table["status"].to_numpy(object)
    n = len(student_index)

    def count(mask: Bools) -> Ints:
        return keys.tally(code, mask, n)

    met = count(status == Status.MASTERED.value)
    assessed = count(status != Status.NOT_ASSESSED.value)
    percent = half_up_array(np.divide(met * 100.0, assessed, out=np.full(n, np.nan), where=assessed > 0))
    levels = table["level"].to_numpy(np.float64)
    has_level = ~np.isnan(levels)
    mean_level = np.divide(
        np.bincount(code[has_level], weights=levels[has_level], minlength=n),
        count(has_level),
        out=np.full(n, np.nan),
        where=count(has_level) > 0,
    )
    card = default.report_card
    report = (
        words.filled(n, "")
        if card is None
        else report_grades(card, percent, mean_level, code, levels,
                           status != Status.NOT_ASSESSED.value, n)
    )
    return pd.DataFrame(
        {
            "student_id": student_index.to_numpy(object),
            "met": met,
            "assessed": assessed,
            "percent_met": percent,
            "on_track": count(status == Status.ON_TRACK.value),
            "missing_count": np.bincount(
                code, weights=table["missing_count"].to_numpy(np.float64), minlength=n
            ).astype(np.int64),
            "report_card": report,
        }
    )
