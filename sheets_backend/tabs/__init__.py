"""Hive's own output tabs (Mastery, Student Summary, Groups) and the write plan that sets them.

Imports `gradebook`, `reports`, `i18n`, `problems` and `sheets.snapshot`; never `sheets.gateway`,
`sheets.local`, `publish` or `service`: a plan is data, the gateway applies it.
"""
