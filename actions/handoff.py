"""Handing the conversation to a person at innbyggjarservice.

The dialogue is in data/rules/handoff.yml: ``action_offer_handoff`` (or a second miss in
``action_not_understood``) sets the categorical slot ``pending_question``; a yes then runs
``action_hand_off``, a no ``action_decline_handoff``; any other intent lets the offer lapse.

Contract with the chat channel: when the citizen accepts, the bot sends a message
whose ``custom`` payload is ``{"handoff": {"reason": ..., "language": ...}}`` and a
text saying what happens next: the phone (with whether it is open now) and e-mail,
from the knowledge base.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    HANDOFF_NOT_UNDERSTOOD,
    HANDOFF_REQUESTED,
    NOTHING_PENDING,
    KnowledgeBaseAction,
    language_of,
    say,
    yes_no_buttons,
)
from bot.desk import phone_status
from bot.messages import moment_label, render

# The handoff payload's reason for each pending question.
REASONS = {HANDOFF_REQUESTED: "requested", HANDOFF_NOT_UNDERSTOOD: "not_understood"}


class ActionOfferHandoff(KnowledgeBaseAction):
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
        return [SlotSet("pending_question", HANDOFF_REQUESTED)]


class ActionHandOff(KnowledgeBaseAction):
    """The citizen said yes to a person: the handoff payload, and what happens next."""

    def name(self) -> str:
        return "action_hand_off"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        language = language_of(tracker)
        reason = REASONS.get(tracker.get_slot("pending_question"), "requested")
        kb = self.knowledge_base()
        now = self.clock()
        status = phone_status(kb, now)
        dispatcher.utter_message(json_message={"handoff": {"reason": reason, "language": language}})
        if status.open_now and status.today.interval is not None:
            say(
                dispatcher,
                "handoff_open",
                language,
                kb=kb,
                close=f"{status.today.interval.end:%H.%M}",
            )
        else:
            upcoming = (
                moment_label(status.next_opening, language, now) if status.next_opening else "–"
            )
            say(dispatcher, "handoff_closed", language, kb=kb, next=upcoming)
        return [SlotSet("pending_question", NOTHING_PENDING)]


class ActionDeclineHandoff(KnowledgeBaseAction):
    """The citizen said no to a person: fine, ask something else."""

    def name(self) -> str:
        return "action_decline_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        say(dispatcher, "handoff_declined", language_of(tracker))
        return [SlotSet("pending_question", NOTHING_PENDING)]
