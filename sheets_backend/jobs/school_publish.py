"""The `school_publish` job kind: every student's cross-course report and every mentor's sheet in
the caller's Drive, a few files a step; the job lives on the school workbook.

Step 0 finds or makes the "Hive school reports" folder (found again by its `appProperties` mark,
its id saved in the job the moment it exists), records the gradebooks the caller cannot open and
retires the files of students and mentors who are gone; each later step publishes the next
`students_per_step` files. A step re-reads the school workbook, every gradebook and Drive, so any
instance can run it, and running it twice creates nothing twice (files are found by their
`appProperties`; sharing only adds what a file lacks and removes what it should not have).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from sheets_backend.jobs.model import Job, JobKind, JobState, StepContext, now, register, save_planned
from sheets_backend.publish.google import GooglePublisher, roster_change
from sheets_backend.school.google import FOLDER_NAME, DriveOpener, SchoolFile, school_files
from sheets_backend.school.publish import read_reports
from sheets_backend.sheets.gateway import SheetsGateway, translated_errors

log = logging.getLogger(__name__)
COUNTS = ("created", "updated", "retired", "shared", "unshared")


def _as_of(params: Mapping[str, Any]) -> dt.date | None:
    text = params.get("as_of")
    return dt.date.fromisoformat(text) if text else None


def _read(ctx: StepContext, school_id: str, as_of: dt.date | None
          ) -> tuple[list[SchoolFile], list[dict[str, str]]]:
    """Every file to publish, in order, and the gradebooks that could not be read (at their
    Gradebooks cell)."""
    view, reports = read_reports(SheetsGateway(ctx.client, school_id), DriveOpener(ctx.client),
                                 as_of=as_of)
    not_read = [{"gradebook": r.course.label, **r.error.to_dict()}
                for r in view.not_read if r.error is not None]
    return school_files(view, reports), not_read


def start(ctx: StepContext, params: Mapping[str, Any]) -> tuple[int, Mapping[str, Any]]:
    """Read the school once (a school workbook Hive cannot use answers the request itself):
    how many files there are to publish."""
    files, _ = _read(ctx, params["spreadsheet_id"], _as_of(params))
    return len(files), params


def step(ctx: StepContext, job: Job) -> Job:
    """Run step `job.step` of a school publish; the job advanced past it (done after the last)."""
    params = dict(job.params)
    sid = job.spreadsheet_id
    with translated_errors():
        if job.step == 0 and not params.get("folder_id"):
            params["folder_id"] = GooglePublisher(ctx.client, "", sid).find_or_create_folder(
                FOLDER_NAME)
            job = job.replace(params=params, state=JobState.RUNNING, updated=now())
            ctx.store.save(job)  # remembered the moment it exists
        files, not_read = _read(ctx, sid, _as_of(params))
        publisher = GooglePublisher(ctx.client, params["folder_id"], sid)
        existing = dict(reversed(publisher.existing()))  # oldest file wins for a key
        total = len(files)
        if job.step == 0:
            change = roster_change([f.key for f in files], publisher.existing())
            job, counts = save_planned(ctx, job, {"retired": len(change.retire)})
            publisher.retire(change.retire, {"shared": 0, "unshared": 0})
            params.update(not_read=not_read, reports=sum(f.kind == "report" for f in files),
                          mentor_sheets=sum(f.kind == "mentor" for f in files),
                          mentors_unshared=sum(f.kind == "mentor" and not f.readers
                                               for f in files))
            job = job.replace(params=params)
            first = 0
        else:
            first = (job.step - 1) * ctx.students_per_step
            batch = files[first:first + ctx.students_per_step]
            plans = [publisher.planned_for(f.readers, existing.get(f.key)) for f in batch]
            planned = {c: sum(p[c] for p in plans) for c in COUNTS if c != "retired"}
            job, counts = save_planned(ctx, job, planned)
            scratch = {"shared": 0, "unshared": 0}
            for f in batch:
                publisher.publish_content(f.key, f.title, f.content, f.readers,
                                          existing.get(f.key), scratch)
            first += len(batch)
    merged = {c: job.counts.get(c, 0) + counts.get(c, 0) for c in COUNTS}
    finished = (job.step > 0 and first >= total) or (job.step == 0 and total == 0)
    job = job.replace(step=job.step + 1, done=min(first, total), total=total, counts=merged,
                      pending=None, updated=now(),
                      state=JobState.DONE if finished else JobState.RUNNING)
    if finished:
        result = {"folder_id": params["folder_id"], "reports": params.get("reports", 0),
                  "mentor_sheets": params.get("mentor_sheets", 0),
                  "mentors_unshared": params.get("mentors_unshared", 0),
                  "not_read": list(params.get("not_read", [])), **merged}
        job = job.replace(result=result, message=finished_message(result))
    log.info("job step", extra={"job_kind": SCHOOL_PUBLISH.name, "step": job.step - 1,
                                "done": job.done, "total": total})
    return job


def finished_message(result: Mapping[str, Any]) -> str:
    """The plain words an admin reads when a school publish is done."""
    reports, mentors = result["reports"], result["mentor_sheets"]
    words = [f"Published {reports} cross-course report{'s' if reports != 1 else ''} and "
             f"{mentors} mentor sheet{'s' if mentors != 1 else ''}: "
             f"{result.get('created', 0)} new, {result.get('updated', 0)} updated"]
    if result.get("retired"):
        words.append(f"{result['retired']} for students or mentors no longer listed moved to "
                     "the trash")
    words.append(f"shared with {result.get('shared', 0)} new address"
                 f"{'es' if result.get('shared', 0) != 1 else ''}")
    if result.get("unshared"):
        words.append(f"{result['unshared']} old address"
                     f"{'es' if result['unshared'] != 1 else ''} removed")
    if result.get("mentors_unshared"):
        words.append(f"{result['mentors_unshared']} mentor sheet"
                     f"{'s' if result['mentors_unshared'] != 1 else ''} shared with no one "
                     "(no Mentor Email on the Roster)")
    text = "; ".join(words) + "."
    for item in result.get("not_read", []):
        text += f" NOT READ {item['cell']}: {item['message']}"
    return text


def new_job(ctx: StepContext, owner: str, school_id: str, folder_id: str = "",
            as_of: dt.date | None = None) -> Job:
    """Start a school publish: the school read (its file count), the job saved, queued."""
    params: Mapping[str, Any] = {"spreadsheet_id": school_id, "folder_id": folder_id,
                                 "as_of": as_of.isoformat() if as_of else ""}
    return SCHOOL_PUBLISH.begin(ctx, owner, school_id, params,
                                lambda total: f"Publishing the school's reports: 0 of {total}")


SCHOOL_PUBLISH = register(JobKind(name="school_publish", start=start, step=step))
