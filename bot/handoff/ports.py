"""The ports of :class:`bot.handoff.service.HandoffService`: what it needs from outside.

The service takes these collaborators by constructor, so it imports no web framework
and no Rasa code: the web layer passes its presence table, change notifier, settings
and a :class:`TrackerPort` backed by Rasa's agent (``bot.web.trackers.RasaTrackers``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from bot.handoff.states import HandoffState

__all__ = [
    "BotReply",
    "NoTracker",
    "Notifier",
    "PresencePort",
    "Refused",
    "ServiceSettings",
    "TrackerPort",
]


class TrackerPort(Protocol):
    """Tells Rasa's dialogue tracker who has the conversation.

    ``pause``: a person took it, the bot must not predict any more; ``resume``: the bot
    has it again; ``forget``: the conversation was deleted.
    """

    async def pause(self, conversation_id: str) -> None: ...

    async def resume(self, conversation_id: str) -> None: ...

    async def forget(self, conversation_id: str) -> None: ...


class NoTracker:
    """A :class:`TrackerPort` that does nothing (tests, and servers without an agent)."""

    async def pause(self, conversation_id: str) -> None:
        """Do nothing."""

    async def resume(self, conversation_id: str) -> None:
        """Do nothing."""

    async def forget(self, conversation_id: str) -> None:
        """Do nothing."""


class Notifier(Protocol):
    """Wakes the long-polls of this process (``bot.web.state.ChangeNotifier``)."""

    def notify(self) -> None: ...


class PresencePort(Protocol):
    """The presence and flag operations the service uses (``bot.web.presence.Presence``)."""

    def staff_present(self, within: timedelta) -> bool: ...

    def set_offline_offer(self, conversation_id: str, offer: bool) -> None: ...

    def set_staff_typing(self, conversation_id: str, typing: bool = True) -> None: ...

    def delete_conversation(self, conversation_id: str) -> None: ...


class ServiceSettings(Protocol):
    """The settings the service reads (``bot.web.settings.WebSettings`` has them)."""

    @property
    def staff_presence_seconds(self) -> int: ...

    @property
    def handoff_claim_timeout_seconds(self) -> int: ...

    @property
    def always_open(self) -> bool: ...


class Refused(Exception):
    """A verb is not allowed now; ``code`` says why (the channel maps it to HTTP).

    Codes: ``not_waiting``, ``already_claimed``, ``not_claimed_by_you``.
    """

    def __init__(self, code: str, message: str, *, state: HandoffState | None = None) -> None:
        """Create the refusal.

        Args:
            code: Machine-readable reason.
            message: English explanation for the API client.
            state: The conversation's state, when it matters to the client.
        """
        super().__init__(message)
        self.code = code
        self.message = message
        self.state = state


@dataclass(frozen=True)
class BotReply:
    """One message of the bot's answer, as the channel understood Rasa's output."""

    text: str
    payload: dict[str, Any] | None = None
