"""What a job is: its state, its public shape, and the registry of job kinds with their steps."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import gspread


class JobState(StrEnum):
    """Where a job is: waiting for its first step, between steps, finished, or stopped."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED)


def owner_of(caller_key: str) -> str:
    """What a job keeps of the teacher who started it: a hash of her verified identity's key."""
    return hashlib.sha256(f"hive-job-owner:{caller_key}".encode()).hexdigest()[:32]


def now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Job:
    """One job's whole state: counts, ids and plain words only (no names, scores or tokens)."""

    id: str
    kind: str
    spreadsheet_id: str
    owner: str
    state: JobState = JobState.QUEUED
    done: int = 0
    total: int = 0
    step: int = 0  # the next step to run
    params: Mapping[str, Any] = field(default_factory=dict)
    counts: Mapping[str, int] = field(default_factory=dict)
    # The counts the current step planned, saved before it changes anything: a retried step
    # reports what the first attempt planned, so an interrupted run counts like a clean one.
    pending: Mapping[str, int] | None = None
    message: str = ""
    result: Mapping[str, Any] | None = None
    created: str = ""
    updated: str = ""

    def public(self) -> dict[str, Any]:
        """The job as the API answers it."""
        out: dict[str, Any] = {"id": self.id, "kind": self.kind, "state": self.state.value,
                               "done": self.done, "total": self.total}
        if self.message:
            out["message"] = self.message
        if self.result is not None:
            out["result"] = dict(self.result)
        return out

    def to_json(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "state": self.state.value}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Job:
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        return cls(**{**values, "state": JobState(values.get("state", "queued"))})

    def replace(self, **changes: Any) -> Job:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class StepContext:
    """What a step may use: the teacher's client, the job's store, and how big a step may be."""

    client: gspread.Client
    store: Any  # JobStore (store.py); Any here keeps this module free of the store's imports
    students_per_step: int
    # Another person's client (a teacher's Workspace email -> a client acting as her): the
    # nightly run's domain-wide delegation. None: every call uses `client`.
    client_for: Callable[[str], gspread.Client] | None = None


def save_planned(ctx: StepContext, job: Job, counts: Mapping[str, int]) -> tuple[Job, dict[str, int]]:
    """The step's counts, saved before it changes anything (or the first attempt's, on a retry)."""
    if job.pending is not None:
        return job, dict(job.pending)
    job = job.replace(pending=dict(counts), state=JobState.RUNNING, updated=now())
    ctx.store.save(job)
    return job, dict(counts)


@dataclass(frozen=True)
class JobKind:
    """A kind of job: `start` checks the request and counts the work (in the request, so errors
    show at once); `step` runs step `job.step` and returns the job advanced (or finished)."""

    name: str
    start: Callable[[StepContext, Mapping[str, Any]], tuple[int, Mapping[str, Any]]]
    step: Callable[[StepContext, Job], Job]

    def begin(self, ctx: StepContext, owner: str, spreadsheet_id: str, params: Mapping[str, Any],
              message: Callable[[int], str], counts: Mapping[str, int] | None = None) -> Job:
        """A new job of this kind: `start` checks the request and counts the work, then the job
        is saved, queued, with its first progress words (`message` of the total)."""
        total, params = self.start(ctx, params)
        stamp = now()
        job = Job(id=ctx.store.new_id(), kind=self.name, spreadsheet_id=spreadsheet_id,
                  owner=owner, total=total, params=params, created=stamp, updated=stamp,
                  counts=dict(counts or {}), message=message(total))
        ctx.store.save(job, new=True)
        return job


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    """Add a job kind to the registry (publish, school_recompute)."""
    KINDS[kind.name] = kind
    return kind
