"""Opening hours on a date, a run of days or a named day ("julaftan", "i påska", "17. mai").

Every answer is for the days asked about, per desk (the one named, else every desk): closed
and why (a public holiday or a closure in closures.yml), changed hours, or the usual hours.
The days come from ``bot.dates``; the hours and reasons from ``bot.kb.hours.hours_on``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from bot.dates import DateRef
from bot.kb.holidays import holiday_name
from bot.kb.hours import DayHours, hours_on, next_opening, weekday_name
from bot.kb.models import KnowledgeBase, Location
from bot.messages import calendar, date_label, moment_label, render, schedule_label, weekday_label

# More days than this in one question are answered for the first ones only.
MAX_DAYS = 14


class DatedHours:
    """Builds the answers for dates; ``language`` is nn, nb or en."""

    def __init__(self, kb: KnowledgeBase, language: str, now: datetime) -> None:
        self.kb, self.lang, self.now = kb, language, now

    def _names(self, location: Location) -> dict[str, Any]:
        return {"name": location.name, "prep": location.preposition}

    def _date(self, day: date) -> str:
        return date_label(day, self.lang, today=self.now.date())

    def _when(self, ref: DateRef, capital: bool) -> str:
        """``julaftan (torsdag 24. desember)``, ``måndag 30. november`` or a span."""
        if ref.is_range:
            when = str(calendar("span", self.lang)).format(
                first=self._date(ref.start), last=self._date(ref.end)
            )
        else:
            when = self._date(ref.start)
        if ref.name is not None:
            name = calendar("named_days", self.lang)[ref.name]
            when = str(calendar("named_date", self.lang)).format(name=name, date=when)
        return when[:1].upper() + when[1:] if capital else when

    def _reason(self, hours: DayHours) -> str:
        """The closure's reason, or the holiday's name marked as a public holiday."""
        assert hours.reason is not None
        reason = hours.reason.get(self.lang)
        holiday = holiday_name(hours.day)
        if holiday is not None and holiday == hours.reason:
            return render("date_holiday_reason", self.lang, holiday=reason)
        return reason

    def _next(self, location: Location, day: date) -> str:
        end_of_day = datetime.combine(day, datetime.max.time(), tzinfo=self.now.tzinfo)
        moment = next_opening(self.kb, location.opening_hours, location.id, end_of_day)
        if moment is None:
            return render(
                "no_opening_known", self.lang, phone=self.kb.contact.phone, web=self.kb.contact.web
            )
        return moment_label(moment, self.lang, self.now)

    def _status(self, location: Location, hours: DayHours) -> str:
        """``ope kl. 09.00–15.00``, ``stengt (julaftan)``, ``ikkje ope på onsdagar`` ..."""
        if hours.interval is not None and hours.reason is not None:
            return render(
                "date_status_changed",
                self.lang,
                hours=hours.interval.label(),
                reason=self._reason(hours),
            )
        if hours.interval is not None:
            return render("date_status_open", self.lang, hours=hours.interval.label())
        if hours.reason is not None:
            return render("date_status_closed", self.lang, reason=self._reason(hours))
        weekday = weekday_label(weekday_name(hours.day), self.lang)
        return render("date_status_not_open", self.lang, weekday=weekday)

    def _desks(self, location: Location | None) -> list[Location]:
        return [location] if location is not None else list(self.kb.desks)

    def one_day(self, location: Location | None, ref: DateRef) -> str:
        """The hours of one desk, or of every desk, on one day."""
        day = ref.start
        when = self._when(ref, capital=True)
        if location is not None:
            hours = hours_on(self.kb, location.opening_hours, location.id, day)
            names = self._names(location)
            if hours.interval is not None and hours.reason is not None:
                return render(
                    "date_desk_changed",
                    self.lang,
                    when=when,
                    hours=hours.interval.label(),
                    reason=self._reason(hours),
                    **names,
                )
            if hours.interval is not None:
                return render(
                    "date_desk_open", self.lang, when=when, hours=hours.interval.label(), **names
                )
            upcoming = self._next(location, day)
            if hours.reason is not None:
                reason = self._reason(hours)
                return render(
                    "date_desk_closed", self.lang, when=when, reason=reason, next=upcoming, **names
                )
            schedule = schedule_label(location.opening_hours, self.lang)
            return render(
                "date_desk_not_open",
                self.lang,
                when=when,
                schedule=schedule,
                next=upcoming,
                **names,
            )
        desks = self._desks(None)
        days = [hours_on(self.kb, d.opening_hours, d.id, day) for d in desks]
        reasons = {d.reason for d in days}
        if all(d.interval is None for d in days) and len(reasons) == 1 and None not in reasons:
            lines = [
                render("date_line_reopens", self.lang, next=self._next(desk, day), name=desk.name)
                for desk in desks
            ]
            return render(
                "date_all_closed",
                self.lang,
                when=when,
                reason=self._reason(days[0]),
                lines="\n".join(lines),
            )
        lines = [
            render("date_line", self.lang, name=desk.name, status=self._status(desk, hours))
            for desk, hours in zip(desks, days, strict=True)
        ]
        when = self._when(ref, capital=False)
        return render("date_all", self.lang, when=when, lines="\n".join(lines))

    def _differs(self, location: Location, hours: DayHours) -> bool:
        """Whether a day's hours differ from the desk's usual hours that weekday."""
        usual = location.opening_hours.get(weekday_name(hours.day))
        return hours.reason is not None and hours.interval != usual

    def many_days(self, location: Location | None, ref: DateRef) -> list[str]:
        """The days of a range that differ from the usual hours, and a summary."""
        desks = self._desks(location)
        lines: list[str] = []
        usual_days = 0
        for day in ref.days()[:MAX_DAYS]:
            days = [hours_on(self.kb, d.opening_hours, d.id, day) for d in desks]
            if not any(self._differs(d, h) for d, h in zip(desks, days, strict=True)):
                usual_days += 1
                continue
            reasons = {h.reason for h in days}
            if len(desks) > 1 and all(h.interval is None for h in days) and len(reasons) == 1:
                status = render("date_status_all_closed", self.lang, reason=self._reason(days[0]))
            elif len(desks) == 1:
                status = self._status(desks[0], days[0])
            else:
                status = "; ".join(
                    f"{d.name}: {self._status(d, h)}" for d, h in zip(desks, days, strict=True)
                )
            lines.append(render("date_range_day", self.lang, day=self._date(day), status=status))
        when = self._when(ref, capital=not lines)
        if not lines:
            usual = [
                render(
                    "hours_line",
                    self.lang,
                    name=desk.name,
                    venue=desk.venue.get(self.lang),
                    schedule=schedule_label(desk.opening_hours, self.lang),
                )
                for desk in desks
            ]
            return [render("date_range_normal", self.lang, when=when), "\n".join(usual)]
        if location is not None:
            head = render(
                "date_range_desk",
                self.lang,
                when=when,
                lines="\n".join(lines),
                **self._names(location),
            )
        else:
            head = render("date_range", self.lang, when=when, lines="\n".join(lines))
        texts = [head]
        if usual_days:
            texts.append(render("date_range_rest", self.lang))
        return texts

    def _beyond_known(self, location: Location | None, ref: DateRef) -> bool:
        """Whether a day answered with the usual hours lies after the last dated exception.

        closures.yml is kept for the months ahead; for later days the bot cannot know of
        closures or changed hours yet, and says so instead of promising the usual hours.
        """
        if not self.kb.exceptions:
            return False
        horizon = max(exception.end for exception in self.kb.exceptions)
        return any(
            day > horizon and hours_on(self.kb, desk.opening_hours, desk.id, day).reason is None
            for day in ref.days()
            for desk in self._desks(location)
        )

    def answer(self, location: Location | None, refs: list[DateRef]) -> list[str]:
        """The answer for every day or range asked about, in the order asked."""
        texts: list[str] = []
        beyond = False
        for ref in refs:
            if len(ref.days()) > MAX_DAYS:  # answer for the first days, and say which
                ref = DateRef(ref.start, ref.start + timedelta(days=MAX_DAYS - 1), ref.kind)
            if ref.is_range:
                texts += self.many_days(location, ref)
            else:
                texts.append(self.one_day(location, ref))
            beyond = beyond or self._beyond_known(location, ref)
        if beyond:
            horizon = max(exception.end for exception in self.kb.exceptions)
            texts.append(
                render(
                    "date_beyond_known",
                    self.lang,
                    kb=self.kb,
                    last=f"{horizon:%d.%m.%Y}",
                )
            )
        return texts
