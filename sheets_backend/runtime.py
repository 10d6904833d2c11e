"""Process-wide settings for Hive's long-running entry points (gunicorn, `serve`, the CLI).

Only entry points call this: a library function that changed the collector would surprise whoever
imported it (tests included).
"""

from __future__ import annotations

import gc

# First-generation threshold. CPython's default (700) suits small heaps: a typical class's recompute
# (150 x 30 x 10) holds about 300,000 more containers at its peak (the rendered rows and the parsed
# request body) than before it started, so at 700 the collector ran thousands of times per request,
# re-walking those live objects each time: 40% of a recompute, measured. Almost all of them are freed
# by reference counting when the request ends (Hive makes no cycles of its own; libraries leave
# about 700 objects in cycles per recompute, measured), so a threshold above that peak means a
# request is rarely interrupted, and the collector still runs every few dozen requests.
YOUNG_THRESHOLD = 1_000_000
OLDER_THRESHOLDS = (20, 20)


def tune_garbage_collector() -> None:
    """Collect rarely, and never again walk what exists at start-up (imports, loaded workbooks)."""
    gc.collect()
    gc.freeze()  # start-up objects move to a generation the collector no longer scans
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
