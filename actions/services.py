"""Services (booking, Min side, skjema, byggesak, digitalt kundemottak) from the knowledge base."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import KnowledgeBaseAction, language_of, latest_entities, say
from actions.fallback import say_not_covered
from actions.faq import answer_from_faq
from bot.kb.facts import render_answer
from bot.messages import render
from bot.nlu.faq_match import asks_price


class ActionService(KnowledgeBaseAction):
    """Explains the service the citizen named, with its link.

    Without a recognisable service name it tries the FAQ; a question about a topic
    the knowledge base lacks gets an honest answer with a search link; a question with
    no topic ("ei teneste") gets the list of services, one button each.
    """

    def name(self) -> str:
        return "action_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        kb = self.knowledge_base()
        language = language_of(tracker)
        named = latest_entities(tracker, "service")
        # The most certain, then the longest mention wins: "byggesøknad for garasje".
        named.sort(
            key=lambda e: (e.get("confidence_entity", 1.0), e.get("end", 0) - e.get("start", 0)),
            reverse=True,
        )
        service = next(
            (kb.service(str(e["value"])) for e in named if kb.service(str(e["value"]))), None
        )
        if service is not None and asks_price(tracker.latest_message.get("text") or ""):
            # "kva kostar ein byggesøknad": the knowledge base has no prices; say so.
            service = None
        if service is not None:
            say(
                dispatcher,
                "answer_with_link",
                language,
                answer=render_answer(kb, service.answer, language),
                link=service.link,
            )
            return []

        answered = answer_from_faq(dispatcher, tracker, kb, language)
        if answered is not None:
            return answered
        # A named topic the knowledge base lacks ("startlån"): say so, never the menu.
        if say_not_covered(dispatcher, tracker, kb, language):
            return []

        buttons = [
            {"title": s.name.get(language), "payload": s.name.get(language)} for s in kb.services
        ]
        dispatcher.utter_message(text=render("which_service", language), buttons=buttons)
        return []
