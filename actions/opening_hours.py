"""Opening hours of innbyggjarservice: weekly pattern, a given weekday, now, today, tomorrow."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    KnowledgeBaseAction,
    language_of,
    latest_entities,
    latest_entity,
    latest_intent,
    say,
)
from actions.dated_hours import DatedHours
from bot.dates import TODAY, TOMORROW, WEEKDAY, DateRef, decode, encode, find_dates
from bot.kb.hours import DayHours, hours_on, next_opening, status_at
from bot.kb.models import WEEKDAYS, KnowledgeBase, Location
from bot.language import words
from bot.messages import (
    date_label,
    join_words,
    moment_label,
    render,
    schedule_label,
    weekday_label,
)
from bot.nlu.word_files import load_word_file

WHEN_WORDS = Path(__file__).resolve().parents[1] / "bot" / "nlu" / "when_words.yml"


@lru_cache(maxsize=1)
def _when_phrases() -> tuple[str, ...]:
    return load_word_file(
        WHEN_WORDS,
        lambda data: tuple(" ".join(words(str(p))) for p in data["phrases"]),
        "a list 'phrases'",
    )


def asks_when(text: str) -> bool:
    """Whether ``text`` asks when ("når er det åpent", "what time are you open")."""
    joined = f" {' '.join(words(text))} "
    return any(f" {phrase} " in joined for phrase in _when_phrases())


def _next_date_of(weekday: str, today: date) -> date:
    return today + timedelta(days=(WEEKDAYS.index(weekday) - today.weekday()) % 7)


def asked_dates(text: str, now: datetime) -> list[DateRef]:
    """The dates, ranges and named days a message asks about.

    Plain "i dag", "i morgon" and "på fredag" are left to the ``time_ref`` and ``weekday``
    answers, which already give that day's hours with its exceptions; a date, a named day,
    "neste fredag" or a week is answered here, for those days.
    """
    refs = find_dates(text, now.date())
    if all(ref.kind in (TODAY, TOMORROW, WEEKDAY) for ref in refs):
        return []
    return [ref for ref in refs if ref.kind != WEEKDAY] or refs


class OpeningHours:
    """Builds the answers; separated from the Rasa action so it is easy to test."""

    def __init__(self, kb: KnowledgeBase, language: str, now: datetime) -> None:
        self.kb, self.lang, self.now = kb, language, now

    def _names(self, location: Location) -> dict[str, Any]:
        return {
            "name": location.name,
            "prep": location.preposition,
            "venue": location.venue.get(self.lang),
        }

    def _next(self, location: Location) -> str:
        moment = next_opening(self.kb, location.opening_hours, location.id, self.now)
        if moment is None:
            return render(
                "no_opening_known", self.lang, phone=self.kb.contact.phone, web=self.kb.contact.web
            )
        return moment_label(moment, self.lang, self.now)

    def _exception_note(self, day: DayHours) -> list[str]:
        if day.reason is None:
            return []
        when = date_label(day.day, self.lang, today=self.now.date())
        if day.interval is None:
            return [
                render(
                    "day_exception_closed", self.lang, date=when, reason=day.reason.get(self.lang)
                )
            ]
        return [
            render(
                "day_exception_changed",
                self.lang,
                date=when,
                hours=day.interval.label(),
                reason=day.reason.get(self.lang),
            )
        ]

    def weekly(self, location: Location | None) -> list[str]:
        """The weekly hours of one place, or of every desk."""
        if location is not None:
            text = render(
                "hours_location",
                self.lang,
                schedule=schedule_label(location.opening_hours, self.lang),
                **self._names(location),
            )
            today = hours_on(self.kb, location.opening_hours, location.id, self.now.date())
            return [text, *self._exception_note(today)]
        lines = [
            render(
                "hours_line",
                self.lang,
                schedule=schedule_label(desk.opening_hours, self.lang),
                **self._names(desk),
            )
            for desk in self.kb.desks
        ]
        texts = [render("hours_all", self.lang, lines="\n".join(lines))]
        days = [hours_on(self.kb, d.opening_hours, d.id, self.now.date()) for d in self.kb.desks]
        changed = next((d for d in days if d.reason is not None), None)
        if changed is not None:
            texts += self._exception_note(changed)
        return texts

    def on_weekday(self, location: Location | None, weekday: str) -> list[str]:
        """Whether one place (or which places) are open on a weekday, with exceptions."""
        day_name = weekday_label(weekday, self.lang)
        day = _next_date_of(weekday, self.now.date())
        if location is not None:
            interval = location.opening_hours.get(weekday)
            if interval is not None:
                text = render(
                    "open_on_day_yes",
                    self.lang,
                    weekday=day_name,
                    hours=interval.label(),
                    **self._names(location),
                )
            else:
                text = render(
                    "open_on_day_no",
                    self.lang,
                    weekday=day_name,
                    schedule=schedule_label(location.opening_hours, self.lang),
                    **self._names(location),
                )
            exceptional = hours_on(self.kb, location.opening_hours, location.id, day)
            return [text, *self._exception_note(exceptional)]
        places = [
            render(
                "open_on_day_place",
                self.lang,
                hours=d.opening_hours[weekday].label(),
                **self._names(d),
            )
            for d in self.kb.desks
            if weekday in d.opening_hours
        ]
        if not places:
            return [render("open_on_day_none", self.lang, weekday=day_name)]
        texts = [
            render(
                "open_on_day_list",
                self.lang,
                weekday=day_name,
                places=join_words(places, self.lang),
            )
        ]
        for desk in self.kb.desks:
            exceptional = hours_on(self.kb, desk.opening_hours, desk.id, day)
            if exceptional.reason is not None:
                return texts + self._exception_note(exceptional)
        return texts

    def right_now(self, location: Location | None) -> list[str]:
        """Open now? For one place, or the status of every desk."""
        if location is not None:
            status = status_at(self.kb, location.opening_hours, location.id, self.now)
            if status.open_now and status.today.interval is not None:
                return [
                    render(
                        "open_now_yes",
                        self.lang,
                        close=f"{status.today.interval.end:%H.%M}",
                        **self._names(location),
                    )
                ]
            texts = []
            if status.today.reason is not None and status.today.interval is None:
                texts.append(
                    render("closed_reason", self.lang, reason=status.today.reason.get(self.lang))
                )
            texts.insert(
                0,
                render(
                    "open_now_no", self.lang, next=self._next(location), **self._names(location)
                ),
            )
            return texts
        lines = []
        for desk in self.kb.desks:
            status = status_at(self.kb, desk.opening_hours, desk.id, self.now)
            if status.open_now and status.today.interval is not None:
                lines.append(
                    render(
                        "status_line_open",
                        self.lang,
                        close=f"{status.today.interval.end:%H.%M}",
                        **self._names(desk),
                    )
                )
            else:
                lines.append(
                    render(
                        "status_line_closed", self.lang, next=self._next(desk), **self._names(desk)
                    )
                )
        return [render("open_now_all", self.lang, lines="\n".join(lines))]

    def on_date(self, location: Location | None, day: date) -> list[str]:
        """Hours on a given date (today, tomorrow), holidays and exceptions included."""
        when = date_label(day, self.lang, today=self.now.date())
        when = when[:1].upper() + when[1:]
        texts: list[str] = []
        notes: list[str] = []
        for desk in [location] if location is not None else list(self.kb.desks):
            hours = hours_on(self.kb, desk.opening_hours, desk.id, day)
            if hours.interval is not None:
                texts.append(
                    render(
                        "on_date_open",
                        self.lang,
                        when=when,
                        hours=hours.interval.label(),
                        **self._names(desk),
                    )
                )
            else:
                end_of_day = datetime.combine(day, datetime.max.time(), tzinfo=self.now.tzinfo)
                moment = next_opening(self.kb, desk.opening_hours, desk.id, end_of_day)
                upcoming = moment_label(moment, self.lang, self.now) if moment else self._next(desk)
                texts.append(
                    render(
                        "on_date_closed", self.lang, when=when, next=upcoming, **self._names(desk)
                    )
                )
            if hours.reason is not None and not notes:
                notes = self._exception_note(hours)
        return texts + notes

    def answer(
        self,
        location: Location | None,
        weekday: str | None,
        time_ref: str | None,
        dates: list[DateRef] | None = None,
    ) -> list[str]:
        """Chooses the answer for what was asked; named dates win over weekdays and "now"."""
        texts: list[str] = []
        if location is not None and not location.has_desk:
            if location.note is not None:
                texts.append(location.note.get(self.lang))
            texts.append(render("no_desk_here", self.lang, **self._names(location)))
            location = None
        if dates:
            return texts + DatedHours(self.kb, self.lang, self.now).answer(location, dates)
        if time_ref == "now":
            return texts + self.right_now(location)
        if time_ref == "today":
            texts += self.on_date(location, self.now.date())
            if location is not None:
                today = hours_on(self.kb, location.opening_hours, location.id, self.now.date())
                if today.interval is not None and self.now.time() >= today.interval.end:
                    texts += self.right_now(location)  # already closed for the day
            return texts
        if time_ref == "tomorrow":
            return texts + self.on_date(location, self.now.date() + timedelta(days=1))
        if weekday is not None:
            return texts + self.on_weekday(location, weekday)
        return texts + self.weekly(location)


class ActionOpeningHours(KnowledgeBaseAction):
    """Answers opening-hours questions, carrying the place and day over to follow-ups."""

    def name(self) -> str:
        return "action_opening_hours"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        kb = self.knowledge_base()
        language = language_of(tracker)
        intent = latest_intent(tracker)
        location_id = latest_entity(tracker, "location")
        weekday = latest_entity(tracker, "weekday")
        time_ref = latest_entity(tracker, "time_ref")

        if intent == "inform":
            # "kva med Frekhaug?": keep what was asked before, change what is named now.
            if location_id is None:
                location_id = tracker.get_slot("asked_location")
            if weekday is None and time_ref is None:
                weekday = tracker.get_slot("asked_weekday")
                time_ref = tracker.get_slot("asked_time")
        elif intent == "ask_open_now" and time_ref is None and weekday is None:
            # "når er det åpent": when, not whether at this minute (precision4, issue 7).
            asked = str(tracker.latest_message.get("text") or "")
            time_ref = None if asks_when(asked) else "now"
        if weekday is not None and time_ref is not None:
            time_ref = None  # "on Wednesday" is more specific than "now"

        now = self.clock()
        dates = asked_dates(str(tracker.latest_message.get("text") or ""), now)
        named_now = latest_entity(tracker, "weekday") or latest_entity(tracker, "time_ref")
        if intent == "inform" and not dates and named_now is None:
            dates = decode(tracker.get_slot("asked_dates"))  # "kva med Frekhaug?" after a date
        location = kb.location(location_id) if location_id else None
        answer = OpeningHours(kb, language, now)
        # Two places named ("Manger og Frekhaug"): an answer for each, in that order.
        named = dict.fromkeys(str(e["value"]) for e in latest_entities(tracker, "location"))
        others = [p for i in named if i != location_id and (p := kb.location(i)) is not None]
        for place in [location, *others]:
            for text in answer.answer(place, weekday, time_ref, dates):
                dispatcher.utter_message(text=text)
        if location is None and weekday is None and time_ref is None and not dates:
            say(
                dispatcher,
                "phone_tip",
                language,
                phone=kb.contact.phone,
                schedule=schedule_label(kb.contact.phone_hours, language),
            )
        return [
            SlotSet("asked_location", location.id if location else None),
            SlotSet("asked_weekday", weekday),
            SlotSet("asked_time", time_ref),
            SlotSet("asked_dates", encode(dates)),
        ]
