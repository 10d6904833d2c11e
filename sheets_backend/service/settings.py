"""The service's one settings table: every knob, its default and its help, read from `HIVE_*`.

`SETTINGS` is the single source for `Config`, the `env_variables` in `app.yaml` and the settings
table in `docs/deploy.md` (a test checks both against it), the way Datasette's `SETTINGS` is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import gspread

ENV_PREFIX = "HIVE_"
SPREADSHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
# Publishing reports creates files in her Drive: drive.file (files Hive made) or the full scope.
DRIVE_SCOPES = frozenset({"https://www.googleapis.com/auth/drive.file",
                          "https://www.googleapis.com/auth/drive"})

# No call the add-on makes may run past this: UrlFetchApp gives up near 60 s.
ADDON_CALL_BUDGET_SECONDS = 50.0

# token or None (auth off) -> a gspread client acting for that person
ClientFactory = Callable[[str | None], "gspread.Client"]


class JobRunner(StrEnum):
    """Who runs a job's steps: this process, one after another, or Cloud Tasks, one task a step."""

    IN_PROCESS = "in_process"
    CLOUD_TASKS = "cloud_tasks"


NIGHTLY_IDENTITIES = ("service_account", "delegation")  # sheets/credentials.py's Identity


class AuthMode(StrEnum):
    """Whether requests must carry a Google access token. `off` is for local mode on loopback."""

    GOOGLE = "google"
    OFF = "off"


@dataclass(frozen=True)
class Setting:
    """One knob: its name (env var `HIVE_<NAME>`), its default (which also fixes its type), help."""

    name: str
    default: str | int | float | bool
    help: str

    @property
    def env_var(self) -> str:
        return ENV_PREFIX + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("auth", AuthMode.GOOGLE.value,
            "`google`: every /v1 call needs the teacher's Google access token. `off`: no check, "
            "only for local mode on 127.0.0.1."),
    Setting("client_id", "",
            "Hive's OAuth client id. An access token is accepted only when its `aud`/`azp` is "
            "this id; also the audience of the optional `X-Hive-Identity` ID token."),
    Setting("required_scope", SPREADSHEETS_SCOPE,
            "The OAuth scope an access token must carry."),
    Setting("tokeninfo_url", "https://oauth2.googleapis.com/tokeninfo",
            "Google's tokeninfo endpoint, used to check each access token."),
    Setting("certs_url", "https://www.googleapis.com/oauth2/v1/certs",
            "Google's public certificates for verifying `X-Hive-Identity` ID tokens."),
    Setting("auth_timeout_seconds", 5.0,
            "How long to wait for tokeninfo or the certificates before answering 503."),
    Setting("token_cache_seconds", 60,
            "How long a positive token check is remembered (never past the token's expiry)."),
    Setting("token_cache_size", 4096,
            "How many token checks are remembered at most (keyed by a SHA-256 of the token)."),
    Setting("rate_limit_per_minute", 30,
            "Calls per minute one teacher may make; further calls get 429 with Retry-After."),
    Setting("rate_limit_burst", 10,
            "Calls one teacher may make at once before the per-minute rate applies."),
    Setting("max_request_bytes", 16384,
            "The largest request body accepted; larger bodies get 413 `request_too_large`."),
    Setting("max_cells", 2_000_000,
            "The largest spreadsheet (cells over all tabs) Hive reads; larger ones get 413 "
            "`spreadsheet_too_large`."),
    Setting("sheets_timeout_seconds", 20.0,
            "Timeout of each call to Google Sheets or Drive. With the lock wait it stays under "
            "the add-on's 50 s budget per call (UrlFetchApp gives up near 60 s)."),
    Setting("lock_wait_seconds", 20.0,
            "How long a recompute waits for another recompute of the same spreadsheet to finish "
            "before answering 409 `busy` (kept well under the add-on's 50 s budget, so a busy "
            "sheet shows as busy, never as unreachable)."),
    Setting("job_runner", JobRunner.IN_PROCESS.value,
            "Who runs a job's steps: `in_process` (one after another on a background thread: "
            "local mode) or `cloud_tasks` (one Cloud Task per step: App Engine)."),
    Setting("students_per_step", 5,
            "How many students one publish step handles (3-6 Google calls each: well under "
            "30 s a step)."),
    Setting("job_keep_days", 7,
            "How long a finished job's record (ids and counts) stays on its spreadsheet."),
    Setting("tasks_project", "",
            "Cloud Tasks: the Cloud project of the queue (App Engine's own project)."),
    Setting("tasks_location", "",
            "Cloud Tasks: the queue's region (App Engine's region, e.g. `us-central1`)."),
    Setting("tasks_queue", "hive-jobs",
            "Cloud Tasks: the queue declared in queue.yaml. The task route refuses requests "
            "whose `X-AppEngine-QueueName` is not this queue."),
    Setting("tasks_emulator", "",
            "Tests only: `host:port` of a Cloud Tasks emulator to use instead of Google."),
    # -- the nightly school run (issue 18; docs/nightly.md) --
    Setting("nightly_schools", "",
            "The nightly run: the school workbooks' spreadsheet ids, comma-separated, that "
            "cron.yaml's nightly call recomputes (one school_recompute job each). Empty: none."),
    Setting("nightly_identity", "service_account",
            "Whose credentials the nightly run uses: `service_account` (Hive's own account, "
            "every gradebook and school workbook shared with it) or `delegation` (domain-wide "
            "delegation: each gradebook as its Teacher Email, the school workbook as Hive's "
            "account)."),
    Setting("service_account_email", "",
            "Delegation without a key: the email of Hive's service account, which signs as "
            "itself through IAM signBlob (needs Service Account Token Creator on itself)."),
    Setting("local_folder", "",
            "Local mode: serve every .xlsx in this folder (spreadsheet id = file name without "
            "`.xlsx`) instead of Google Sheets. Empty in production."),
    Setting("local_delay_seconds", 0.0,
            "Local mode only: hold every local Google call this long (the local service's "
            "`faults.delay`), to see how Hive behaves at Google's latency."),
    Setting("policy_library", "",
            "A YAML policy library to publish at /v1/policies instead of the built-in one."),
    Setting("log_level", "INFO", "Python logging level of the service's JSON-lines logs."),
)

SETTINGS_BY_NAME: Mapping[str, Setting] = {s.name: s for s in SETTINGS}


class ConfigError(ValueError):
    """Settings that cannot work, all listed at once with the env var to change."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("Hive cannot start: " + "; ".join(problems))


@dataclass(frozen=True)
class Config:
    """The service's configuration: one field per setting, plus how to reach a spreadsheet."""

    auth: AuthMode = AuthMode.GOOGLE
    client_id: str = ""
    required_scope: str = SPREADSHEETS_SCOPE
    tokeninfo_url: str = "https://oauth2.googleapis.com/tokeninfo"
    certs_url: str = "https://www.googleapis.com/oauth2/v1/certs"
    auth_timeout_seconds: float = 5.0
    token_cache_seconds: int = 60
    token_cache_size: int = 4096
    rate_limit_per_minute: int = 30
    rate_limit_burst: int = 10
    max_request_bytes: int = 16384
    max_cells: int = 2_000_000
    sheets_timeout_seconds: float = 20.0
    lock_wait_seconds: float = 20.0
    job_runner: JobRunner = JobRunner.IN_PROCESS
    students_per_step: int = 5
    job_keep_days: int = 7
    tasks_project: str = ""
    tasks_location: str = ""
    tasks_queue: str = "hive-jobs"
    tasks_emulator: str = ""
    nightly_schools: str = ""
    nightly_identity: str = "service_account"
    service_account_email: str = ""
    local_folder: str = ""
    local_delay_seconds: float = 0.0
    policy_library: str = ""
    log_level: str = "INFO"
    # Not a setting: code decides how a spreadsheet is reached (Google, or a local service).
    client_factory: ClientFactory | None = dataclasses.field(default=None, compare=False)
    # Not a setting: the nightly run's clients (None: Hive's own account; an email: delegated
    # as that teacher). Default: from sheets/credentials.py (service/nightly.py).
    nightly_client_factory: ClientFactory | None = dataclasses.field(default=None, compare=False)

    @property
    def nightly_school_ids(self) -> tuple[str, ...]:
        """The school workbooks the nightly run recomputes."""
        return tuple(s.strip() for s in self.nightly_schools.split(",") if s.strip())

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **overrides: Any) -> Config:
        """Read every `HIVE_*` setting from `environ`; raise `ConfigError` naming each bad one."""
        values: dict[str, Any] = {}
        problems = []
        known = {s.env_var for s in SETTINGS}
        for key in environ:
            if key.startswith(ENV_PREFIX) and key not in known:
                problems.append(f"{key} is not a Hive setting (see docs/deploy.md)")
        for setting in SETTINGS:
            raw = environ.get(setting.env_var)
            if raw is None:
                continue
            try:
                values[setting.name] = _parse(setting, raw)
            except ValueError:
                kind = type(setting.default).__name__
                problems.append(f"{setting.env_var}={raw!r} is not a valid {kind}")
        if problems:
            raise ConfigError(problems)
        return cls(**{**values, **overrides}).checked()

    def checked(self) -> Config:
        """This config, after checking the settings make sense together."""
        problems = []
        try:
            auth = AuthMode(self.auth)
        except ValueError:
            problems.append(f"HIVE_AUTH must be one of {[m.value for m in AuthMode]}")
            auth = AuthMode.GOOGLE
        if auth is AuthMode.GOOGLE and not self.client_id:
            problems.append(
                "HIVE_CLIENT_ID is empty: set it to the OAuth client id of Hive's Cloud project"
            )
        if "REPLACE_WITH" in self.client_id:
            problems.append("HIVE_CLIENT_ID still holds app.yaml's placeholder: see docs/deploy.md")
        for name in ("tasks_project", "tasks_location"):
            if "REPLACE_WITH" in getattr(self, name):
                problems.append(f"{SETTINGS_BY_NAME[name].env_var} still holds app.yaml's "
                                "placeholder: see docs/deploy.md")
        try:
            runner = JobRunner(self.job_runner)
        except ValueError:
            problems.append(f"HIVE_JOB_RUNNER must be one of {[m.value for m in JobRunner]}")
            runner = JobRunner.IN_PROCESS
        if runner is JobRunner.CLOUD_TASKS and not (self.tasks_emulator or (
                self.tasks_project and self.tasks_location)):
            problems.append("HIVE_JOB_RUNNER=cloud_tasks needs HIVE_TASKS_PROJECT and "
                            "HIVE_TASKS_LOCATION (the queue's project and region)")
        if self.nightly_identity not in NIGHTLY_IDENTITIES:
            problems.append(f"HIVE_NIGHTLY_IDENTITY must be one of {list(NIGHTLY_IDENTITIES)}")
        elif (self.nightly_identity == "delegation" and self.nightly_school_ids
              and self.nightly_client_factory is None and not self.service_account_email):
            problems.append("HIVE_NIGHTLY_IDENTITY=delegation needs HIVE_SERVICE_ACCOUNT_EMAIL "
                            "(Hive's service account, which signs without a key)")
        if self.lock_wait_seconds + self.sheets_timeout_seconds > ADDON_CALL_BUDGET_SECONDS:
            problems.append(
                f"HIVE_LOCK_WAIT_SECONDS + HIVE_SHEETS_TIMEOUT_SECONDS must stay under the "
                f"add-on's {ADDON_CALL_BUDGET_SECONDS:.0f} s per call")
        for name in ("token_cache_size", "rate_limit_per_minute", "rate_limit_burst",
                     "max_request_bytes", "max_cells", "students_per_step", "job_keep_days"):
            if getattr(self, name) < 1:
                problems.append(f"{SETTINGS_BY_NAME[name].env_var} must be at least 1")
        if problems:
            raise ConfigError(problems)
        return dataclasses.replace(self, auth=auth, job_runner=runner)


def _parse(setting: Setting, raw: str) -> str | int | float | bool:
    default = setting.default
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
            raise ValueError(raw)
        return lowered in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw.replace("_", ""))
    if isinstance(default, float):
        return float(raw)
    return raw


def markdown_table() -> str:
    """The settings as the Markdown table in docs/deploy.md (a test keeps them identical)."""
    lines = ["| env var | default | what it does |", "| --- | --- | --- |"]
    for s in SETTINGS:
        default = f"`{s.default}`" if s.default != "" else "(empty)"
        lines.append(f"| `{s.env_var}` | {default} | {s.help} |")
    return "\n".join(lines) + "\n"
