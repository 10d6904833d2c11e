"""Long work as jobs: a registry of job kinds, their steps, where job state lives, who runs steps.

A job is split into steps that each finish well under 30 s. Its state lives in a `JobStore` every
instance sees (developer metadata on the spreadsheet, `store.py`); a `Dispatcher` runs the steps,
in-process one after another (`runner.py`, local mode and the CLI) or one Cloud Task per step
(`cloud_tasks.py`, production). Every step is safe to run twice.
"""

from sheets_backend.jobs.model import KINDS, Job, JobKind, JobState, StepContext, register

__all__ = ["KINDS", "Job", "JobKind", "JobState", "StepContext", "register"]
