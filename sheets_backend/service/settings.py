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

# token or None (auth off) -> a gspread client acting for that person
ClientFactory = Callable[[str | None], "gspread.Client"]


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
    Setting("sheets_timeout_seconds", 60.0,
            "Timeout of each call to Google Sheets."),
    Setting("lock_wait_seconds", 100.0,
            "How long a recompute waits for another recompute of the same spreadsheet to finish "
            "before answering 409 `busy`."),
    Setting("local_folder", "",
            "Local mode: serve every .xlsx in this folder (spreadsheet id = file name without "
            "`.xlsx`) instead of Google Sheets. Empty in production."),
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
    sheets_timeout_seconds: float = 60.0
    lock_wait_seconds: float = 100.0
    local_folder: str = ""
    policy_library: str = ""
    log_level: str = "INFO"
    # Not a setting: code decides how a spreadsheet is reached (Google, or a local service).
    client_factory: ClientFactory | None = dataclasses.field(default=None, compare=False)

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
        for name in ("token_cache_size", "rate_limit_per_minute", "rate_limit_burst",
                     "max_request_bytes", "max_cells"):
            if getattr(self, name) < 1:
                problems.append(f"{SETTINGS_BY_NAME[name].env_var} must be at least 1")
        if problems:
            raise ConfigError(problems)
        return dataclasses.replace(self, auth=auth)


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
