"""Handing the conversation to a person at innbyggjarservice.

Contract with the chat channel: when the citizen accepts, the bot sends a message
whose ``custom`` payload is ``{"handoff": {"reason": ..., "language": ...}}`` and a
text saying what happens next. Until the staff console exists, that text points to
the phone (with whether it is open now) and e-mail, from the knowledge base.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.common import language_of, latest_intent, previous_bot_action, say, yes_no_buttons
from bot.desk import phone_status
from bot.messages import moment_label, render

PENDING_HANDOFF_REQUESTED = "handoff:requested"
PENDING_HANDOFF_NOT_UNDERSTOOD = "handoff:not_understood"
_OFFERING_ACTIONS = frozenset({"action_offer_handoff", "action_not_understood"})


class ActionOfferHandoff(Action):
    """Asks the citizen to confirm that they want a person."""

    def name(self) -> str:
        return "action_offer_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        language = language_of(tracker)
        dispatcher.utter_message(
            text=render("offer_human", language), buttons=yes_no_buttons(language)
        )
        return [SlotSet("pending_question", PENDING_HANDOFF_REQUESTED)]


def hand_off(dispatcher: CollectingDispatcher, language: str, reason: str) -> None:
    """Sends the handoff payload and tells the citizen what happens next."""
    kb = common.knowledge_base()
    now = common.clock()
    status = phone_status(kb, now)
    dispatcher.utter_message(json_message={"handoff": {"reason": reason, "language": language}})
    if status.open_now and status.today.interval is not None:
        say(
            dispatcher,
            "handoff_open",
            language,
            phone=kb.contact.phone,
            close=f"{status.today.interval.end:%H.%M}",
            email=kb.contact.email,
        )
    else:
        upcoming = moment_label(status.next_opening, language, now) if status.next_opening else "–"
        say(
            dispatcher,
            "handoff_closed",
            language,
            phone=kb.contact.phone,
            next=upcoming,
            email=kb.contact.email,
        )


class ActionYesNo(Action):
    """Answers "ja"/"nei": to the bot's pending question, or asks what the citizen needs."""

    def name(self) -> str:
        return "action_yes_no"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        language = language_of(tracker)
        pending = tracker.get_slot("pending_question")
        still_open = previous_bot_action(tracker) in _OFFERING_ACTIONS
        if pending and pending.startswith("handoff:") and still_open:
            if latest_intent(tracker) == "affirm":
                hand_off(dispatcher, language, reason=pending.split(":", 1)[1])
                return [SlotSet("pending_question", None), SlotSet("last_topic", "handoff")]
            say(dispatcher, "handoff_declined", language)
            return [SlotSet("pending_question", None)]
        say(dispatcher, "how_can_i_help", language)
        return [SlotSet("pending_question", None)]
