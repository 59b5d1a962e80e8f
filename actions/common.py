"""Helpers shared by the actions: language, entities, clock and knowledge base."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.kb import KnowledgeBase, default_store
from bot.kb.hours import now_oslo
from bot.language import DEFAULT_LANGUAGE
from bot.messages import render

# The current time in Europe/Oslo; tests replace it to test fixed moments.
clock: Callable[[], datetime] = now_oslo

NOT_UNDERSTOOD_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
_BOOKKEEPING_ACTIONS = frozenset({"action_listen", "action_extract_slots", "action_session_start"})


def knowledge_base() -> KnowledgeBase:
    """The current knowledge base (reloaded when an editor saves a file)."""
    return default_store().get()


def language_of(tracker: Tracker) -> str:
    """The written standard to answer in: the ``language`` slot, Nynorsk by default."""
    value = tracker.get_slot("language")
    return value if value in ("nn", "nb", "en") else DEFAULT_LANGUAGE


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    """The value of the first ``entity`` in the latest message, if any."""
    for item in tracker.latest_message.get("entities") or []:
        if item.get("entity") == entity and item.get("value"):
            return str(item["value"])
    return None


def latest_entities(tracker: Tracker, entity: str) -> list[dict[str, Any]]:
    return [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == entity]


def latest_intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def previous_bot_action(tracker: Tracker) -> str | None:
    """The last action the bot ran before the latest user message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif seen_user and event.get("event") == "action":
            name = event.get("name")
            if name not in _BOOKKEEPING_ACTIONS:
                return str(name)
    return None


def previous_user_intent(tracker: Tracker) -> str | None:
    """The intent of the user message before the latest one."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    if len(users) < 2:
        return None
    return str(((users[-2].get("parse_data") or {}).get("intent") or {}).get("name") or "")


def say(dispatcher: CollectingDispatcher, message: str, language: str, **values: Any) -> None:
    """Sends the named message from bot/messages.yml in ``language``."""
    dispatcher.utter_message(text=render(message, language, **values))


def yes_no_buttons(language: str) -> list[dict[str, str]]:
    return [
        {"title": render("button_yes", language), "payload": "/affirm"},
        {"title": render("button_no", language), "payload": "/deny"},
    ]
