"""What one student's progress report says (`content`) and its private HTML page (`html`).

Pure rendering: imports `gradebook`, `i18n` and `policy_engine`; never the Sheets API, `tabs`,
`publish` or `service`. One student's data per report, never another's.
"""
