"""`python -m sheets_backend ...`: see sheets_backend/cli.py."""

from sheets_backend.cli import main

raise SystemExit(main())
