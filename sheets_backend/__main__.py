"""`python -m sheets_backend ...`: see sheets_backend/cli.py."""

from sheets_backend.cli import main
from sheets_backend.runtime import tune_garbage_collector

tune_garbage_collector()
raise SystemExit(main())
