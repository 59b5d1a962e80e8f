"""Staff user tool: ``python -m bot.console add-user USERNAME --first-name NAME --role staff``.

Same commands as ``python -m bot.handoff.cli`` (``add-user``, ``list-users``,
``deactivate``, ``activate``). Without ``--database-url`` it uses the database of
the running bot: ``$HANDOFF_DATABASE_URL``, else ``sqlite:///var/handoff.sqlite3``
relative to the repository root (exactly like :class:`bot.web.settings.WebSettings`).
The password is asked for, or read from ``$HANDOFF_PASSWORD``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from bot.handoff.cli import main as cli_main
from bot.web.settings import DEFAULT_DATABASE_URL, SettingsError, resolve_database_url


def main(argv: Sequence[str] | None = None) -> int:
    """Run the staff user tool and return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not any(a == "--database-url" or a.startswith("--database-url=") for a in args):
        raw = os.environ.get("HANDOFF_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
        try:
            url = resolve_database_url(raw)
        except SettingsError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if args and not args[0].startswith("-"):
            args = [args[0], "--database-url", url, *args[1:]]
    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
