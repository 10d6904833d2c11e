"""Running job steps: one step anywhere (`run_step`), and the in-process runner of local mode.

`run_step` is what every dispatcher calls, so local `serve`, the CLI and a Cloud Task run the
same code: read the job from its store, run its next step, save it. The `InProcessRunner` runs a
job's steps one after another on one background thread, and picks up unfinished jobs at start.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable

import gspread

from sheets_backend.errors import HiveError, JobNotFound
from sheets_backend.jobs.model import KINDS, Job, JobState, StepContext, now
from sheets_backend.jobs.store import MetadataJobStore, split_id

log = logging.getLogger(__name__)
ClientFor = Callable[[str | None], gspread.Client]  # token (None: local mode) -> client


def transient(exc: HiveError) -> bool:
    """Worth running the step again later (Google busy, rate limits), not a teacher's problem."""
    return exc.status >= 500 or exc.status == 429


def run_step(client: gspread.Client, job_id: str, students_per_step: int, *,
             client_for: Callable[[str], gspread.Client] | None = None) -> Job:
    """Run the next step of `job_id` and save the job. A finished job is answered as it is.
    A transient failure is raised (the dispatcher retries); any other fails the job."""
    sid, _ = split_id(job_id)
    store = MetadataJobStore(client, sid)
    job = store.get(job_id)
    if job is None:
        raise JobNotFound()
    if job.state.finished:
        return job
    ctx = StepContext(client=client, store=store, students_per_step=students_per_step,
                      client_for=client_for)
    try:
        job = KINDS[job.kind].step(ctx, job)
    except HiveError as exc:
        if transient(exc):
            raise
        job = job.replace(state=JobState.FAILED, message=exc.message, updated=now())
        log.warning("job failed", extra={"job_kind": job.kind, "error_code": exc.code})
    store.save(job)
    return job


class InProcessRunner:
    """Runs jobs' steps one after another on a background thread (local `serve`); `run` runs a
    job to its end on the caller's thread (the CLI, tests)."""

    def __init__(self, client_for: ClientFor, students_per_step: int, *,
                 retries: int = 3, backoff_seconds: float = 1.0,
                 durable: Callable[[], object] | None = None) -> None:
        self.client_for = client_for
        # Local mode saves files a moment after each change; after a step, the job's record
        # must be on disk before the next step starts, as Google's would be.
        self.durable = durable
        self.students_per_step = students_per_step
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self._queue: queue.Queue[tuple[str, str | None]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.steps_run = 0

    def enqueue(self, job: Job, token: str | None, *, fresh: bool = False) -> None:
        """Run `job` in the background, after any job already waiting (`fresh` changes nothing
        here: a job run twice in turn finds itself finished)."""
        self._queue.put((job.id, token))
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="hive-jobs", daemon=True)
                self._thread.start()

    def run(self, job_id: str, token: str | None = None,
            stop_after: int | None = None) -> Job:
        """Run the job's steps until it is finished (or `stop_after` steps: a test's crash)."""
        client = self.client_for(token)
        failures = 0
        steps = 0
        while True:
            try:
                job = run_step(client, job_id, self.students_per_step)
            except HiveError as exc:
                failures += 1
                if not transient(exc) or failures > self.retries:
                    return self._fail(client, job_id, exc)
                time.sleep(self.backoff_seconds * failures)
                continue
            if self.durable is not None:
                self.durable()
            self.steps_run += 1
            steps += 1
            failures = 0
            if job.state.finished or (stop_after is not None and steps >= stop_after):
                return job

    def resume(self, spreadsheet_ids: Iterable[str], token: str | None = None) -> list[str]:
        """Put every unfinished job found on these spreadsheets back in the queue (at start)."""
        client = self.client_for(token)
        resumed = []
        for sid in spreadsheet_ids:
            try:
                jobs = MetadataJobStore(client, sid).jobs()
            except HiveError:
                continue
            for job in jobs:
                if not job.state.finished:
                    self.enqueue(job, token)
                    resumed.append(job.id)
        if resumed:
            log.info("jobs resumed", extra={"jobs": len(resumed)})
        return resumed

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Wait until every queued job has run (tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.02)
        return False

    def _work(self) -> None:
        while True:
            job_id, token = self._queue.get()
            try:
                self.run(job_id, token)
            except Exception as exc:  # a background thread must outlive any one job
                log.error("job runner error", extra={"error": type(exc).__name__})
            finally:
                self._queue.task_done()

    def _fail(self, client: gspread.Client, job_id: str, exc: HiveError) -> Job:
        store = MetadataJobStore(client, split_id(job_id)[0])
        job = store.get(job_id)
        if job is None:
            raise exc
        job = job.replace(state=JobState.FAILED, message=exc.message, updated=now())
        try:
            store.save(job)
        except HiveError:
            pass  # the sheet itself is unreachable: the job stays where it was, resumable
        return job
