"""Hive's backend: a gradebook read from a spreadsheet, evaluated by `policy_engine`, written back.

Data flows one way through the subpackages: `sheets` (the only code that speaks the Sheets API)
reads a `Snapshot`; `gradebook` turns it into evidence and policies; `policy_engine` evaluates;
`reports` says it in plain words; `tabs` renders Hive's tabs and the write plan; `publish` sends
reports out; `service` is the Flask app. At the top: `recompute` (read -> evaluate -> write),
`cli`, `demo`, `runtime`, and the shared vocabulary `problems` and `errors`.
"""
