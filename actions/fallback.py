"""What the bot does when it does not understand: FAQ, then rephrase once, then a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    HANDOFF_NOT_UNDERSTOOD,
    KnowledgeBaseAction,
    language_of,
    latest_intent,
    say,
    yes_no_buttons,
)
from actions.faq import answer_from_faq, search_link
from bot.kb.models import KnowledgeBase
from bot.messages import render, schedule_label

# Slot (domain.yml): the bot missed the previous message too. Any intent other than
# nlu_fallback and out_of_scope resets it through the slot's mapping.
MISSED_BEFORE = "missed_before"


class ActionNotUnderstood(KnowledgeBaseAction):
    """Handles low NLU confidence and out-of-scope questions honestly.

    1. A confident FAQ match is answered (new FAQ entries work without retraining).
    2. Otherwise the first miss asks to rephrase (or, when clearly out of scope, says
       what the bot can help with). It never guesses an unrelated fact.
    3. A second miss in a row (the ``missed_before`` slot) offers a person at
       innbyggjarservice; the rules in data/rules/handoff.yml take the yes or no.
    """

    def name(self) -> str:
        return "action_not_understood"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        kb = self.knowledge_base()
        language = language_of(tracker)
        answered = answer_from_faq(dispatcher, tracker, kb, language)
        if answered is not None:
            return [SlotSet(MISSED_BEFORE, None), *answered]

        if tracker.get_slot(MISSED_BEFORE):
            dispatcher.utter_message(
                text=render("offer_human_after_failure", language),
                buttons=yes_no_buttons(language),
            )
            return [
                SlotSet(MISSED_BEFORE, None),
                SlotSet("pending_question", HANDOFF_NOT_UNDERSTOOD),
            ]

        if _best_guess(tracker) == MUNICIPAL_TOPIC and say_not_covered(
            dispatcher, tracker, kb, language
        ):
            return [SlotSet(MISSED_BEFORE, True)]
        message = "out_of_scope" if latest_intent(tracker) == "out_of_scope" else "rephrase"
        say(dispatcher, message, language, kb=kb)
        return [SlotSet(MISSED_BEFORE, True)]


# The intent for questions about the municipality's own work (data/nlu/municipal.yml).
MUNICIPAL_TOPIC = "ask_municipal_topic"


def _best_guess(tracker: Tracker) -> str:
    """The likeliest real intent, also when the fallback classifier took over."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    names = [str(r.get("name")) for r in ranking if r.get("name") != "nlu_fallback"]
    return names[0] if names else latest_intent(tracker)


def say_not_covered(
    dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, language: str
) -> bool:
    """Says plainly that the bot has no information on this, with a web search for the
    citizen's own words and the phone number. False if the message has no topic words."""
    link = search_link(kb, tracker.latest_message.get("text") or "")
    if link is None:
        return False
    say(
        dispatcher,
        "not_covered",
        language,
        search=link,
        phone=kb.contact.phone,
        schedule=schedule_label(kb.contact.phone_hours, language),
    )
    return True


class ActionMunicipalTopic(KnowledgeBaseAction):
    """A question about the municipality's work: the FAQ if it answers it, else an
    honest "I have no information on that" with a search link and the phone number.

    It never guesses: an unrelated FAQ is never given (see actions/faq.py).
    """

    def name(self) -> str:
        return "action_municipal_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        kb = self.knowledge_base()
        language = language_of(tracker)
        answered = answer_from_faq(dispatcher, tracker, kb, language)
        if answered is not None:
            return answered
        if not say_not_covered(dispatcher, tracker, kb, language):
            say(dispatcher, "rephrase", language, kb=kb)
        return []
