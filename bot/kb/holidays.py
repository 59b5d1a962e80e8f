"""Norwegian public holidays (offentlege høgtidsdagar), computed for any year."""

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

    return {
        date(year, 1, 1): Text("nyttårsdag", "nyttårsdag", "New Year's Day"),
        rel(-3): Text("skjærtorsdag", "skjærtorsdag", "Maundy Thursday"),
        rel(-2): Text("langfredag", "langfredag", "Good Friday"),
        easter: Text("første påskedag", "første påskedag", "Easter Sunday"),
        rel(1): Text("andre påskedag", "andre påskedag", "Easter Monday"),
        date(year, 5, 1): Text("arbeidarane sin dag", "arbeidernes dag", "Labour Day"),
        date(year, 5, 17): Text("grunnlovsdagen", "grunnlovsdagen", "Constitution Day"),
        rel(39): Text("Kristi himmelfartsdag", "Kristi himmelfartsdag", "Ascension Day"),
        rel(49): Text("første pinsedag", "første pinsedag", "Whit Sunday"),
        rel(50): Text("andre pinsedag", "andre pinsedag", "Whit Monday"),
        date(year, 12, 25): Text("første juledag", "første juledag", "Christmas Day"),
        date(year, 12, 26): Text("andre juledag", "andre juledag", "Boxing Day"),
    }


def holiday_name(day: date) -> Text | None:
    """Returns the holiday's name if ``day`` is a Norwegian public holiday."""
    return public_holidays(day.year).get(day)
