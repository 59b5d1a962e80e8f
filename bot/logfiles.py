"""Log files that rotate daily and expire with the retention period (``bin/run`` with ``LOG_DIR``).

``bin/run`` pipes each server's output through ``python -m bot.logfiles PATH``: lines go to
``PATH`` (e.g. ``var/log/rasa.log``), which is rotated at midnight UTC to
``PATH.YYYY-MM-DD``; rotated files older than ``RETENTION_DAYS`` [30] are deleted at start
and at every rotation, so logs never outlive the conversations they might mention. Files
are created with mode 0600. Built on the standard library's
:class:`logging.handlers.TimedRotatingFileHandler`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from logging.handlers import TimedRotatingFileHandler
from pathlib import Path

__all__ = ["RetentionFileHandler", "main", "retention_days"]


def retention_days(environ: dict[str, str] | None = None) -> int:
    """``RETENTION_DAYS`` [30], from 1 to 3650 (as :mod:`bot.web.settings` reads it).

    Raises:
        ValueError: If the value is not a whole number from 1 to 3650.
    """
    raw = (os.environ if environ is None else environ).get("RETENTION_DAYS", "").strip()
    if not raw:
        return 30
    if not raw.isdigit() or not 1 <= int(raw) <= 3650:
        raise ValueError(f"RETENTION_DAYS={raw!r} must be a whole number of days from 1 to 3650.")
    return int(raw)


class RetentionFileHandler(TimedRotatingFileHandler):
    """Rotates at midnight UTC and deletes rotated files older than ``days``."""

    def __init__(self, path: Path, days: int) -> None:
        """Open ``path`` for appending and delete expired rotated files.

        Args:
            path: The current log file.
            days: Rotated files older than this many days are deleted.
        """
        self.days = days
        path.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(path, when="midnight", backupCount=days, encoding="utf-8", utc=True)
        self.expire()

    def doRollover(self) -> None:  # noqa: N802 - the standard library's name
        """Rotate, then delete expired files."""
        super().doRollover()
        self.expire()

    def expire(self, now: float | None = None) -> list[Path]:
        """Delete rotated files (``NAME.*``) last written more than ``days`` days ago.

        Returns:
            The deleted files.
        """
        current = Path(self.baseFilename)
        cutoff = (time.time() if now is None else now) - self.days * 86_400
        deleted = []
        for candidate in current.parent.glob(current.name + ".*"):
            try:
                if candidate.stat().st_mtime < cutoff:
                    candidate.unlink()
                    deleted.append(candidate)
            except FileNotFoundError:
                continue
        return deleted


def main(argv: list[str] | None = None) -> int:
    """Copy standard input to a rotating log file, line by line, until end of input."""
    parser = argparse.ArgumentParser(prog="python -m bot.logfiles", description=__doc__)
    parser.add_argument("path", type=Path, help="the log file, e.g. var/log/rasa.log")
    args = parser.parse_args(argv)
    os.umask(0o077)  # logs may mention what citizens asked: owner only
    handler = RetentionFileHandler(args.path, retention_days())
    handler.setFormatter(logging.Formatter("%(message)s"))
    for raw in sys.stdin.buffer:
        line = raw.decode("utf-8", errors="replace").rstrip("\n")
        handler.emit(logging.makeLogRecord({"msg": line, "levelno": logging.INFO}))
    handler.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
