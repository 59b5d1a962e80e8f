"""Contact details: phone (with whether it is answered now), e-mail, web, post, emergencies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import KnowledgeBaseAction, language_of, say
from bot.desk import phone_status as desk_phone_status
from bot.kb.models import KnowledgeBase
from bot.messages import moment_label, render, schedule_label


def phone_status(kb: KnowledgeBase, language: str, now: datetime) -> str:
    """``Akkurat no er telefonen open.`` or when it opens again."""
    status = desk_phone_status(kb, now)
    if status.open_now:
        return render("phone_open_now", language)
    upcoming = moment_label(status.next_opening, language, now) if status.next_opening else "–"
    return render("phone_closed_now", language, next=upcoming)


class ActionPhone(KnowledgeBaseAction):
    """The phone number, when it is answered, and whether it is answered right now."""

    def name(self) -> str:
        return "action_phone"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        kb = self.knowledge_base()
        language = language_of(tracker)
        say(
            dispatcher,
            "phone",
            language,
            phone=kb.contact.phone,
            schedule=schedule_label(kb.contact.phone_hours, language),
            status=phone_status(kb, language, self.clock()),
        )
        return []


class ActionContact(KnowledgeBaseAction):
    """Phone, e-mail and web address."""

    def name(self) -> str:
        return "action_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        kb = self.knowledge_base()
        language = language_of(tracker)
        say(
            dispatcher,
            "contact",
            language,
            kb=kb,
            phone=kb.contact.phone,
            schedule=schedule_label(kb.contact.phone_hours, language),
            email=kb.contact.email,
            web=kb.contact.web,
        )
        return []


class ActionPost(KnowledgeBaseAction):
    """How to send post: digitally first, and the postal address."""

    def name(self) -> str:
        return "action_post"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        kb = self.knowledge_base()
        say(
            dispatcher,
            "post",
            language_of(tracker),
            email=kb.contact.email,
            address=kb.contact.postal_address,
        )
        return []


class ActionEmergency(KnowledgeBaseAction):
    """Emergency numbers and legevakt, always complete and first."""

    def name(self) -> str:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        kb = self.knowledge_base()
        language = language_of(tracker)
        legevakt = next(n for n in kb.contact.emergency if n.id == "legevakt")
        lines = [
            render("emergency_line", language, number=n.number, label=n.label.get(language))
            for n in kb.contact.emergency
            if n.id != "legevakt"
        ]
        say(
            dispatcher,
            "emergency",
            language,
            lines="\n".join(lines),
            legevakt=legevakt.number,
        )
        return []
