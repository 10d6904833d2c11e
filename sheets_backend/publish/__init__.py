"""Sending reports out: private HTML files locally (`local`), private spreadsheets on Drive (`google`).

Imports `reports`, `tabs`, `gradebook`, `i18n` and `sheets.gateway`; never `sheets.local` or
`service`.
"""
