"""Server logs rotate daily and expire with the retention period (bot/logfiles.py, bin/run)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.logfiles import RetentionFileHandler, retention_days

ROOT = Path(__file__).resolve().parents[1]
DAY = 86_400


def _aged(path: Path, days: float, now: float) -> Path:
    path.write_text("old line\n", encoding="utf-8")
    os.utime(path, (now - days * DAY, now - days * DAY))
    return path


@pytest.mark.parametrize(
    ("keep", "ages", "left"), [(30, [1, 29, 31, 90], [1, 29]), (1, [0.5, 2], [0.5])]
)
def test_rotated_logs_older_than_the_retention_period_are_deleted(
    tmp_path: Path, keep: int, ages: list[float], left: list[float]
) -> None:
    now = time.time()
    current = tmp_path / "rasa.log"
    files = {age: _aged(tmp_path / f"rasa.log.{i:04d}", age, now) for i, age in enumerate(ages)}
    other = _aged(tmp_path / "unrelated.txt", 400, now)
    handler = RetentionFileHandler(current, keep)  # expires at start
    handler.close()
    assert sorted(age for age, path in files.items() if path.exists()) == left
    assert other.exists() and current.exists()


def test_rollover_rotates_and_expires(tmp_path: Path) -> None:
    now = time.time()
    old = _aged(tmp_path / "actions.log.2026-01-01", 40, now)
    handler = RetentionFileHandler(tmp_path / "actions.log", 30)
    old_again = _aged(tmp_path / "actions.log.2026-01-02", 40, now)
    handler.doRollover()
    handler.close()
    rotated = sorted(p.name for p in tmp_path.iterdir())
    assert not old.exists() and not old_again.exists()
    assert "actions.log" in rotated and len(rotated) == 2  # the current file and today's


def test_the_pipe_writes_every_line_to_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "log" / "rasa.log"
    lines = "first line\nsecond 100% line\nbroken \xff byte\n".encode("latin-1")
    subprocess.run(
        [sys.executable, "-m", "bot.logfiles", str(path)],
        input=lines,
        check=True,
        cwd=ROOT,
        env={**os.environ, "RETENTION_DAYS": "7", "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    written = path.read_text(encoding="utf-8").splitlines()
    assert written == ["first line", "second 100% line", "broken \ufffd byte"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(("value", "days"), [("", 30), ("7", 7), (" 365 ", 365)])
def test_retention_days_setting(value: str, days: int) -> None:
    assert retention_days({"RETENTION_DAYS": value}) == days


@pytest.mark.parametrize("value", ["0", "-1", "thirty", "3651"])
def test_retention_days_rejects_bad_values(value: str) -> None:
    with pytest.raises(ValueError, match="RETENTION_DAYS"):
        retention_days({"RETENTION_DAYS": value})
