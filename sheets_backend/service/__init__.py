"""The Flask service the add-on calls, and everything only it uses: auth, settings, the error
envelope, request fields, rate limit, locks, logs, the WSGI entry point, `serve` and the preview.

The only package that imports Flask. It may import every other package (and `recompute`).
"""
