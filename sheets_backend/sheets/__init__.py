"""The only code that speaks the Sheets API: the gateway, its bounded retry, the `Snapshot` it reads,
and the local Sheets service (`local/`), a `requests` transport over .xlsx files.

Imports only `errors` and `problems` from the rest of Hive.
"""
