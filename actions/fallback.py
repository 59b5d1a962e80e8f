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
from actions.faq import answer_from_faq
from bot.messages import render

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

        message = "out_of_scope" if latest_intent(tracker) == "out_of_scope" else "rephrase"
        say(dispatcher, message, language, kb=kb)
        return [SlotSet(MISSED_BEFORE, True)]
