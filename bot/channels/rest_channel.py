"""Rasa's REST channel for development, `make shell`-style clients and tests, kept local.

Registered in ``credentials.yml`` as ``bot.channels.rest_channel.LocalRestInput`` in place
of Rasa's built-in ``rest:``. The URL stays ``POST /webhooks/rest/webhook``. Compared with
Rasa's :class:`~rasa.core.channels.rest.RestInput` it:

* refuses (403) every request that does not come straight from this machine: the socket's
  peer address must be loopback (127.0.0.0/8 or ::1), and a request that carries a proxy
  header (``Forwarded``, ``X-Forwarded-For``, ``X-Real-IP``) counts as remote, because a
  reverse proxy on the same machine connects from loopback. ``REST_CHANNEL_PUBLIC=1``
  lifts this check (only for a test set-up that needs it);
* refuses (413) a message longer than ``MAX_MESSAGE_CHARS`` (default 1000, the same
  limit as the widget and the console), with a JSON reason;
* refuses (400) a body that is not a JSON object, a ``message`` or ``sender`` that is not
  a string, and a lone surrogate anywhere (NUL characters are removed);
* refuses (400) ``/restart``: Rasa handles it even in a paused conversation, so it would
  reset the tracker of a conversation a person has and let the bot speak again;
* masks personal data in the message (:mod:`bot.privacy`) before Rasa sees it, exactly
  like the widget channel does.

The HTTP body size of every channel is capped for the whole server by bin/run
(``REQUEST_MAX_BYTES``). Production runs with ``credentials.production.yml``, which has no
REST channel at all.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.kb import default_store
from bot.language import ConversationStandards
from bot.privacy import mask_citizen_text
from bot.web.http import ApiError, clean_json
from bot.web.settings import SettingsError, WebSettings

__all__ = ["PROXY_HEADERS", "LocalRestInput", "is_local_request"]

PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")
"""Headers a reverse proxy adds; a request carrying one did not start on this machine."""

_MAX_CHARS_LIMIT = 10_000
_RESTART = re.compile(r"\s*/restart\b", re.IGNORECASE)
"""Rasa's restart command, the one message Rasa handles in a paused conversation."""


def _is_loopback(address: str) -> bool:
    """Whether ``address`` (an IP address, maybe with an IPv6 zone) is a loopback address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False  # a Unix socket or no address at all: not a known local client
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


def is_local_request(peer_ip: str, headers: Mapping[str, str]) -> bool:
    """Whether a request came straight from this machine (not through a proxy).

    Args:
        peer_ip: The socket's peer address (Sanic's ``request.ip``, never a header).
        headers: The request headers (case-insensitive mapping or lower-case keys).

    Returns:
        True for a loopback peer without proxy headers.
    """
    if any(headers.get(name) is not None for name in PROXY_HEADERS):
        return False
    return _is_loopback(peer_ip)


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(f"{name}={raw!r} is not a yes/no value; use 1 or 0 (default 0).")


def _max_chars(env: Mapping[str, str]) -> int:
    default = WebSettings.max_message_chars
    raw = env.get("MAX_MESSAGE_CHARS", "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= _MAX_CHARS_LIMIT:
        raise SettingsError(
            f"MAX_MESSAGE_CHARS={raw!r} must be a whole number from 1 to {_MAX_CHARS_LIMIT} "
            f"(default {default})."
        )
    return value


def _refusal(status: int, code: str, message: str, **extra: Any) -> HTTPResponse:
    return response.json({"error": code, "message": message, **extra}, status=status)


class LocalRestInput(RestInput):
    """Rasa's REST channel, for local clients only and with a message length cap."""

    def __init__(self, public: bool = False, max_message_chars: int = 1000) -> None:
        """Create the channel.

        Args:
            public: Accept requests from any address (``REST_CHANNEL_PUBLIC=1``).
            max_message_chars: Longest message text (``MAX_MESSAGE_CHARS``).
        """
        self.public = public
        self.max_message_chars = max_message_chars
        self.standards = ConversationStandards()

    @classmethod
    def name(cls) -> str:
        """Keep Rasa's name, so the URL stays ``/webhooks/rest/webhook``."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Build the channel from the environment (``credentials.yml`` takes no options).

        Raises:
            SettingsError: If ``REST_CHANNEL_PUBLIC`` or ``MAX_MESSAGE_CHARS`` is unusable.
        """
        return cls(
            public=_flag(os.environ, "REST_CHANNEL_PUBLIC"),
            max_message_chars=_max_chars(os.environ),
        )

    def refusal(self, request: Request) -> HTTPResponse | None:
        """Check a request before Rasa sees it.

        Masks personal data in the message of a request that may go on.

        Returns:
            The error response (403, 400 or 413), or None if the request may go on.
        """
        if not self.public and not is_local_request(request.ip, request.headers):
            return _refusal(
                403,
                "forbidden",
                "The REST channel only answers clients on this machine. Use the chat "
                "widget's API (/webhooks/alver) instead.",
            )
        if request.method != "POST":
            return None
        body = request.json
        if not isinstance(body, dict):
            return _refusal(400, "invalid_body", "The body must be a JSON object.")
        try:  # NUL removed, a lone surrogate refused (it gave a 500), in the parsed body
            cleaned = clean_json(body)
        except ApiError as error:
            return _refusal(error.status, error.code, error.message)
        body.clear()
        body.update(cleaned)
        for name in ("message", "sender"):
            if body.get(name) is not None and not isinstance(body[name], str):
                return _refusal(400, "invalid_body", f"'{name}' must be a string.", field=name)
        text = body.get("message")
        if isinstance(text, str) and _RESTART.match(text):
            return _refusal(
                400,
                "command_refused",
                "'/restart' is refused: it would un-pause a conversation a person has and let "
                "the bot speak. Start a new conversation with another sender id instead.",
            )
        if isinstance(text, str) and len(text) > self.max_message_chars:
            return _refusal(
                413,
                "message_too_long",
                f"The message is longer than {self.max_message_chars} characters.",
                max_chars=self.max_message_chars,
            )
        if isinstance(text, str):
            # Rasa's handler reads the same parsed body: it only ever sees the masked text,
            # whose "[telefonnummer fjerna]" is in the conversation's standard.
            language = self.standards.observe(str(body.get("sender") or "default"), text)
            body["message"] = mask_citizen_text(text, language, default_store().get()).text
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's REST routes, with :meth:`refusal` run before each of them."""
        bp = super().blueprint(on_new_message)

        @bp.middleware("request")
        async def check(request: Request) -> HTTPResponse | None:
            return self.refusal(request)

        return bp
