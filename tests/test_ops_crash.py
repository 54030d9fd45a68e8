"""A reduced crash test: 10 s of load through gunicorn, kill -9 a worker, then everything."""

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.mark.slow
def test_kill_9_loses_no_acknowledged_submission(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    crash_test = __import__("crash_test")
    check = crash_test.crash_run(seconds=10, clients=4, folder=tmp_path)
    assert check["events"][0].startswith("killed worker")
    assert check["events"][1:] == ["killed master and workers", "restarted"]
    assert check["acknowledged"] > 0
    assert check["missing"] == [] and check["duplicated"] == []
    assert check["integrity"] == "ok"
    sys.modules.pop("crash_test", None)
