"""Helpers shared by the actions: a base class with an injected clock and knowledge base,
the citizen's language, the latest message's entities, and replies by message name."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.kb import KnowledgeBase, default_store
from bot.kb.hours import now_oslo
from bot.language import answer_language
from bot.messages import render

# Values of the categorical slot ``pending_question`` (domain.yml): the question the bot
# is waiting for a yes or no to. The rules in data/rules/handoff.yml read it; every
# other intent resets it to NOTHING_PENDING through the slot's mapping.
NOTHING_PENDING = "nothing"
HANDOFF_REQUESTED = "handoff_requested"
HANDOFF_NOT_UNDERSTOOD = "handoff_not_understood"


def current_knowledge_base() -> KnowledgeBase:
    """The current knowledge base (reloaded when an editor saves a file)."""
    return default_store().get()


class KnowledgeBaseAction(Action, ABC):
    """An action that reads the knowledge base and the clock, both injected.

    rasa_sdk creates actions without arguments, so the defaults are the live ones;
    tests pass a fixed clock and the fixture knowledge base.

    Args:
        clock: Returns the current time in Europe/Oslo.
        knowledge_base: Returns the knowledge base to answer from.
    """

    def __init__(
        self,
        clock: Callable[[], datetime] = now_oslo,
        knowledge_base: Callable[[], KnowledgeBase] = current_knowledge_base,
    ) -> None:
        self.clock = clock
        self.knowledge_base = knowledge_base

    @abstractmethod
    def name(self) -> str:
        """The action's name in domain.yml."""


def language_of(tracker: Tracker) -> str:
    """The written standard to answer in: the latest message's, else the conversation's.

    The one rule for every action (bot.language.answer_language); earlier messages
    count when the conversation was started by a weak signal only ("søppel").
    """
    entities = (tracker.latest_message or {}).get("entities") or []
    earlier = [
        (event.get("parse_data") or {}).get("entities") or []
        for event in reversed(tracker.events or [])
        if event.get("event") == "user"
    ]
    return answer_language(entities, tracker.get_slot("language"), earlier)


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    """The value of the first ``entity`` in the latest message, if any."""
    for item in tracker.latest_message.get("entities") or []:
        if item.get("entity") == entity and item.get("value"):
            return str(item["value"])
    return None


def latest_entities(tracker: Tracker, entity: str) -> list[dict[str, Any]]:
    """Every ``entity`` in the latest message."""
    return [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == entity]


def latest_intent(tracker: Tracker) -> str:
    """The intent of the latest message."""
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def say(
    dispatcher: CollectingDispatcher,
    message: str,
    language: str,
    kb: KnowledgeBase | None = None,
    **values: Any,
) -> None:
    """Sends the named message from bot/messages.yml in ``language``.

    Args:
        dispatcher: Collects the reply.
        message: The message's name in the catalogue.
        language: nn, nb or en.
        kb: Fills the catalogue's common placeholders ({municipality}, {phone}, ...).
        **values: The message's other placeholders.
    """
    dispatcher.utter_message(text=render(message, language, kb=kb, **values))


def yes_no_buttons(language: str) -> list[dict[str, str]]:
    """The "Ja, takk" / "Nei, takk" quick replies."""
    return [
        {"title": render("button_yes", language), "payload": "/affirm"},
        {"title": render("button_no", language), "payload": "/deny"},
    ]
