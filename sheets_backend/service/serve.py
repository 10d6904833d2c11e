"""Local mode: the service over a folder of .xlsx gradebooks, on 127.0.0.1, no Google sign-in."""

from __future__ import annotations

import ipaddress
import logging
import os
import signal
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

from werkzeug.serving import make_server

from sheets_backend.service.app import create_app
from sheets_backend.service.logs import configure_logging
from sheets_backend.service.settings import AuthMode, Config

log = logging.getLogger(__name__)


def local_config(folder: str | Path, environ: Mapping[str, str] | None = None,
                 **overrides: object) -> Config:
    """The config of local mode: every .xlsx in `folder`, auth explicitly off; other `HIVE_*`
    settings from `environ` if given."""
    if environ is not None:
        return Config.from_env(environ, auth=AuthMode.OFF, local_folder=str(folder), **overrides)
    return Config(auth=AuthMode.OFF, local_folder=str(folder), **overrides).checked()  # type: ignore[arg-type]


def serve(folder: str | Path, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve `folder` until interrupted. Refuses any address but loopback, since auth is off."""
    if not _is_loopback(host):
        raise ValueError(
            f"Local mode has no sign-in, so it only listens on 127.0.0.1 (asked for {host!r})."
        )
    if not Path(folder).is_dir():
        raise FileNotFoundError(f"No folder {str(folder)!r} to serve gradebooks from.")
    configure_logging()
    app = create_app(local_config(folder, os.environ))
    server = make_server(host, port, app, threaded=True)
    log.info("serving", extra={"url": f"http://{host}:{server.server_port}", "mode": "local"})
    # SIGTERM (a service manager's stop) ends the process as Ctrl-C does: through the normal
    # exit, whose atexit hook flushes every write-behind save first (deploy.md promises it).
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, _Stopped):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
        log.info("stopping: saving every workbook first", extra={"mode": "local"})


class _Stopped(Exception):
    """SIGTERM arrived."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise _Stopped()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
