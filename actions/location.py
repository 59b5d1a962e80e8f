"""Where the service desks (and Alver rådhus) are: address, map link and opening days."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import KnowledgeBaseAction, language_of, latest_entities
from bot.kb.models import KnowledgeBase, Location
from bot.messages import render, schedule_label


def _values(location: Location, language: str) -> dict[str, Any]:
    address = location.address
    return {
        "name": location.name,
        "prep": location.preposition,
        "address": address.text.get(language) if address else "",
        "map_url": address.map_url if address else "",
        "schedule": schedule_label(location.opening_hours, language),
    }


def where_is(kb: KnowledgeBase, location: Location, language: str) -> list[str]:
    """One place: its address, its opening days (or that it has no desk), a map link."""
    if location.address is None:
        return [render("location_unknown", language, kb=kb, name=location.name)]
    values = _values(location, language)
    if not location.has_desk:
        texts = [render("location_one_no_desk", language, **values)]
        if location.note is not None:
            texts.append(location.note.get(language))
        return texts
    return [render("location_one", language, **values)]


def where_are_all(kb: KnowledgeBase, language: str) -> list[str]:
    """Every place with an address: the desks with their days, then the others."""
    lines = [
        render(
            "location_line" if loc.has_desk else "location_line_no_desk",
            language,
            **_values(loc, language),
        )
        for loc in sorted(kb.locations, key=lambda loc: not loc.has_desk)
        if loc.address is not None
    ]
    return [render("location_all", language, lines="\n".join(lines))]


class ActionLocation(KnowledgeBaseAction):
    """Answers "where is it?": the places named (each once, in order), else all of them."""

    def name(self) -> str:
        return "action_location"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        kb = self.knowledge_base()
        language = language_of(tracker)
        named = dict.fromkeys(str(e["value"]) for e in latest_entities(tracker, "location"))
        places = [loc for i in named if (loc := kb.location(i)) is not None]
        texts: list[str] = []
        for place in places:
            texts += where_is(kb, place, language)
        for text in texts or where_are_all(kb, language):
            dispatcher.utter_message(text=text)
        return []
