"""`python -m sheets_backend publish --drive`: the service's publish job, run step by step here."""

from __future__ import annotations

from sheets_backend.cli import main
from sheets_backend.demo import write_gradebook
from sheets_backend.sheets.local import LocalSheets
from tests.sheets_backend.service.test_api_jobs import Drive


def test_the_cli_runs_the_publish_job_and_a_second_run_creates_nothing(tmp_path, capsys):
    write_gradebook(tmp_path / "class.xlsx", students=7, outcomes=2, scores_per_outcome=2, seed=3)
    assert main(["publish", str(tmp_path / "class.xlsx"), "--drive"]) == 0
    first = capsys.readouterr()
    assert "Published 7 reports: 7 new, 0 updated" in first.out
    assert first.err.splitlines()[-1] == "Publishing reports: 7 of 7"
    assert len(first.err.splitlines()) >= 3  # the folder, then 5 students a step
    assert main(["publish", str(tmp_path / "class.xlsx"), "--drive"]) == 0
    assert "Published 7 reports: 0 new, 7 updated" in capsys.readouterr().out
    drive = Drive(LocalSheets.from_folder(tmp_path, keep_drive=True))
    [folder] = drive.folders()
    assert len(drive.files_in(folder["id"])) == 7
