"""Where job state lives: developer metadata on the job's own spreadsheet, seen by every instance.

One `hiveJob` entry per job, pinned to the spreadsheet with PROJECT visibility (only Hive's Cloud
project reads it), its value the job as JSON (ids and counts, well under the 30,000 characters a
location may hold). Finished jobs are deleted after `keep_days`.
"""

from __future__ import annotations

import json
import secrets
from typing import Any, Protocol

import gspread

from sheets_backend.jobs.model import Job
from sheets_backend.sheets.gateway import translated_errors

METADATA_KEY = "hiveJob"
SHEETS_API = "https://sheets.googleapis.com/v4/spreadsheets"


class JobStore(Protocol):
    """The state store every dispatcher and route uses; one per job's home spreadsheet."""

    def new_id(self) -> str: ...
    def get(self, job_id: str) -> Job | None: ...
    def save(self, job: Job, *, new: bool = False) -> None: ...
    def jobs(self) -> list[Job]: ...
    def delete(self, job: Job) -> None: ...


def split_id(job_id: str) -> tuple[str, int]:
    """A job id is `<spreadsheet id>.<metadata id>`: (spreadsheet id, metadata id); ValueError
    for anything else."""
    spreadsheet_id, _, number = job_id.rpartition(".")
    if not spreadsheet_id or not number.isdigit():
        raise ValueError(job_id)
    return spreadsheet_id, int(number)


class MetadataJobStore:
    """Jobs as developer metadata of one spreadsheet, through the teacher's own gspread client."""

    def __init__(self, client: gspread.Client, spreadsheet_id: str) -> None:
        self.client = client
        self.spreadsheet_id = spreadsheet_id
        self._known: set[int] = set()  # metadata ids this store has created or seen

    def new_id(self) -> str:
        return f"{self.spreadsheet_id}.{secrets.randbelow(2**31 - 2) + 1}"

    def get(self, job_id: str) -> Job | None:
        try:
            sid, number = split_id(job_id)
        except ValueError:
            return None
        if sid != self.spreadsheet_id:
            return None
        found = self._search({"metadataId": number, "metadataKey": METADATA_KEY})
        return found[0] if found else None

    def jobs(self) -> list[Job]:
        return self._search({"metadataKey": METADATA_KEY})

    def save(self, job: Job, *, new: bool = False) -> None:
        """Create the job's entry the first time (`new`: known to be new), update it after (one
        batchUpdate either way)."""
        _, number = split_id(job.id)
        value = json.dumps(job.to_json(), separators=(",", ":"), sort_keys=True)
        if new or (number not in self._known and self.get(job.id) is None):
            request: dict[str, Any] = {"createDeveloperMetadata": {"developerMetadata": {
                "metadataId": number, "metadataKey": METADATA_KEY, "metadataValue": value,
                "location": {"spreadsheet": True}, "visibility": "PROJECT"}}}
        else:
            request = {"updateDeveloperMetadata": {
                "dataFilters": [{"developerMetadataLookup": {"metadataId": number}}],
                "developerMetadata": {"metadataValue": value}, "fields": "metadataValue"}}
        self._batch(request)
        self._known.add(number)

    def delete(self, job: Job) -> None:
        _, number = split_id(job.id)
        self._batch({"deleteDeveloperMetadata": {
            "dataFilter": {"developerMetadataLookup": {"metadataId": number}}}})
        self._known.discard(number)

    def _search(self, lookup: dict[str, Any]) -> list[Job]:
        with translated_errors():
            reply = self.client.http_client.request(
                "post", f"{SHEETS_API}/{self.spreadsheet_id}/developerMetadata:search",
                json={"dataFilters": [{"developerMetadataLookup": lookup}]}).json()
        out = []
        for match in reply.get("matchedDeveloperMetadata", []):
            entry = match.get("developerMetadata", {})
            try:
                job = Job.from_json(json.loads(entry.get("metadataValue") or "{}"))
            except (ValueError, TypeError):
                continue  # not a job Hive can read (another version's): leave it alone
            self._known.add(int(entry["metadataId"]))
            out.append(job)
        return out

    def _batch(self, request: dict[str, Any]) -> None:
        with translated_errors():
            self.client.http_client.request(
                "post", f"{SHEETS_API}/{self.spreadsheet_id}:batchUpdate",
                json={"requests": [request]})
