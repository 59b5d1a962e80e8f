"""Settings of the chat widget and staff console, read from environment variables.

Every setting has a default that works on a developer's machine. A bad value
raises :class:`SettingsError` naming the variable, so a typo in a deployment
stops the server at start-up instead of misbehaving later.

Variables (default in brackets):

* ``HANDOFF_DATABASE_URL`` [``sqlite:///var/handoff.sqlite3``]: SQLAlchemy URL; relative
  SQLite paths are relative to the repository root.
* ``BOT_SECRET_KEY`` [generated once into ``var/secret.key``, mode 0600]: key for
  conversation tokens (at least 32 characters).
* ``MAX_MESSAGE_CHARS`` [1000]: longest citizen or staff message.
* ``RATE_LIMIT_CONVERSATION_PER_MIN`` [20]: citizen messages per conversation per minute.
* ``RATE_LIMIT_IP_PER_MIN`` [60]: citizen API writes (new conversations, messages, ...)
  per client IP per minute; reads such as the long-poll for events do not count.
* ``HANDOFF_CLAIM_TIMEOUT_SECONDS`` [180]: waiting time before going back to the bot.
* ``STAFF_PRESENCE_SECONDS`` [60]: a staff member counts as signed in this long after
  their last console poll.
* ``RETENTION_DAYS`` [30]: conversations idle longer than this are deleted.
* ``LONG_POLL_SECONDS`` [25]: longest wait of a long-poll request.
* ``BOT_TURN_TIMEOUT_SECONDS`` [4]: longest wait for the bot's answer to a widget message
  (the action server slow or hanging); after it the citizen gets the system message with
  the phone number and the turn is cancelled, which frees the conversation's lock.
* ``CONSOLE_COOKIE_SECURE`` [0]: 1 sends the console cookie over HTTPS only.
* ``CONSOLE_SESSION_HOURS`` [10]: a console login lasts this long.
* ``HANDOFF_ALWAYS_OPEN`` [0]: **tests and demos only**: 1 makes the desk count as open
  whatever the clock says (a staff member must still be signed in).
* ``TRUSTED_PROXIES`` [empty = none]: comma-separated IP addresses or CIDR networks of
  the reverse proxies in front of the server (e.g. ``127.0.0.1`` or ``10.0.0.0/24``). Only
  for requests from these is the client's IP taken from ``X-Forwarded-For`` (the
  right-most address that is not a proxy); see :mod:`bot.web.proxy`.
* ``WIDGET_ALLOWED_ORIGINS`` [empty = any origin]: comma-separated origins (scheme and
  host, e.g. ``https://www.alver.kommune.no,https://alver.kommune.no``) whose pages may
  call the citizen API from the browser (CORS). Empty: any origin (``*``), which is safe
  because the API uses bearer tokens, never cookies; see :mod:`bot.web.cors`.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from .cors import parse_origins
from .proxy import IPNetwork, parse_trusted_proxies

__all__ = [
    "DEFAULT_DATABASE_URL",
    "REPO_ROOT",
    "SettingsError",
    "WebSettings",
    "resolve_database_url",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The repository root; relative paths in settings are relative to it."""

DEFAULT_DATABASE_URL = "sqlite:///var/handoff.sqlite3"
SECRET_KEY_FILE = Path("var") / "secret.key"
_MIN_SECRET_LENGTH = 32
# How long a process that finds the key file waits for the one writing it.
_KEY_WRITE_WAIT_S = 1.0


class SettingsError(ValueError):
    """An environment variable has a value that cannot be used."""


def resolve_database_url(url: str, root: Path = REPO_ROOT) -> str:
    """Make a relative SQLite path absolute (relative to ``root``) and create its folder.

    Args:
        url: A SQLAlchemy database URL.
        root: Folder that relative SQLite paths are relative to.

    Returns:
        The URL, with an absolute file path for SQLite.

    Raises:
        SettingsError: If the URL cannot be parsed.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise SettingsError(
            f"HANDOFF_DATABASE_URL={url!r} is not a database URL ({exc}). "
            "Use e.g. sqlite:///var/handoff.sqlite3 or postgresql+psycopg2://user:pw@host/db."
        ) from None
    if parsed.get_backend_name() != "sqlite":
        return url
    if parsed.database in (None, "", ":memory:"):
        raise SettingsError(
            "HANDOFF_DATABASE_URL must not be in-memory SQLite: use a file such as "
            "sqlite:///var/handoff.sqlite3."
        )
    path = Path(parsed.database).expanduser()
    if not path.is_absolute():
        path = root / path
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(parsed.set(database=str(path)))


def _int(env: Mapping[str, str], name: str, default: int, minimum: int, maximum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(
            f"{name}={raw!r} is not a whole number; use a value from {minimum} to {maximum} "
            f"(default {default})."
        ) from None
    if not minimum <= value <= maximum:
        raise SettingsError(
            f"{name}={value} is out of range; use a value from {minimum} to {maximum} "
            f"(default {default})."
        )
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={raw!r} is not a yes/no value; use 1 or 0.")


def _origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    try:
        return parse_origins(env.get(name, ""))
    except ValueError as exc:
        raise SettingsError(f"{name}: {exc}") from None


def _proxies(env: Mapping[str, str], name: str) -> tuple[IPNetwork, ...]:
    try:
        return parse_trusted_proxies(env.get(name, ""))
    except ValueError as exc:
        raise SettingsError(f"{name}: {exc}") from None


def _read_secret_key(path: Path) -> bytes:
    """The key in ``path``, waiting up to a second for a process that is still writing it.

    Raises:
        SettingsError: If the file still holds no usable key after that.
    """
    deadline = time.monotonic() + _KEY_WRITE_WAIT_S
    while True:
        key = path.read_text(encoding="utf-8").strip()
        if len(key) >= _MIN_SECRET_LENGTH:
            return key.encode("utf-8")
        if time.monotonic() >= deadline:
            raise SettingsError(
                f"{path} holds no usable key (BOT_SECRET_KEY is not set). Delete the file "
                "to generate a new key, or set BOT_SECRET_KEY."
            )
        time.sleep(0.02)


def _secret_key(env: Mapping[str, str], root: Path) -> bytes:
    raw = env.get("BOT_SECRET_KEY", "").strip()
    if raw:
        if len(raw) < _MIN_SECRET_LENGTH:
            raise SettingsError(
                f"BOT_SECRET_KEY is too short ({len(raw)} characters); use at least "
                f"{_MIN_SECRET_LENGTH} random characters, e.g. from "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        return raw.encode("utf-8")
    path = root / SECRET_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret_key(path)
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key.encode("utf-8")


@dataclass(frozen=True)
class WebSettings:
    """All settings of the widget and console channels (see the module docstring).

    Attributes:
        database_url: Handoff database URL (``HANDOFF_DATABASE_URL``), SQLite paths absolute.
        secret_key: Key for conversation tokens (``BOT_SECRET_KEY``).
        max_message_chars: Longest message text (``MAX_MESSAGE_CHARS``).
        rate_limit_conversation_per_min: Citizen messages per conversation per minute.
        rate_limit_ip_per_min: Citizen API requests per IP per minute.
        handoff_claim_timeout_seconds: Waiting time before going back to the bot.
        staff_presence_seconds: How long after the last poll a staff member counts as present.
        retention_days: Conversations idle longer than this are deleted.
        long_poll_seconds: Longest long-poll wait.
        bot_turn_timeout_seconds: Longest wait for the bot's answer to a widget message.
        console_cookie_secure: Send the console cookie over HTTPS only.
        console_session_hours: Lifetime of a console login.
        always_open: Tests and demos only: the desk counts as open at any time
            (``HANDOFF_ALWAYS_OPEN=1``). Staff presence is still required.
        widget_allowed_origins: Origins that may call the citizen API (CORS); empty
            means any origin (``WIDGET_ALLOWED_ORIGINS``).
        trusted_proxies: Reverse proxies whose ``X-Forwarded-For`` is believed.
        expire_interval_seconds: How often waiting conversations are checked for timeout.
        purge_interval_seconds: How often old data is purged.
    """

    database_url: str
    secret_key: bytes
    max_message_chars: int = 1000
    rate_limit_conversation_per_min: int = 20
    rate_limit_ip_per_min: int = 60
    handoff_claim_timeout_seconds: int = 180
    staff_presence_seconds: int = 60
    retention_days: int = 30
    long_poll_seconds: int = 25
    bot_turn_timeout_seconds: int = 4
    console_cookie_secure: bool = False
    console_session_hours: int = 10
    always_open: bool = False
    widget_allowed_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[IPNetwork, ...] = ()
    expire_interval_seconds: float = 10.0
    purge_interval_seconds: float = 3600.0

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, root: Path = REPO_ROOT
    ) -> WebSettings:
        """Read the settings from the environment.

        Args:
            environ: Variables to read (default ``os.environ``).
            root: Folder that relative paths (SQLite file, ``var/secret.key``) are relative to.

        Returns:
            The settings.

        Raises:
            SettingsError: If a variable has a bad value; the message names it.
        """
        env = os.environ if environ is None else environ
        url = env.get("HANDOFF_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
        return cls(
            database_url=resolve_database_url(url, root),
            secret_key=_secret_key(env, root),
            max_message_chars=_int(env, "MAX_MESSAGE_CHARS", 1000, 1, 10_000),
            rate_limit_conversation_per_min=_int(
                env, "RATE_LIMIT_CONVERSATION_PER_MIN", 20, 1, 100_000
            ),
            rate_limit_ip_per_min=_int(env, "RATE_LIMIT_IP_PER_MIN", 60, 1, 1_000_000),
            handoff_claim_timeout_seconds=_int(
                env, "HANDOFF_CLAIM_TIMEOUT_SECONDS", 180, 1, 86_400
            ),
            staff_presence_seconds=_int(env, "STAFF_PRESENCE_SECONDS", 60, 5, 3_600),
            retention_days=_int(env, "RETENTION_DAYS", 30, 1, 3_650),
            long_poll_seconds=_int(env, "LONG_POLL_SECONDS", 25, 0, 55),
            bot_turn_timeout_seconds=_int(env, "BOT_TURN_TIMEOUT_SECONDS", 4, 1, 50),
            console_cookie_secure=_bool(env, "CONSOLE_COOKIE_SECURE", False),
            console_session_hours=_int(env, "CONSOLE_SESSION_HOURS", 10, 1, 24 * 30),
            always_open=_bool(env, "HANDOFF_ALWAYS_OPEN", False),
            widget_allowed_origins=_origins(env, "WIDGET_ALLOWED_ORIGINS"),
            trusted_proxies=_proxies(env, "TRUSTED_PROXIES"),
        )
