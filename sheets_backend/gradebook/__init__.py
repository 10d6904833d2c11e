"""A snapshot read into a `Gradebook`: roster, outcomes, evidence, overrides, policies, problems.

Reads only: imports `problems`, `errors`, `i18n`, `policy_engine` and `sheets.snapshot` (the picture
it reads); never `sheets.gateway`, `sheets.local`, `tabs`, `reports`, `publish` or `service`.
"""
