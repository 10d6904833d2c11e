"""Hive's local Sheets service: Sheets API v4 (the part Hive uses) over .xlsx files, as a transport.

Read `docs/local-sheets.md`. Plug it into gspread with
`gspread.Client(auth=None, session=LocalSheets().session())`.
"""

from sheets_backend.sheets.local.faults import Faults
from sheets_backend.sheets.local.service import LocalSheets

__all__ = ["Faults", "LocalSheets"]
