"""Read -> evaluate -> plan -> write: one recompute of one spreadsheet, and the summary a person reads."""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import policy_engine
from policy_engine import STATUS_WORDS, Status
from sheets_backend.errors import TemplateInvalid
from sheets_backend.gradebook.overrides import expired_problems
from sheets_backend.gradebook.template import Gradebook, read_gradebook
from sheets_backend.problems import Problem
from sheets_backend.sheets.gateway import SheetsGateway, WriteRefused
from sheets_backend.sheets.snapshot import Snapshot
from sheets_backend.tabs.groups import GROUPS, groups_tab
from sheets_backend.tabs.mastery import MASTERY, mastery_tab
from sheets_backend.tabs.plan import TabContent, WritePlan, build_plan
from sheets_backend.tabs.summary import STUDENT_SUMMARY, summary_tab

log = logging.getLogger(__name__)
OUTPUT_TABS = (MASTERY, STUDENT_SUMMARY, GROUPS)
NOT_ASSESSED_WORDS = "Not assessed"


@dataclass(frozen=True)
class Summary:
    """What a recompute did, in counts: no names, no scores (safe to log and to show)."""

    students: int
    outcomes: int
    evidence: int
    statuses: dict[str, int]
    warnings: tuple[Problem, ...]
    api_calls: dict[str, int]
    written: bool
    duration_ms: int
    tabs: tuple[str, ...] = field(default=())
    policies: tuple[dict[str, str], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "students": self.students,
            "outcomes": self.outcomes,
            "evidence": self.evidence,
            "statuses": dict(self.statuses),
            "warnings": [p.to_dict() for p in self.warnings],
            "api_calls": dict(self.api_calls),
            "written": self.written,
            "duration_ms": self.duration_ms,
            "tabs": list(self.tabs),
            "policies": [dict(p) for p in self.policies],
        }


def recompute(
    gateway: SheetsGateway, *, dry_run: bool = False, as_of: date | None = None
) -> Summary:
    """Recompute every status and rewrite Hive's tabs in one batchUpdate (none with `dry_run`).

    Idempotent: the same sheet gives the same cells, so a repeated recompute is harmless. Each
    write carries a fresh write id on Hive's marks, so a retry whose first attempt landed unseen
    is recognised and reported as written (see `SheetsGateway.apply`).
    """
    started = time.perf_counter()
    snapshot = gateway.read_snapshot()
    book, evaluation = evaluate_book(read_gradebook(snapshot), as_of)
    plan = build_plan(snapshot, render_tabs(book, evaluation, as_of), write_id=new_write_id())
    if not dry_run:
        try:
            gateway.apply(plan)
        except WriteRefused:
            # Refused although it did not land: another write (a concurrent recompute) changed
            # Hive's tabs since the read, so this plan names marks or tabs that are gone. Once,
            # read again and write against what is there now; a plan refused for another
            # reason (nothing of Hive's changed) is reported as it is.
            fresh = gateway.read_snapshot()
            if _tab_layout(fresh) == _tab_layout(snapshot):
                raise
            log.info("recompute rewritten after a concurrent write")
            snapshot = fresh
            book, evaluation = evaluate_book(read_gradebook(snapshot), as_of)
            plan = build_plan(snapshot, render_tabs(book, evaluation, as_of),
                              write_id=new_write_id())
            gateway.apply(plan)
    summary = _summary(book, evaluation.outcomes["status"], plan, gateway, started, not dry_run)
    log.info(
        "recompute done",
        extra={
            k: v
            for k, v in summary.to_dict().items()
            if k in ("students", "outcomes", "evidence", "written", "duration_ms")
        },
    )
    return summary


def _tab_layout(snapshot: Snapshot) -> list[tuple[int, str, bool, tuple[int, ...]]]:
    return [(t.sheet_id, t.title, t.hive_owned, t.mark_ids) for t in snapshot.tabs]


def new_write_id() -> str:
    """A write id: random, so no earlier write can be mistaken for this one."""
    return uuid.uuid4().hex[:16]


def evaluate_sheet(
    gateway: SheetsGateway, *, as_of: date | None = None
) -> tuple[Gradebook, policy_engine.Evaluation]:
    """Read and evaluate without rendering or writing (publishing reports starts here)."""
    return evaluate_book(read_gradebook(gateway.read_snapshot()), as_of)


def render_tabs(
    book: Gradebook, evaluation: policy_engine.Evaluation, as_of: date | None = None
) -> list[TabContent]:
    """Hive's output tabs, in the order they are written (OUTPUT_TABS)."""
    from sheets_backend.reports.current_level import latest_levels

    # The latest counted result beside each status, read once for the Mastery and Summary tabs.
    evaluation = dataclasses.replace(evaluation, outcomes=latest_levels(book, evaluation.outcomes))
    return [
        mastery_tab(book, evaluation.outcomes, evaluation.students),
        summary_tab(book, evaluation.outcomes, evaluation.students, as_of=as_of),
        groups_tab(book, evaluation),
    ]


def evaluate_book(
    book: Gradebook, as_of: date | None = None
) -> tuple[Gradebook, policy_engine.Evaluation]:
    """The policy engine over what the template reader found (fatal problems stop here)."""
    if book.fatal:
        raise TemplateInvalid(book.problems)
    evaluation = policy_engine.evaluate(
        book.evidence,
        book.policies,
        students=[s.id for s in book.students],
        outcomes=[o.id for o in book.outcomes],
        outcome_policy=book.outcome_policy,
        as_of=as_of,
    )
    evaluation, expired = policy_engine.apply_overrides(evaluation, book.overrides, book.policies)
    if len(expired):
        book = dataclasses.replace(book, problems=book.problems + expired_problems(expired))
    return book, evaluation


def validate(gateway: SheetsGateway) -> Summary:
    """Check the template and the policy; reads only, writes nothing."""
    started = time.perf_counter()
    book = read_gradebook(gateway.read_snapshot())
    if book.fatal:
        raise TemplateInvalid(book.problems)
    empty = WritePlan(requests=(), tabs=())
    return _summary(book, None, empty, gateway, started, written=False)


def _summary(
    book: Gradebook,
    statuses: Any,
    plan: WritePlan,
    gateway: SheetsGateway,
    started: float,
    written: bool,
) -> Summary:
    counts: Counter[str] = Counter()
    if statuses is not None:
        for status, n in statuses.value_counts().items():
            counts[STATUS_WORDS[Status(status)] or NOT_ASSESSED_WORDS] += int(n)
    return Summary(
        students=len(book.students),
        outcomes=len(book.outcomes),
        evidence=len(book.evidence),
        statuses=dict(counts),
        warnings=book.problems + plan.problems,
        api_calls=gateway.calls.to_dict(),
        written=written,
        duration_ms=round((time.perf_counter() - started) * 1000),
        tabs=plan.tabs,
        policies=tuple(
            {"name": name, "description": policy.description}
            for name, policy in book.policies.items()
        ),
    )
