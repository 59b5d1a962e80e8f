"""Command line tool to manage staff users of the handoff console.

Usage::

    python -m bot.handoff.cli add-user kari --first-name Kari --role staff
    python -m bot.handoff.cli list-users
    python -m bot.handoff.cli deactivate kari
    python -m bot.handoff.cli activate kari

The password is asked for interactively (twice), or taken from the environment
variable ``HANDOFF_PASSWORD`` for scripts and tests. The database is given with
``--database-url``, else ``$HANDOFF_DATABASE_URL``, else
``sqlite:///var/handoff.sqlite3`` (the folder is created if missing). Like the
bot, the tool brings the database to the newest schema first (Alembic migrations).

Exit codes: 0 success, 1 the action failed (e.g. duplicate username, unknown
user, password too short, database at a revision this bot does not know),
2 invalid command line (e.g. unknown role).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from .errors import HandoffError
from .passwords import MIN_PASSWORD_LENGTH, check_password_policy
from .records import StaffRole, StaffUser
from .store import DATABASE_URL_ENV, HandoffStore, database_url_from_env

__all__ = ["PASSWORD_ENV", "main"]

PASSWORD_ENV = "HANDOFF_PASSWORD"
"""Environment variable with the new user's password (for non-interactive use)."""

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class CliError(Exception):
    """An error to report to the user with exit code 1."""


def _build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--database-url",
        default=argparse.SUPPRESS,
        help=(
            f"SQLAlchemy database URL (default: ${DATABASE_URL_ENV} or "
            "sqlite:///var/handoff.sqlite3)"
        ),
    )
    parser = argparse.ArgumentParser(
        prog="python -m bot.handoff.cli",
        description="Manage staff users of the human-handoff console.",
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    add = commands.add_parser(
        "add-user",
        parents=[common],
        help="create a staff user",
        description=(
            f"Create a staff user. The password (at least {MIN_PASSWORD_LENGTH} characters) "
            f"is read from ${PASSWORD_ENV} or asked for interactively."
        ),
    )
    add.add_argument("username", metavar="USERNAME", help="login name (a-z, 0-9, '.', '_', '-')")
    add.add_argument("--first-name", required=True, help="first name shown to citizens")
    add.add_argument(
        "--role",
        default=StaffRole.STAFF.value,
        choices=[role.value for role in StaffRole],
        help="access role (default: staff)",
    )

    commands.add_parser("list-users", parents=[common], help="list all staff users")

    toggles = (("deactivate", "block a user from logging in"), ("activate", "unblock a user"))
    for name, text in toggles:
        command = commands.add_parser(name, parents=[common], help=text)
        command.add_argument("username", metavar="USERNAME")
    return parser


def _read_password() -> str:
    """Read the new password from the environment or interactively (asked twice)."""
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env is not None:
        return from_env
    try:
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Repeat password: ")
    except (EOFError, KeyboardInterrupt):
        raise CliError(
            f"No password given. Type it when asked, or set ${PASSWORD_ENV} for scripts."
        ) from None
    if first != second:
        raise CliError("The two passwords differ. Run the command again.")
    return first


def _format_users(users: Sequence[StaffUser]) -> str:
    if not users:
        return "No staff users yet. Create one with: add-user USERNAME --first-name NAME"
    header = ("ID", "USERNAME", "FIRST NAME", "ROLE", "ACTIVE", "CREATED (UTC)")
    rows = [
        (
            str(u.id),
            u.username,
            u.first_name,
            u.role.value,
            "yes" if u.active else "no",
            u.created_at.strftime("%Y-%m-%d %H:%M"),
        )
        for u in users
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )


def _run(args: argparse.Namespace, stdout: TextIO) -> int:
    database_url = getattr(args, "database_url", None) or database_url_from_env()
    if args.command == "add-user":
        # Check the password before opening the database, so a typo costs nothing.
        password = _read_password()
        check_password_policy(password)
        with HandoffStore(database_url) as store:
            user = store.users.add(args.username, args.first_name, password, args.role)
        print(f"Created {user.role.value} user '{user.username}' (id {user.id}).", file=stdout)
        return EXIT_OK

    with HandoffStore(database_url) as store:
        if args.command == "list-users":
            print(_format_users(store.users.list()), file=stdout)
            return EXIT_OK
        if args.command in ("deactivate", "activate"):
            found = store.users.get_by_username(args.username)
            if found is None:
                raise CliError(
                    f"No staff user named {args.username!r}. See existing users with 'list-users'."
                )
            active = args.command == "activate"
            user = store.users.set_active(found.id, active)
            state = "active" if user.active else "deactivated"
            print(f"User '{user.username}' is now {state}.", file=stdout)
            return EXIT_OK
    raise CliError(f"Unknown command {args.command!r}.")  # pragma: no cover - argparse guards


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the staff user tool.

    Args:
        argv: Command line arguments without the program name; defaults to
            ``sys.argv[1:]``.
        stdout: Where normal output goes (default ``sys.stdout``).
        stderr: Where errors go (default ``sys.stderr``).

    Returns:
        The exit code: 0 success, 1 the action failed, 2 invalid command line.
    """
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    parser = _build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # argparse exits on --help and on usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return _run(args, out)
    except (CliError, HandoffError, ValueError) as exc:
        print(f"error: {exc}", file=err)
        return EXIT_FAILED
    except SQLAlchemyError as exc:
        print(
            f"error: the database could not be used ({type(exc).__name__}: {exc}). "
            f"Check --database-url / ${DATABASE_URL_ENV} and that the database is reachable.",
            file=err,
        )
        return EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
