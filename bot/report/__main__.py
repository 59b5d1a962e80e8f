"""``python -m bot.report --from 2026-01-01 --to 2026-12-31 --out rapport/``."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from bot.handoff.store import HandoffStore
from bot.kb.store import default_store

from . import make_report


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


def main(argv: list[str] | None = None) -> int:
    """Write the report's CSV files, charts and HTML page; print where."""
    parser = argparse.ArgumentParser(prog="python -m bot.report", description=__doc__)
    parser.add_argument("--from", dest="start", type=_day, required=True, help="first day")
    parser.add_argument("--to", dest="end", type=_day, required=True, help="last day")
    parser.add_argument("--out", type=Path, required=True, help="folder for the files")
    parser.add_argument("--database", default=None, help="default: HANDOFF_DATABASE_URL")
    args = parser.parse_args(argv)
    if args.end < args.start:
        parser.error("--to is before --from")
    with HandoffStore(args.database) as store:
        written = make_report(store, default_store().get(), args.start, args.end, args.out)
    print(f"Wrote {len(written)} files; open {written['rapport.html']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
