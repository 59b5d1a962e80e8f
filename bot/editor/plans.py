"""What each editor form changes, as a :class:`Plan` the writer can apply.

A plan is built from a form's JSON body without touching any file. The editor API applies
it to the live knowledge base (:func:`bot.kb.writer.save`), the preview applies the same
plan to a temporary copy, so the preview answers with exactly the change that would be
saved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.kb.models import LANGUAGES, WEEKDAYS
from bot.kb.writer import entry_position, list_items, merge
from bot.web.http import ApiError

__all__ = ["PLANNERS", "Plan", "build_plan"]

MAX_TEXT = 4000
MAX_PHRASINGS = 200


@dataclass(frozen=True)
class Plan:
    """One change: which file and entry, how, and the version it was made against."""

    file: str
    entry: str
    mutate: Callable[[CommentedMap], None]
    summary: str
    version: str | None
    index: int | None = None  # the entry's position, to place field errors


def _bad(field: str, message: str) -> ApiError:
    return ApiError(400, "bad_request", message, field=field)


def _str(body: Mapping[str, Any], field: str, *, limit: int = MAX_TEXT) -> str:
    value = body.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _bad(field, f"'{field}' must be text.")
    if len(value) > limit:
        raise _bad(field, f"'{field}' is longer than {limit} characters.")
    return value.strip()


def _version(body: Mapping[str, Any]) -> str:
    version = _str(body, "version", limit=64)
    if not version:
        raise _bad("version", "Send the 'version' you read, so that no one's change is lost.")
    return version


def _texts(body: Mapping[str, Any], field: str) -> dict[str, str | None]:
    """``{"nn": .., "nb": .., "en": ..}``; an empty language becomes None (removed)."""
    value = body.get(field) or {}
    if not isinstance(value, Mapping):
        raise _bad(field, f"'{field}' must be an object with nn, nb and en.")
    return {lang: _str(value, lang) or None for lang in LANGUAGES}


def _phrasings(body: Mapping[str, Any]) -> list[str]:
    value = body.get("questions")
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _bad("questions", "'questions' must be a list of texts.")
    if len(value) > MAX_PHRASINGS:
        raise _bad("questions", f"At most {MAX_PHRASINGS} phrasings.")
    cleaned = [" ".join(item.split()) for item in value]
    return [item[:MAX_TEXT] for item in cleaned if item]


def _checked(body: Mapping[str, Any]) -> dict[str, Any]:
    """``checked: true`` (the municipality has verified it) clears ``sample: true``."""
    return {"sample": None} if body.get("checked") is True else {}


def faq_update(ident: str, body: Mapping[str, Any]) -> Plan:
    """Change an FAQ entry's phrasings, answers and link."""
    entry = f"faq:{ident}"
    values: dict[str, Any] = {
        "questions": CommentedSeq(_phrasings(body)),
        "answer": _texts(body, "answer"),
        "link": _str(body, "link") or None,
        **_checked(body),
    }

    def mutate(data: CommentedMap) -> None:
        merge(list_items(data, "faq")[entry_position(data, entry)], values)

    return Plan("faq.yml", entry, mutate, f"Endra FAQ-en {ident}", _version(body))


def faq_create(ident: str, body: Mapping[str, Any]) -> Plan:
    """A new FAQ entry (marked as sample content until it is checked)."""
    new_id = _str(body, "id", limit=100)
    answer = {k: v for k, v in _texts(body, "answer").items() if v}
    link = _str(body, "link")

    def mutate(data: CommentedMap) -> None:
        item = CommentedMap(id=new_id)
        item["questions"] = CommentedSeq(_phrasings(body))
        item["answer"] = CommentedMap(answer)
        if link:
            item["link"] = link
        if body.get("checked") is not True:
            item["sample"] = True
        items = list_items(data, "faq")
        items.append(item)
        if len(items) > 1:
            items.yaml_set_comment_before_after_key(len(items) - 1, before="\n")

    return Plan("faq.yml", f"faq:{new_id}", mutate, f"Ny FAQ: {new_id}", None)


def faq_phrasing(ident: str, body: Mapping[str, Any]) -> Plan:
    """One more phrasing of an FAQ entry's question."""
    entry = f"faq:{ident}"
    phrasing = " ".join(_str(body, "phrasing").split())
    if not phrasing:
        raise _bad("phrasing", "Skriv ei formulering.")

    def mutate(data: CommentedMap) -> None:
        item = list_items(data, "faq")[entry_position(data, entry)]
        questions = item.setdefault("questions", CommentedSeq())
        if phrasing.casefold() not in (str(q).casefold() for q in questions):
            questions.append(phrasing)

    summary = f"La til formuleringa «{phrasing}» i FAQ-en {ident}"
    return Plan("faq.yml", entry, mutate, summary, None)


def faq_retire(ident: str, body: Mapping[str, Any]) -> Plan:
    """Remove an FAQ entry (undo brings it back)."""
    entry = f"faq:{ident}"

    def mutate(data: CommentedMap) -> None:
        del list_items(data, "faq")[entry_position(data, entry)]

    return Plan("faq.yml", entry, mutate, f"Tok bort FAQ-en {ident}", _version(body))


def desk_update(ident: str, body: Mapping[str, Any]) -> Plan:
    """A service desk's weekly hours, visiting address and map link."""
    entry = f"locations:{ident}"
    hours = body.get("opening_hours") or {}
    if not isinstance(hours, Mapping):
        raise _bad("opening_hours", "'opening_hours' must map weekdays to 09:00-15:00.")
    week = CommentedMap()
    for day in WEEKDAYS:  # in weekday order; an empty day is closed
        value = _str(hours, day, limit=40) if day in hours else ""
        if value:
            week[day] = value
    for day in hours:
        if day not in WEEKDAYS:
            raise _bad(f"opening_hours.{day}", f"Unknown weekday '{day}'.")
    address = body.get("address") or {}
    if not isinstance(address, Mapping):
        raise _bad("address", "'address' must be an object with text and map_url.")
    address_values: dict[str, Any] = {
        "text": _texts(address, "text"),
        "map_url": _str(address, "map_url") or None,
    }
    if address.get("checked") is True:
        address_values["sample"] = None
    values: dict[str, Any] = {**_checked(body)}
    if "address" in body:  # a form without the address leaves it as it is
        values["address"] = address_values

    def mutate(data: CommentedMap) -> None:
        item = list_items(data, "locations")[entry_position(data, entry)]
        if week:
            item["opening_hours"] = week
        else:
            item.pop("opening_hours", None)
        merge(item, values)

    return Plan("service_desks.yml", entry, mutate, f"Endra staden {ident}", _version(body))


def _date(body: Mapping[str, Any], field: str) -> str:
    text = _str(body, field, limit=20)
    try:
        date.fromisoformat(text)
    except ValueError:
        raise _bad(field, "Skriv datoen slik: 2026-12-24.") from None
    return text


def closure_add(_: str, body: Mapping[str, Any]) -> Plan:
    """A dated closure or changed hours (one day, or ``from``–``to``)."""
    item = CommentedMap()
    if _str(body, "to", limit=20) and _str(body, "to", limit=20) != _str(body, "from", limit=20):
        item["from"] = date.fromisoformat(_date(body, "from"))
        item["to"] = date.fromisoformat(_date(body, "to"))
    else:
        item["date"] = date.fromisoformat(_date(body, "from" if "from" in body else "date"))
    hours = _str(body, "hours", limit=40)
    if hours:
        item["hours"] = hours
    else:
        item["closed"] = True
    item["reason"] = CommentedMap({k: v for k, v in _texts(body, "reason").items() if v})
    places = body.get("locations") or []
    if not isinstance(places, list) or not all(isinstance(p, str) for p in places):
        raise _bad("locations", "'locations' must be a list of place ids.")
    if places:
        item["locations"] = CommentedSeq(places)
    when = str(item.get("date") or f"{item['from']}–{item['to']}")

    def mutate(data: CommentedMap) -> None:
        items = list_items(data, "exceptions")
        items.append(item)
        if len(items) > 1:
            items.yaml_set_comment_before_after_key(len(items) - 1, before="\n")

    return Plan("closures.yml", "exceptions", mutate, f"La til stenging/endra tid {when}", None)


def closure_remove(index: str, body: Mapping[str, Any]) -> Plan:
    """Remove the closure at position ``index``."""
    try:
        position = int(index)
    except ValueError:
        raise _bad("index", "Unknown closure.") from None

    def mutate(data: CommentedMap) -> None:
        items = list_items(data, "exceptions")
        if not 0 <= position < len(items):
            raise ApiError(404, "not_found", "Denne stenginga finst ikkje (lenger).")
        del items[position]

    return Plan(
        "closures.yml", "exceptions", mutate, "Tok bort ei stenging", _version(body), position
    )


def contact_update(_: str, body: Mapping[str, Any]) -> Plan:
    """Phone and its hours, e-mail, web and postal address (``contact.yml``)."""
    phone = body.get("phone") or {}
    post = body.get("post") or {}
    if not isinstance(phone, Mapping) or not isinstance(post, Mapping):
        raise _bad("phone", "'phone' and 'post' must be objects.")
    hours = phone.get("opening_hours") or {}
    if not isinstance(hours, Mapping):
        raise _bad("phone.opening_hours", "'opening_hours' must map weekdays to 09:00-15:00.")
    week = CommentedMap((day, _str(hours, day, limit=40)) for day in WEEKDAYS if hours.get(day))
    values: dict[str, Any] = {
        "phone": {"number": _str(phone, "number", limit=40)},
        "email": _str(body, "email", limit=254),
        "web": _str(body, "web"),
        "post": {"address": _str(post, "address")},
    }
    if post.get("checked") is True:
        values["post"]["sample"] = None

    def mutate(data: CommentedMap) -> None:
        merge(data, values)
        phone_map = data.setdefault("phone", CommentedMap())
        phone_map["opening_hours"] = week

    return Plan("contact.yml", "", mutate, "Endra kontaktinformasjonen", _version(body))


def municipality_update(_: str, body: Mapping[str, Any]) -> Plan:
    """The municipality's name, privacy page and search URL (``municipality.yml``)."""
    values: dict[str, Any] = {
        "name": _texts(body, "name"),
        "privacy_url": _str(body, "privacy_url"),
        "search_url": _str(body, "search_url"),
    }
    checked = body.get("checked")
    if isinstance(checked, list):  # keys the municipality has verified: no longer sample

        def unmark(data: CommentedMap) -> None:
            sample = data.get("sample")
            if isinstance(sample, list):
                for key in [k for k in sample if k in checked]:
                    sample.remove(key)
                if not sample:
                    data.pop("sample")
    else:

        def unmark(data: CommentedMap) -> None:
            return None

    def mutate(data: CommentedMap) -> None:
        merge(data, values)
        unmark(data)

    return Plan("municipality.yml", "", mutate, "Endra kommunedelen", _version(body))


PLANNERS: dict[str, Callable[[str, Mapping[str, Any]], Plan]] = {
    "faq": faq_update,
    "faq_new": faq_create,
    "faq_phrasing": faq_phrasing,
    "faq_retire": faq_retire,
    "desk": desk_update,
    "closure_add": closure_add,
    "closure_remove": closure_remove,
    "contact": contact_update,
    "municipality": municipality_update,
}
"""Form name -> plan builder ``(id, body)``; the preview names the form it previews."""


def build_plan(kind: str, ident: str, body: Mapping[str, Any]) -> Plan:
    """The plan of form ``kind`` for entry ``ident`` (400 for an unknown form)."""
    planner = PLANNERS.get(kind)
    if planner is None:
        raise _bad("kind", f"Unknown form '{kind}'; use one of {', '.join(PLANNERS)}.")
    return planner(ident, body)
