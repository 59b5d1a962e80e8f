"""Norwegian public holidays (offentlege høgtidsdagar), computed for any year.

Kept hand-written rather than taken from the ``holidays`` package: its releases that know
Norway need python-dateutil>=2.9, which Rasa 3.6 excludes (<2.9). Cross-checked against
holidays 0.107 (``Norway(include_sundays=False)``): the same days for every year 1947-2100.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from bot.kb.models import Text


def easter_sunday(year: int) -> date:
    """Returns Easter Sunday (Gregorian calendar, anonymous algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=32)
def public_holidays(year: int) -> dict[date, Text]:
    """Returns the Norwegian public holidays of ``year`` with their names."""
    easter = easter_sunday(year)

    def rel(days: int) -> date:
        return easter + timedelta(days=days)

    days: dict[date, Text] = {}
    for day, name in [
        (date(year, 1, 1), Text("nyttårsdag", "nyttårsdag", "New Year's Day")),
        (rel(-3), Text("skjærtorsdag", "skjærtorsdag", "Maundy Thursday")),
        (rel(-2), Text("langfredag", "langfredag", "Good Friday")),
        (easter, Text("første påskedag", "første påskedag", "Easter Sunday")),
        (rel(1), Text("andre påskedag", "andre påskedag", "Easter Monday")),
        (date(year, 5, 1), Text("arbeidarane sin dag", "arbeidernes dag", "Labour Day")),
        (date(year, 5, 17), Text("grunnlovsdagen", "grunnlovsdagen", "Constitution Day")),
        (rel(39), Text("Kristi himmelfartsdag", "Kristi himmelfartsdag", "Ascension Day")),
        (rel(49), Text("første pinsedag", "første pinsedag", "Whit Sunday")),
        (rel(50), Text("andre pinsedag", "andre pinsedag", "Whit Monday")),
        (date(year, 12, 25), Text("første juledag", "første juledag", "Christmas Day")),
        (date(year, 12, 26), Text("andre juledag", "andre juledag", "Boxing Day")),
    ]:
        days[day] = _both(days[day], name) if day in days else name
    return days


def _both(first: Text, second: Text) -> Text:
    """One day that is two holidays (17 May 2027 is also Whit Monday)."""
    return Text(
        f"{first.nn} og {second.nn}", f"{first.nb} og {second.nb}", f"{first.en} and {second.en}"
    )


def holiday_name(day: date) -> Text | None:
    """Returns the holiday's name if ``day`` is a Norwegian public holiday."""
    return public_holidays(day.year).get(day)
