"""The entry points' collector settings: fewer collections, start-up objects never walked again."""

from __future__ import annotations

import subprocess
import sys

from sheets_backend import runtime


def test_tuning_raises_the_thresholds_and_freezes_what_exists() -> None:
    code = (
        "import gc, sys\n"
        "from sheets_backend.runtime import tune_garbage_collector\n"
        "before = gc.get_freeze_count()\n"
        "tune_garbage_collector()\n"
        "print(*gc.get_threshold(), gc.get_freeze_count() > before)\n"
    )
    # In a child: the collector's settings are process-wide, and this test process keeps its own.
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    expected = [str(n) for n in (runtime.YOUNG_THRESHOLD, *runtime.OLDER_THRESHOLDS)]
    assert out.stdout.split() == [*expected, "True"]


def test_the_gunicorn_entry_point_tunes_the_collector(tmp_path) -> None:
    code = (
        "import gc\n"
        "import sheets_backend.service.wsgi\n"
        "print(gc.get_threshold()[0])\n"
    )
    env = {"HIVE_AUTH": "off", "HIVE_LOCAL_FOLDER": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env, cwd=runtime.__file__.rsplit("/sheets_backend/", 1)[0])
    assert out.stdout.strip() == str(runtime.YOUNG_THRESHOLD)
