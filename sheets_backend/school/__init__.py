"""The school: one school workbook over every teacher's gradebook, read, recomputed and aggregated.

`workbook` reads the school's own tabs, `course` recomputes one gradebook (a job step),
`aggregate` reads every gradebook's result once, `tabs` renders the school's Hive tabs (Students,
Mentors, Courses), `run` ties them together, `publish` writes cross-course and mentor pages.
Imports `recompute`, `tabs`, `reports`, `publish`, `gradebook`, `sheets`, `i18n`, `demo`; only
`cli` (and later `service`) imports it.
"""
