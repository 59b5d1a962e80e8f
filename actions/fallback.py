"""What the bot does when it does not understand: FAQ, then rephrase once, then a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.common import (
    NOT_UNDERSTOOD_INTENTS,
    language_of,
    latest_intent,
    previous_bot_action,
    previous_user_intent,
    say,
    yes_no_buttons,
)
from actions.faq import answer_from_faq
from actions.handoff import PENDING_HANDOFF_NOT_UNDERSTOOD
from bot.messages import render


class ActionNotUnderstood(Action):
    """Handles low NLU confidence and out-of-scope questions honestly.

    1. A confident FAQ match is answered (new FAQ entries work without retraining).
    2. Otherwise the first miss asks to rephrase (or, when clearly out of scope, says
       what the bot can help with). It never guesses an unrelated fact.
    3. A second miss in a row offers a person at innbyggjarservice.
    """

    def name(self) -> str:
        return "action_not_understood"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        kb = common.knowledge_base()
        language = language_of(tracker)
        answered = answer_from_faq(dispatcher, tracker, kb, language)
        if answered is not None:
            return answered

        missed_before = (
            previous_user_intent(tracker) in NOT_UNDERSTOOD_INTENTS
            and previous_bot_action(tracker) == self.name()
            and tracker.get_slot("pending_question") is None
        )
        if missed_before:
            dispatcher.utter_message(
                text=render("offer_human_after_failure", language),
                buttons=yes_no_buttons(language),
            )
            return [SlotSet("pending_question", PENDING_HANDOFF_NOT_UNDERSTOOD)]

        message = "out_of_scope" if latest_intent(tracker) == "out_of_scope" else "rephrase"
        say(dispatcher, message, language)
        return [SlotSet("pending_question", None)]
