"""Evidence + policies -> an `Evaluation`: every student x outcome status, with its explanation."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from policy_engine import rules
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
from policy_engine.report_card import report_grades
from policy_engine.retakes import number_attempts
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
    attempt: Ints  # 1, 2, ... for retakes of one assessment; 0 for everything else
    retakes: rules.Objects  # the assessment a retake retakes ("" for everything else)


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
        attempt=np.zeros(0, dtype=np.int64),
        retakes=np.zeros(0, dtype=object),
    )
    attempt = number_attempts(ev)[known]
    retakes = (
        ev["retakes"].fillna("").to_numpy(object)[known]
        if "retakes" in ev
        else np.full(int(known.sum()), "", dtype=object)
    )
    rows = dataclasses.replace(rows, attempt=attempt, retakes=retakes)
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
    return Evaluation(table, students_table(table, student_index, policies["Default"]))


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
    noted = np.zeros(len(value), dtype=bool)
    excluded = np.zeros(len(value), dtype=bool)
    # Marks are few: classify only the marked rows, once per mark of the policy.
    marked = np.flatnonzero(rows.mark != "")
    codes = rows.mark[marked]
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
    counted_type = pd.Series(rows.kind).isin([t.value for t in policy.counted_types]).to_numpy()
    # Retakes beyond the policy's cap are tracked (in the note) but never counted.
    cap = policy.retakes_allowed
    beyond = rows.attempt > cap if cap is not None else np.zeros(len(value), dtype=bool)
    counted = has_value & counted_type & ~beyond
    if policy.missing_work is MissingWork.NOT_YET:
        value[missing] = policy.scale.minimum
        counted |= missing & counted_type & ~beyond
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
            "pieces": _pieces(g, judgement.named, rows, idx, policy),
            "level_label": _level_labels(judgement.level, policy),
            "level_words": number_words(judgement.level),
        }
    )
    out["level"] = out["level"].where(status != NOT_ASSESSED)
    out["explanation"], out["next_step"] = method.explain(method, out, policy)
    uncounted = f" Not counted ({cap} {'retake' if cap == 1 else 'retakes'} allowed): "
    at = np.flatnonzero(noted)
    label = _mark_labels(rows.mark[at], policy) + " (" + rows.assessment[at] + ", "
    late = np.flatnonzero(beyond & (has_value | missing))
    out["explanation"] = (
        out["explanation"]
        + _listed(" Noted: ", at, label, ")", rows, local, size)
        + _listed(uncounted, late, _names(rows, late) + ", ", "", rows, local, size)
    )
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


def _pieces(g: Groups, named: Bools, rows: _Rows, idx: Ints, policy: Policy) -> rules.Objects:
    """`Quiz 2, Oct 3: 3; Project, Nov 1: 4`: each cell's newest named evidence, oldest first."""
    pick = np.flatnonzero(named)
    per = Groups(np.zeros(len(pick)), g.group[pick], g.size)
    keep = per.reverse < _NAMED_LIMIT
    pick, column = (
        pick[keep],
        per.position[keep] - np.maximum(per.counts - _NAMED_LIMIT, 0)[per.group[keep]],
    )
    source = idx[pick]
    shown = number_words(g.values[pick])
    marked = np.flatnonzero(rows.mark[source] != "")
    if len(marked):
        # A family reads words, never codes: "Missing (counts as 1)", "3 (Late)".
        at = source[marked]
        label = _mark_labels(rows.mark[at], policy)
        beside = ~np.isnan(rows.score[at])
        shown[marked] = np.where(
            beside, shown[marked] + " (" + label + ")", label + " (counts as " + shown[marked] + ")"
        )
    text = _names(rows, source) + ", " + day_words(rows.date[source]) + ": " + shown
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


def day_words(dates: Ints) -> rules.Objects:
    """`Oct 3` for dates as ns since the epoch; each distinct day formatted once."""
    days, day_of = np.unique(dates, return_inverse=True)
    when = pd.DatetimeIndex(days)
    words = _MONTHS[when.month.to_numpy() - 1] + " " + when.day.to_numpy().astype(str).astype(object)
    return np.asarray(words[day_of.reshape(-1)], dtype=object)


def _mark_labels(codes: rules.Objects, policy: Policy) -> rules.Objects:
    labels = {m.code.upper(): m.label for m in policy.marks}
    return np.asarray(pd.Series(codes, dtype=object).map(labels).fillna("").to_numpy(object))


def _names(rows: _Rows, at: Ints) -> rules.Objects:
    """Assessment names; a retake says which attempt it is: `Quiz 3 retake (retake 2 of Quiz 3)`."""
    names = rows.assessment[at].copy()
    retake = np.flatnonzero(rows.attempt[at] > 0)
    if len(retake):
        which = at[retake]
        names[retake] = (
            names[retake] + " (retake " + rows.attempt[which].astype(str).astype(object) + " of "
            + rows.retakes[which] + ")"
        )
    return names


def _listed(prefix: str, at: Ints, before: rules.Objects, after: str, rows: _Rows, local: Ints,
            size: int) -> rules.Objects:
    """` Noted: Late (Quiz 2, Oct 3); Absent (Quiz 4, Nov 1).`: a few rows per cell, oldest first.

    `at` are the rows to list (flags, tracked-only marks, retakes beyond the policy's cap) and
    `before` their words ahead of the date; they are few, so this costs nothing on a big sheet.
    """
    out = np.full(size, "", dtype=object)
    if not len(at):
        return out
    order = np.lexsort((rows.order[at], rows.date[at], local[at]))
    at, before = at[order], before[order]
    text = pd.Series(before + day_words(rows.date[at]) + after, dtype=object)
    joined = text.groupby(local[at], sort=True).agg("; ".join)
    out[joined.index.to_numpy()] = prefix + joined.to_numpy(object) + "."
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


def students_table(table: pd.DataFrame, student_index: pd.Index, default: Policy) -> pd.DataFrame:
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
    card = default.report_card
    report = (
        np.full(n, "", dtype=object)
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
