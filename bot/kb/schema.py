"""Which keys each knowledge-base file may have, level by level.

The table is the schema editors write against. A key that is not in it (usually a
misspelling such as ``opening_hour:``) is reported with file, line and entry, and the
closest allowed key is suggested. Values are checked by the loader; this module only
guards the keys, so that a misspelled key can never silently drop a fact.
"""

from __future__ import annotations

import difflib
from typing import Any

__all__ = ["SCHEMA", "TEXT", "WEEK", "unknown_keys"]

# A text in nn, nb and optionally en; the loader itself names an unknown language.
TEXT = "text"
# A weekly timetable, weekday -> "HH:MM-HH:MM"; the loader itself names an unknown weekday.
WEEK = "week"
# Anything else (a number, a word, a list of words): no keys below it.
VALUE = None

Schema = dict[str, Any]

# Where a place is: the text citizens read and a map link (issue 7).
_ADDRESS: Schema = {"text": TEXT, "map_url": VALUE, "source": VALUE, "sample": VALUE}
_LOCATION: Schema = {
    "id": VALUE,
    "name": VALUE,
    "preposition": VALUE,
    "venue": TEXT,
    "synonyms": VALUE,
    "opening_hours": WEEK,
    "note": TEXT,
    "source": VALUE,
    "sample": VALUE,
    "address": _ADDRESS,
}
_EXCEPTION: Schema = {
    "date": VALUE,
    "from": VALUE,
    "to": VALUE,
    "closed": VALUE,
    "hours": VALUE,
    "reason": TEXT,
    "locations": VALUE,
    "source": VALUE,
    "sample": VALUE,
}
_EMERGENCY: Schema = {"id": VALUE, "number": VALUE, "label": TEXT, "source": VALUE}
_SERVICE: Schema = {
    "id": VALUE,
    "name": TEXT,
    "synonyms": VALUE,
    "answer": TEXT,
    "link": VALUE,
    "source": VALUE,
    "sample": VALUE,
}
_FAQ: Schema = {
    "id": VALUE,
    "questions": VALUE,
    "answer": TEXT,
    "link": VALUE,
    "source": VALUE,
    "sample": VALUE,
}

# booking package (issue 10): what a meeting can be about, and the hours of meetings
# where no desk is staffed (Alver rådhus, digital).
_MEETINGS: Schema = {
    "topics": [{"id": VALUE, "name": TEXT, "synonyms": VALUE}],
    "hours": WEEK,
    "source": VALUE,
    "sample": VALUE,
}

# File -> allowed top-level keys. A one-item list means "a list of entries like this".
SCHEMA: dict[str, Schema] = {
    "service_desks.yml": {
        "service_name": TEXT,
        "locations": [_LOCATION],
        # Words for the desk itself ("servicetorget", "resepsjonen"): never a place.
        "generic_words": VALUE,
    },
    "closures.yml": {"public_holidays_closed": VALUE, "exceptions": [_EXCEPTION]},
    "contact.yml": {
        "phone": {"number": VALUE, "opening_hours": WEEK, "source": VALUE},
        "email": VALUE,
        "web": VALUE,
        "post": {"address": VALUE, "source": VALUE, "sample": VALUE},
        "emergency": [_EMERGENCY],
    },
    "services.yml": {"services": [_SERVICE], "meetings": _MEETINGS},
    # synonyms: groups of words the FAQ matching treats as the same (issue 7).
    "faq.yml": {"faq": [_FAQ], "synonyms": VALUE},
    "municipality.yml": {
        "name": TEXT,
        "privacy_url": VALUE,
        "search_url": VALUE,
        "brand_colour": VALUE,
        "chat": {"staffed": VALUE},
        "sample": VALUE,
        "source": VALUE,
        # widget (issue 10): the logo in the chat's header.
        "logo_url": VALUE,
    },
}


def suggestion(
    word: str, allowed: list[str] | tuple[str, ...], listing: str = "allowed here:"
) -> str:
    """`` — did you mean 'x'?`` for the closest allowed word, else ``; allowed here: a, b``."""
    close = difflib.get_close_matches(str(word), list(allowed), n=1, cutoff=0.6)
    if close:
        return f" — did you mean '{close[0]}'?"
    return f"; {listing} {', '.join(allowed)}"


def unknown_keys(data: Any, schema: Any, path: str = "") -> list[tuple[str, str, str]]:
    """Every key in ``data`` that ``schema`` doesn't allow.

    Args:
        data: The file's content (or a part of it).
        schema: The :data:`SCHEMA` entry for that part.
        path: Where ``data`` is, as ``locations[1].note`` (empty at the top).

    Returns:
        ``(path of the parent, the unknown key, the suggestion)`` for each problem.
    """
    found: list[tuple[str, str, str]] = []
    if isinstance(schema, list) and isinstance(data, list):
        for index, item in enumerate(data):
            found += unknown_keys(item, schema[0], f"{path}[{index}]")
    elif isinstance(schema, dict) and isinstance(data, dict):
        for key, value in data.items():
            if key in schema:
                found += unknown_keys(value, schema[key], f"{path}.{key}" if path else str(key))
            else:
                found.append((path, str(key), suggestion(str(key), list(schema))))
    return found
