"""Evidence + policies -> an `Evaluation`: every student x outcome status, with its explanation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from policy_engine import rules
from policy_engine.methods import method_for, validate
from policy_engine.model import (
    STATUS_WORDS,
    MarkEffect,
    MissingWork,
    Policy,
    PolicyError,
    ReportBasis,
    Status,
)
from policy_engine.rules import NOT_ASSESSED, ON_TRACK, STATUSES, Bools
from policy_engine.vectorised import Floats, Groups, Ints, half_up_array

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
_MONTHS = np.array("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), dtype=object)
_NAMED_LIMIT = 5  # an explanation names at most this many pieces of evidence


@dataclass(frozen=True)
class Evaluation:
    """The result: one row per student x outcome (`outcomes`) and one per student (`students`)."""

    outcomes: pd.DataFrame
    students: pd.DataFrame


@dataclass(frozen=True)
class _Rows:
    """The evidence of one policy's outcomes, as plain arrays, before any sorting."""

    cell: Ints
    date: Ints
    order: Ints
    score: Floats
    mark: rules.Objects
    kind: rules.Objects
    assessment: rules.Objects


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
    if as_of is not None:
        ev = ev[ev["date"] <= pd.Timestamp(as_of)]
    s_code = student_index.get_indexer(ev["student_id"].to_numpy(object))
    o_code = outcome_index.get_indexer(ev["outcome_id"].to_numpy(object))
    known = (s_code >= 0) & (o_code >= 0)
    cell = (s_code * n_outcomes + o_code)[known]
    rows = _Rows(
        cell=cell.astype(np.int64),
        date=ev["date"].to_numpy("datetime64[ns]").view(np.int64)[known],
        order=ev["order"].to_numpy(np.int64)[known],
        score=ev["score"].to_numpy(np.float64)[known],
        mark=ev["mark"].fillna("").to_numpy(object)[known],
        kind=ev["type"].fillna("").to_numpy(object)[known],
        assessment=ev["assessment"].fillna("").to_numpy(object)[known],
    )
    o_of_row = o_code[known]
    parts = []
    for name in dict.fromkeys(named):
        in_policy = np.array([n == name for n in named])
        cells = (np.arange(n_students)[:, None] * n_outcomes + np.flatnonzero(in_policy)).ravel()
        mask = in_policy[o_of_row]
        subset = _Rows(*(getattr(rows, f)[mask] for f in _Rows.__dataclass_fields__))
        parts.append(_judge(policies[name], name, subset, cells))
    table = pd.concat(parts) if parts else pd.DataFrame(columns=list(OUTCOME_COLUMNS))
    table = table.set_index("cell_code").reindex(np.arange(n_students * n_outcomes))
    table.insert(0, "student_id", np.repeat(student_index.to_numpy(object), n_outcomes))
    table.insert(1, "outcome_id", np.tile(outcome_index.to_numpy(object), n_students))
    table = table.reset_index(drop=True)[list(OUTCOME_COLUMNS)]
    return Evaluation(table, _students(table, student_index, policies["Default"]))


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


def _judge(policy: Policy, name: str, rows: _Rows, cells: Ints) -> pd.DataFrame:
    """One policy's cells: classify marks and types, run the method, explain the result."""
    value = rows.score.copy()
    missing = np.zeros(len(value), dtype=bool)
    excluded = (rows.mark != "") & np.isnan(value)  # unknown marks are ignored, like EX
    for mark in policy.marks:
        hit = rows.mark == mark.code.upper()
        excluded &= ~hit
        if mark.effect is MarkEffect.LEVEL and mark.value is not None:
            value[hit] = mark.value
        elif mark.effect is MarkEffect.MISSING:
            missing |= hit
        else:
            excluded |= hit
    has_value = ~np.isnan(value) & ~missing & ~excluded
    counted_type = pd.Series(rows.kind).isin([t.value for t in policy.counted_types]).to_numpy()
    counted = has_value & counted_type
    if policy.missing_work is MissingWork.NOT_YET:
        value[missing] = policy.scale.minimum
        counted |= missing & counted_type
    local = np.searchsorted(cells, rows.cell)
    size = len(cells)
    idx = np.flatnonzero(counted)
    idx = idx[np.lexsort((rows.order[idx], rows.date[idx], local[idx]))]
    g = Groups(value[idx], local[idx], size, rows.date[idx])
    method = method_for(policy.method)
    judgement = method.compute(method, g, policy)
    status = judgement.status
    out = pd.DataFrame(
        {
            "cell_code": cells,
            "policy": name,
            "level": judgement.level,
            "status_code": status,
            "demonstrations": judgement.demonstrations,
            "needed": pd.array([judgement.needed] * size, dtype="Int64"),
            "evidence_count": np.bincount(local[has_value], minlength=size),
            "missing_count": np.bincount(local[missing], minlength=size),
            "counted": g.counts,
            "used": g.recent(method.recent(policy)).counts,
            "pieces": _pieces(g, judgement.named, rows, idx),
            "level_label": _level_labels(judgement.level, policy),
            "level_words": number_words(judgement.level),
        }
    )
    out["level"] = out["level"].where(status != NOT_ASSESSED)
    out["explanation"], out["next_step"] = method.explain(method, out, policy)
    bands = [policy.band(s) for s in STATUSES]
    out["status"] = np.array([s.value for s in STATUSES], dtype=object)[status]
    label = np.array(
        [STATUS_WORDS[s] and b.label for s, b in zip(STATUSES, bands, strict=True)], dtype=object
    )[status]
    if judgement.needed is not None:
        tally = " (" + judgement.demonstrations.astype(str).astype(object) + f" of {policy.n})"
        label = np.where(status == ON_TRACK, label + tally, label)
    out["label"] = label
    out["band"] = np.array([s.value for s in STATUSES[:-1]] + [""], dtype=object)[status]
    out["colour"] = np.array([b.colour for b in bands], dtype=object)[status]
    newest = g.reverse == 0
    last = np.full(size, np.datetime64("NaT"), dtype="datetime64[ns]")
    if g.dates is not None:
        last[g.group[newest]] = g.dates[newest].view("datetime64[ns]")
    out["last_date"] = last
    out["trend"] = _trend(g)
    return out.drop(columns=["status_code", "used", "pieces", "level_words"])


def _pieces(g: Groups, named: Bools, rows: _Rows, idx: Ints) -> rules.Objects:
    """`Quiz 2, Oct 3: 3; Project, Nov 1: 4`: each cell's newest named evidence, oldest first."""
    pick = np.flatnonzero(named)
    per = Groups(np.zeros(len(pick)), g.group[pick], g.size)
    keep = per.reverse < _NAMED_LIMIT
    pick, column = (
        pick[keep],
        per.position[keep] - np.maximum(per.counts - _NAMED_LIMIT, 0)[per.group[keep]],
    )
    source = idx[pick]
    # Few distinct dates and scores: format each once, then index (no per-row formatting).
    days, day_of = np.unique(rows.date[source], return_inverse=True)
    when = pd.DatetimeIndex(days)
    day_words = (
        ", "
        + _MONTHS[when.month.to_numpy() - 1]
        + " "
        + when.day.to_numpy().astype(str).astype(object)
        + ": "
    )
    marked = rows.mark[source] != ""
    shown = np.where(marked, rows.mark[source], number_words(g.values[pick]))
    text = rows.assessment[source] + day_words[day_of] + shown
    out = np.full(g.size, "", dtype=object)
    extra = np.maximum(per.counts - _NAMED_LIMIT, 0)
    has_extra = extra > 0
    out[has_extra] = extra[has_extra].astype(str).astype(object) + " earlier; "
    cell = g.group[pick]
    for c in range(_NAMED_LIMIT):
        at = column == c
        sep = "" if c == 0 else "; "
        out[cell[at]] = out[cell[at]] + sep + text[at]
    return out


def number_words(values: Floats) -> rules.Objects:
    """`3`, `2.5`, `3.42`: numbers as a teacher writes them ("" for NaN)."""
    unique, where = np.unique(values, return_inverse=True)
    words = np.array([f"{v:g}" if v == v else "" for v in unique], dtype=object)
    return words[where.reshape(-1)]


def _level_labels(level: Floats, policy: Policy) -> rules.Objects:
    values = np.array([lv.value for lv in policy.scale.levels])
    labels = np.array([lv.label for lv in policy.scale.levels] + [""], dtype=object)
    step = np.searchsorted(values, np.nan_to_num(level, nan=-np.inf), side="right") - 1
    return labels[np.where(np.isnan(level), -1, step)]


def _trend(g: Groups) -> rules.Objects:
    """`up`, `down` or `steady`: the latest counted score against the one before it."""
    newest = g.last()
    before = np.full(g.size, np.nan)
    second = g.reverse == 1
    before[g.group[second]] = g.values[second]
    return np.select(
        [newest > before, newest < before, newest == before], ["up", "down", "steady"], ""
    ).astype(object)


def _students(table: pd.DataFrame, student_index: pd.Index, default: Policy) -> pd.DataFrame:
    """Per student: outcomes met, assessed, percent met, on track, missing. Never a rank."""
    code = np.repeat(np.arange(len(student_index)), len(table) // max(len(student_index), 1))
    status = table["status"].to_numpy(object)
    n = len(student_index)

    def count(mask: Bools) -> Ints:
        return np.bincount(code[mask], minlength=n).astype(np.int64)

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
    report = np.full(n, "", dtype=object)
    card = default.report_card
    if card is not None:
        basis = percent if card.basis is ReportBasis.PERCENT_MET else mean_level
        for grade in sorted(card.grades, key=lambda g: g.minimum):
            report[basis >= grade.minimum] = grade.grade
        lowest = min(card.grades, key=lambda g: g.minimum).grade
        report[~np.isnan(basis) & (report == "")] = lowest
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
