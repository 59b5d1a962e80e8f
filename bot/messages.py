"""The one text catalogue (``bot/messages.yml``) and Norwegian date formatting.

Every sentence a citizen, staff member or editor reads is in the catalogue, in
Nynorsk, Bokmål and (mostly) English; code refers to texts by name only. Sections:

- ``messages``: what the bot and the chat say (custom actions, the domain's
  ``utter_*`` responses through ``bot.nlg.CatalogueNLG``, the chat's system messages);
- ``widget`` and ``console``: the labels of the citizen widget and the staff console,
  served by ``bot.channels.texts_channel``;
- ``calendar``: weekday and month names for dates.

Facts are never written into a text: placeholders such as ``{municipality}``,
``{phone}``, ``{desks}`` and ``{services}`` are filled from the knowledge base.
"""

from __future__ import annotations

import logging
import os
import string
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.kb.models import WEEKDAYS, Interval, KnowledgeBase
from bot.language import DEFAULT_LANGUAGE, ENGLISH

CATALOGUE = Path(__file__).with_name("messages.yml")
OVERRIDES_FILE = "texts.yml"
"""Editors' own versions of catalogue texts, in the knowledge-base folder (issue 8)."""
_OVERRIDE_CHECK_SECONDS = 1.0
logger = logging.getLogger(__name__)


class MessageError(KeyError):
    """A message name or a placeholder is missing from ``bot/messages.yml``."""


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, Any]:
    with CATALOGUE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def _pick(variants: dict[str, Any], language: str) -> Any:
    if language in variants:
        return variants[language]
    if language == ENGLISH and "nb" in variants:
        return variants["nb"]
    return variants[DEFAULT_LANGUAGE]


# "bookings": the Møteførespurnader page (booking package, issue 10).
# "editor", "insight": the editor/admin and insight staff pages (wp-i18n).
SECTIONS = ("messages", "widget", "console", "bookings", "editor", "insight")
# Placeholders any text may use; filled from the knowledge base (see kb_values).
KB_PLACEHOLDERS = frozenset(
    {"municipality", "phone", "email", "web", "privacy_url", "desks", "services"}
)


def message_names() -> list[str]:
    """The names in the ``messages`` section."""
    return sorted(_catalogue()["messages"])


def catalogue_section(name: str) -> dict[str, dict[str, str]]:
    """One section of ``bot/messages.yml`` itself, without the editors' overrides."""
    if name not in SECTIONS:
        raise MessageError(f"No section '{name}' in {CATALOGUE.name}; use one of {SECTIONS}.")
    entries: dict[str, dict[str, str]] = _catalogue()[name]
    return entries


def section(name: str) -> dict[str, dict[str, str]]:
    """One section of the catalogue (``messages``, ``widget`` or ``console``), with the
    editors' overrides from ``texts.yml`` applied."""
    entries = catalogue_section(name)
    changed = _overrides().get(name)
    if not changed:
        return entries
    return {key: {**variants, **changed.get(key, {})} for key, variants in entries.items()}


# ----- editors' overrides (knowledge_base/texts.yml, issue 8) ---------------------------------


def override_problems(data: Any) -> list[str]:
    """Why ``texts.yml``'s content cannot be used: unknown text, language or placeholder.

    An override must use exactly the placeholders of the catalogue's text in the same
    language (for English, the text English falls back to): a dropped ``{phone}`` would
    lose a fact, an invented one would break the sentence.
    """
    if data is None:
        return []
    if not isinstance(data, dict):
        return [f"{OVERRIDES_FILE}: the top level must be a mapping (section: texts)"]
    problems = []
    for name, entries in data.items():
        if name not in SECTIONS or not isinstance(entries, dict):
            problems.append(f"{OVERRIDES_FILE}: unknown section '{name}'; use one of {SECTIONS}")
            continue
        for key, variants in entries.items():
            original = _catalogue()[name].get(key)
            if original is None or not isinstance(variants, dict):
                problems.append(f"{OVERRIDES_FILE}: {name}.{key}: no such text in the catalogue")
                continue
            for language, text in variants.items():
                field = f"{name}.{key}.{language}"
                if language not in ("nn", "nb", "en") or not isinstance(text, str):
                    problems.append(f"{OVERRIDES_FILE}: {field}: use nn, nb or en with a text")
                    continue
                if not text.strip():
                    problems.append(f"{OVERRIDES_FILE}: {field}: the text is empty")
                    continue
                try:
                    used = placeholders(text)
                except ValueError:
                    problems.append(f"{OVERRIDES_FILE}: {field}: a {{ or }} has no partner")
                    continue
                wanted = placeholders(str(_pick(original, language)))
                for missing in sorted(wanted - used):
                    problems.append(
                        f"{OVERRIDES_FILE}: {field}: the placeholder {{{missing}}} is missing"
                    )
                for unknown in sorted(used - wanted):
                    problems.append(f"{OVERRIDES_FILE}: {field}: unknown placeholder {{{unknown}}}")
    return problems


class _Overrides:
    """``texts.yml`` in ``$KNOWLEDGE_BASE_DIR``, re-read within a second of a change;
    a file with a problem is refused and the last good one kept."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.checked = 0.0
        self.signature: tuple[str, float, int] | None = None
        self.data: dict[str, dict[str, dict[str, str]]] = {}

    def get(self) -> dict[str, dict[str, dict[str, str]]]:
        now = time.monotonic()
        if now - self.checked < _OVERRIDE_CHECK_SECONDS:
            return self.data
        with self.lock:
            self.checked = now
            path = overrides_path()
            try:
                stat = path.stat()
                signature = (str(path), stat.st_mtime, stat.st_size)
            except OSError:
                signature = (str(path), -1.0, -1)
            if signature != self.signature:
                self.signature = signature
                self._load(path)
        return self.data

    def _load(self, path: Path) -> None:
        if not path.is_file():
            self.data = {}
            return
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            logger.error("Keeping the last good %s: %s", OVERRIDES_FILE, error)
            return
        problems = override_problems(data)
        if problems:
            logger.error("Keeping the last good %s: %s", OVERRIDES_FILE, "; ".join(problems))
            return
        self.data = data or {}


def overrides_path() -> Path:
    """Where the editors' overrides are: ``$KNOWLEDGE_BASE_DIR/texts.yml``."""
    folder = os.environ.get("KNOWLEDGE_BASE_DIR") or Path(__file__).resolve().parents[1] / (
        "knowledge_base"
    )
    return Path(folder) / OVERRIDES_FILE


_override_holder = _Overrides()


def _overrides() -> dict[str, dict[str, dict[str, str]]]:
    return _override_holder.get()


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a text uses."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _live_knowledge_base() -> KnowledgeBase:
    from bot.kb import default_store  # imported late: the store loads files on first use

    return default_store().get()


def kb_values(kb: KnowledgeBase, language: str) -> dict[str, str]:
    """The knowledge-base facts every text may name, in ``language``.

    ``desks`` lists the service desks (``i Knarvik, på Manger og på Frekhaug``; in English
    the names only), ``services`` the services' names.
    """
    if language == ENGLISH:
        desks = [desk.name for desk in kb.desks]
    else:
        desks = [f"{desk.preposition} {desk.name}" for desk in kb.desks]
    return {
        "municipality": kb.municipality.name.get(language),
        "phone": kb.contact.phone,
        "email": kb.contact.email,
        "web": kb.contact.web,
        "privacy_url": kb.municipality.privacy_url,
        "desks": join_words(desks, language),
        "services": join_words([s.name.get(language) for s in kb.services], language),
    }


def render(
    message: str,
    language: str,
    kb: KnowledgeBase | None = None,
    *,
    knowledge_base: Callable[[], KnowledgeBase] = _live_knowledge_base,
    **values: Any,
) -> str:
    """Returns ``message`` in ``language`` with its placeholders filled.

    Args:
        message: The name in the catalogue's ``messages`` section.
        language: nn, nb or en (English falls back to Bokmål where a text has none).
        kb: Fills the common placeholders ({municipality}, {phone}, {desks}, ...) that
            ``values`` does not give; without it, the live knowledge base does.
        knowledge_base: Where to get the knowledge base when ``kb`` is not given.
        **values: The message's placeholders.

    Raises:
        MessageError: If the message or one of its placeholders is unknown.
    """
    variants = _catalogue()["messages"].get(message)
    if variants is not None and message in (_overrides().get("messages") or {}):
        variants = {**variants, **_overrides()["messages"][message]}
    if variants is None:
        raise MessageError(f"No message named '{message}' in {CATALOGUE.name}; add it there.")
    text = str(_pick(variants, language))
    if (placeholders(text) & KB_PLACEHOLDERS) - values.keys():
        values = {**kb_values(kb or knowledge_base(), language), **values}
    try:
        return text.format(**values).strip()
    except KeyError as missing:
        raise MessageError(f"Message '{message}' needs the value {missing}.") from None


def ui_texts(name: str, language: str, kb: KnowledgeBase) -> dict[str, str]:
    """The labels of the widget or the console in ``language``.

    The knowledge-base placeholders ({municipality}, ...) are filled; the others
    ({n}, {name}, ...) are left for the browser to fill.
    """
    values = kb_values(kb, language)
    texts: dict[str, str] = {}
    for key, variants in section(name).items():
        text = str(_pick(variants, language))
        for field in placeholders(text) & KB_PLACEHOLDERS:
            text = text.replace("{" + field + "}", values[field])
        texts[key] = text
    return texts


def calendar(key: str, language: str) -> Any:
    return _pick(_catalogue()["calendar"][key], language)


def weekday_label(weekday: str, language: str) -> str:
    """``wednesday`` -> ``onsdag`` / ``Wednesday``."""
    return str(calendar("weekdays", language)[WEEKDAYS.index(weekday)])


def join_words(items: list[str], language: str) -> str:
    """``[a, b, c]`` -> ``a, b og c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {calendar('and', language)} {items[-1]}"


def days_label(weekdays: list[str], language: str) -> str:
    """Names a set of weekdays: ``måndag–fredag`` for a run of 3+, else a list."""
    indices = sorted(WEEKDAYS.index(d) for d in weekdays)
    names = calendar("weekdays", language)
    if len(indices) >= 3 and indices == list(range(indices[0], indices[-1] + 1)):
        return f"{names[indices[0]]}–{names[indices[-1]]}"
    return join_words([str(names[i]) for i in indices], language)


def schedule_label(week: dict[str, Interval], language: str) -> str:
    """Describes a weekly pattern: ``måndag, tysdag og torsdag kl. 09.00–15.00``."""
    groups: dict[str, list[str]] = {}
    for weekday in WEEKDAYS:
        if weekday in week:
            groups.setdefault(week[weekday].label(), []).append(weekday)
    parts = [
        render("schedule", language, days=days_label(days, language), hours=hours)
        for hours, days in groups.items()
    ]
    return join_words(parts, language)


def date_label(day: date, language: str, today: date | None = None) -> str:
    """``i dag``, ``i morgon`` or ``fredag 27. november``."""
    if today is not None and day == today:
        return str(calendar("today", language))
    if today is not None and day == today + timedelta(days=1):
        return str(calendar("tomorrow", language))
    return str(calendar("date", language)).format(
        weekday=weekday_label(WEEKDAYS[day.weekday()], language),
        day=day.day,
        month=calendar("months", language)[day.month - 1],
    )


def moment_label(moment: datetime, language: str, now: datetime) -> str:
    """``i morgon kl. 09.00`` or ``måndag 30. november kl. 09.00``."""
    when = date_label(moment.date(), language, today=now.date())
    return str(calendar("at_time", language)).format(when=when, time=f"{moment:%H.%M}")
