"""The gunicorn entry point on App Engine: `gunicorn sheets_backend.service.wsgi:app`, configured by HIVE_*.

The one module-level app in Hive, because gunicorn imports one; everything else uses create_app.
"""

from __future__ import annotations

import os

from sheets_backend.runtime import tune_garbage_collector
from sheets_backend.service.app import create_app
from sheets_backend.service.logs import configure_logging
from sheets_backend.service.settings import Config

config = Config.from_env(os.environ)
configure_logging(config.log_level)
app = create_app(config)
tune_garbage_collector()  # after the app (and, in local mode, its workbooks) is loaded
