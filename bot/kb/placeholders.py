"""Placeholders in answers, such as ``{phone}`` or ``{hours:knarvik}``: names and checks.

An answer refers to a fact by placeholder so that the fact is stated once, in the file
that owns it. This module knows which placeholders exist and checks an answer's
placeholders while the knowledge base loads; :mod:`bot.kb.facts` fills them in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.kb.schema import suggestion

__all__ = ["DESK_PLACEHOLDERS", "PLACEHOLDER", "PLACEHOLDERS", "placeholder_problems"]

# {name} or {name:argument}; braces around anything with spaces are left alone as text.
PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")
# Placeholder -> what it stands for (shown to editors in the README and in messages).
PLACEHOLDERS: dict[str, str] = {
    "phone": "the phone number (contact.yml)",
    "email": "the e-mail address (contact.yml)",
    "web": "the web site (contact.yml)",
    "post": "the postal address (contact.yml)",
    "phone_hours": "the phone's weekly hours (contact.yml)",
    "municipality": "the municipality's name (municipality.yml)",
}
# Placeholders that name a desk from service_desks.yml: {hours:knarvik}.
DESK_PLACEHOLDERS: dict[str, str] = {
    "hours": "a desk's weekly opening hours (service_desks.yml)",
}


def placeholder_problems(text: str, desks: Mapping[str, bool]) -> list[str]:
    """Plain-language problems with the placeholders in ``text``.

    Args:
        text: One language's answer as the editor wrote it.
        desks: Every location id in service_desks.yml -> whether it has opening hours.

    Returns:
        One message per bad placeholder; empty if all are known.
    """
    problems = []
    for match in PLACEHOLDER.finditer(text):
        name, _, argument = match.group(1).partition(":")
        written = match.group(0)
        if name in PLACEHOLDERS:
            if argument:
                problems.append(f"'{written}' takes no ':{argument}'; write {{{name}}}")
        elif name in DESK_PLACEHOLDERS:
            example = next(iter(desks), "knarvik")
            if not argument:
                problems.append(f"'{written}' needs a desk, e.g. {{{name}:{example}}}")
            elif argument not in desks:
                hint = suggestion(argument, [d for d in desks if desks[d]])
                problems.append(f"'{written}' names the unknown desk '{argument}'{hint}")
            elif not desks[argument]:
                problems.append(
                    f"'{written}': '{argument}' has no opening hours in service_desks.yml"
                )
        else:
            known = [f"{{{p}}}" for p in PLACEHOLDERS] + [f"{{{p}:…}}" for p in DESK_PLACEHOLDERS]
            hint = suggestion(f"{{{name}}}", known)
            problems.append(f"unknown placeholder '{written}'{hint}")
    return problems
