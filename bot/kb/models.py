"""Typed, immutable records of the knowledge base."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
LANGUAGES: tuple[str, ...] = ("nn", "nb", "en")
REQUIRED_LANGUAGES: tuple[str, ...] = ("nn", "nb")
# The id closures.yml exceptions use for the phone (and the chat desk) in `locations:`.
PHONE_ID = "phone"


@dataclass(frozen=True)
class Text:
    """A text the citizen reads, in Nynorsk, Bokmål and optionally English."""

    nn: str
    nb: str
    en: str | None = None

    def get(self, language: str) -> str:
        """Returns the text in ``language``; English falls back to Bokmål."""
        if language == "nb":
            return self.nb
        if language == "en":
            return self.en or self.nb
        return self.nn


@dataclass(frozen=True)
class Interval:
    """Opening interval within one day, ``start`` < ``end``."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        return self.start <= moment < self.end

    def label(self) -> str:
        """Formats as ``09.00–15.00`` (Norwegian style)."""
        return f"{self.start:%H.%M}–{self.end:%H.%M}"


@dataclass(frozen=True)
class Address:
    """Where a place is: a text for citizens and a map link (``sample`` until checked)."""

    text: Text
    map_url: str
    sample: bool = False

    def get(self, language: str) -> str:
        """The address text in ``language`` (as :meth:`Text.get`)."""
        return self.text.get(language)


@dataclass(frozen=True)
class Location:
    """A place citizens can visit, with its weekly opening hours."""

    id: str
    name: str
    venue: Text
    synonyms: tuple[str, ...]
    opening_hours: dict[str, Interval]
    note: Text | None = None
    preposition: str = "på"
    sample: bool = False
    address: Address | None = None

    @property
    def has_desk(self) -> bool:
        """Whether innbyggjarservice is staffed here on some weekday."""
        return bool(self.opening_hours)


@dataclass(frozen=True)
class Exception_:
    """A dated exception: closed, or changed hours, for some or all places."""

    start: date
    end: date
    closed: bool
    hours: Interval | None
    reason: Text
    locations: tuple[str, ...] = ()
    sample: bool = False

    def applies(self, day: date, location_id: str) -> bool:
        return self.start <= day <= self.end and (
            not self.locations or location_id in self.locations
        )


@dataclass(frozen=True)
class EmergencyNumber:
    id: str
    number: str
    label: Text


@dataclass(frozen=True)
class Contact:
    phone: str
    phone_hours: dict[str, Interval]
    email: str
    web: str
    postal_address: str
    emergency: tuple[EmergencyNumber, ...]
    postal_address_sample: bool = False


@dataclass(frozen=True)
class Service:
    id: str
    name: Text
    synonyms: tuple[str, ...]
    answer: Text
    link: str
    sample: bool = False


@dataclass(frozen=True)
class FaqEntry:
    id: str
    questions: tuple[str, ...]
    answer: Text
    link: str
    sample: bool = False


@dataclass(frozen=True)
class Municipality:
    """The municipality running the bot: its name, pages and look, and the chat's hours.

    Attributes:
        name: The municipality's name in nn, nb and en ("Alver kommune").
        privacy_url: The privacy page the widget's notice links to.
        search_url: The web site's search, with ``{query}`` where the search words go.
        brand_colour: The widget's main colour, ``#rrggbb``.
        chat_staffed: When staff answer the chat: ``phone_hours`` (the phone's hours in
            contact.yml, with holidays and closures) or ``never`` (the bot only).
        logo_url: The logo in the widget's header: an https address, or a path on the
            bot's own server (``/widget/logo-sample.svg``); empty for none (widget).
    """

    name: Text
    privacy_url: str
    search_url: str
    brand_colour: str
    chat_staffed: str = "phone_hours"
    sample: tuple[str, ...] = ()
    # widget (issue 10): the logo in the chat's header.
    logo_url: str = ""


# ----- booking package: meetings booked from the chat (services.yml `meetings`, issue 10)


@dataclass(frozen=True)
class MeetingTopic:
    """A service area a citizen can book a meeting with a saksbehandlar about."""

    id: str
    name: Text
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Meetings:
    """Booking a meeting from the chat.

    Attributes:
        topics: The service areas offered as buttons, in this order.
        hours: The weekly hours for meetings where no desk is staffed (Alver rådhus and
            digital meetings); a place with a desk offers its desk's days.
        sample: Editors must still verify the section.
    """

    topics: tuple[MeetingTopic, ...] = ()
    hours: dict[str, Interval] = field(default_factory=dict)
    sample: bool = False


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the bot states as fact, loaded from ``knowledge_base/``."""

    service_name: Text
    locations: tuple[Location, ...]
    exceptions: tuple[Exception_, ...]
    public_holidays_closed: bool
    contact: Contact
    services: tuple[Service, ...]
    faq: tuple[FaqEntry, ...]
    municipality: Municipality
    sample_entries: tuple[str, ...] = field(default=())
    # Words for the desk itself (service_desks.yml `generic_words`): never a place.
    generic_words: tuple[str, ...] = ()
    # Groups of words FAQ matching treats as the same (faq.yml `synonyms`).
    faq_synonyms: tuple[tuple[str, ...], ...] = ()
    # booking package: meetings booked from the chat (services.yml `meetings`, issue 10).
    meetings: Meetings = field(default_factory=Meetings)

    def location(self, location_id: str) -> Location | None:
        return next((loc for loc in self.locations if loc.id == location_id), None)

    def service(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

    def faq_entry(self, faq_id: str) -> FaqEntry | None:
        return next((f for f in self.faq if f.id == faq_id), None)

    @property
    def desks(self) -> tuple[Location, ...]:
        """Locations with a staffed innbyggjarservice desk."""
        return tuple(loc for loc in self.locations if loc.has_desk)
