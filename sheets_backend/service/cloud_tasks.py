"""Production dispatch: one Cloud Task per job step, on the queue declared in queue.yaml.

Each task is an App Engine HTTP request to `POST /v1/tasks/step`; App Engine adds
`X-AppEngine-QueueName` (and strips it from any outside request), which that route requires. A task
is named after its job and step, so a second enqueue of the same step is refused by Cloud Tasks
instead of running twice. The next step is scheduled far enough ahead to keep one teacher's job
inside Google's per-user write quota (arithmetic in queue.yaml).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any

from sheets_backend.jobs.model import Job
from sheets_backend.service.settings import NIGHTLY_IDENTITIES, Config

log = logging.getLogger(__name__)
STEP_ROUTE = "/v1/tasks/step"
# Sheets allows 60 read and 60 write requests per minute per user. A publish step reads the
# gradebook, each report and the job record (students + 3 reads; writes are students + 2); Hive
# leaves a quarter of the minute to the teacher's own recomputes. (queue.yaml has the sums.)
SHEETS_CALLS_PER_MINUTE = 60
SHARE_FOR_JOBS = 0.75


def step_spacing_seconds(students_per_step: int) -> float:
    """How far apart one job's steps must start to stay inside the per-user Sheets quota."""
    calls = students_per_step + 3
    return 60.0 * calls / (SHEETS_CALLS_PER_MINUTE * SHARE_FOR_JOBS)


class CloudTasksDispatcher:
    """Creates the task for a job's next step with the official `google-cloud-tasks` client."""

    def __init__(self, config: Config, client: Any = None) -> None:
        from google.cloud import tasks_v2

        self.config = config
        if client is None and config.tasks_emulator:
            import grpc
            from google.cloud.tasks_v2.services.cloud_tasks.transports import (
                CloudTasksGrpcTransport,
            )

            channel = grpc.insecure_channel(config.tasks_emulator)
            client = tasks_v2.CloudTasksClient(transport=CloudTasksGrpcTransport(channel=channel))
        self.client = client or tasks_v2.CloudTasksClient()
        self.queue = self.client.queue_path(config.tasks_project or "hive-local",
                                            config.tasks_location or "local", config.tasks_queue)
        # The emulator runs tasks as soon as they are due: no quota to keep there.
        self.spacing = 0.0 if config.tasks_emulator else step_spacing_seconds(
            config.students_per_step)

    def enqueue(self, job: Job, token: str | None, *, fresh: bool = False) -> None:
        """The task for `job`'s next step. `fresh` (a restarted job) gives the task a new name,
        since Cloud Tasks keeps a used name reserved for a while."""
        from google.api_core.exceptions import AlreadyExists
        from google.cloud import tasks_v2
        from google.protobuf import timestamp_pb2

        headers = {"Content-Type": "application/json"}
        if token:
            # The teacher's token rides in the task (Cloud Tasks holds it until the step runs;
            # Hive never logs or keeps it): steps act as her, with no more access than she gave.
            headers["Authorization"] = f"Bearer {token}"
        name = re.sub(r"[^A-Za-z0-9_-]", "-", f"{job.id}-step{job.step}")
        if fresh:
            name += "-r" + dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S%f")
        task = tasks_v2.Task(
            name=f"{self.queue}/tasks/{name}",
            app_engine_http_request=tasks_v2.AppEngineHttpRequest(
                http_method=tasks_v2.HttpMethod.POST, relative_uri=STEP_ROUTE, headers=headers,
                body=json.dumps(_body(job)).encode()))
        if job.step > 0 and self.spacing:
            when = timestamp_pb2.Timestamp()
            when.FromDatetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.spacing))
            task.schedule_time = when
        try:
            self.client.create_task(parent=self.queue, task=task)
        except AlreadyExists:
            log.info("job step already queued", extra={"job_kind": job.kind, "step": job.step})


def _body(job: Job) -> dict[str, Any]:
    """The task's body: the job, and whether it is a nightly run (Hive's own credentials)."""
    if job.params.get("identity") in NIGHTLY_IDENTITIES:
        return {"job_id": job.id, "nightly": True}
    return {"job_id": job.id}
