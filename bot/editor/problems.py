"""Turns the loader's problems into errors next to the editor's form fields, in Nynorsk.

The loader (:mod:`bot.kb.loader`) names file, line, entry and field in English for
``make kb-check``; the editor's page shows the same problem next to the field, in plain
Nynorsk where the kind of problem is known (the English text otherwise).
"""

from __future__ import annotations

import re
from typing import Any

from bot.kb.writer import InvalidChange

__all__ = ["field_errors", "invalid_response_body"]

_FIELD = re.compile(r"field '([^']+)': (.*)$")
_TEXT_FIELD = re.compile(r"^texts\.yml: \w+\.[\w-]+\.(nn|nb|en): (.*)$")
_UNKNOWN_KEY = re.compile(r": unknown key '([^']+)'(.*)$")
_ENTRY = re.compile(r"^[a-z_]+\.yml(?:, line \d+)?: ([a-z_]+)\[(\d+)\](?: \(id '([^']*)'\))?")

_NYNORSK: tuple[tuple[str, str], ...] = (
    (r"the Nynorsk text is missing", "Skriv teksten på nynorsk."),
    (r"the Bokmål text is missing", "Skriv teksten på bokmål."),
    (r"needs at least one question phrasing", "Skriv minst éi formulering av spørsmålet."),
    (r"is missing or empty", "Feltet kan ikkje vere tomt."),
    (r"may only use a-z, 0-9 and _", "ID-en kan berre ha små bokstavar a–z, tal og _."),
    (r"duplicate id", "Denne ID-en finst alt. Vel ein annan."),
    (r"is not a time range like", "Skriv tida slik: 09:00-15:00."),
    (r"is not a time of day", "Det er ikkje eit klokkeslett. Skriv tida slik: 09:00-15:00."),
    (r"opens at .* but closes at", "Opningstida må vere før stengetida."),
    (r"is not a date like", "Skriv datoen slik: 2026-12-24."),
    (r"before it starts", "Sluttdatoen er før startdatoen."),
    (r"give either 'closed: true' or", "Vel anten «stengt» eller ei endra opningstid."),
    (r"unknown location", "Ukjend stad. Vel ein stad frå lista."),
    (r"is not an e-mail address", "Dette er ikkje ei e-postadresse."),
    (r"is not a web address", "Skriv ei nettadresse som byrjar med https://."),
    (r"put \{query\} where", "Skriv {query} der søkjeorda skal stå."),
    (r"is not a colour like", "Skriv fargen slik: #0b4f6c."),
    (r"unknown placeholder '([^']+)'(?: — did you mean '([^']+)')?", "PLACEHOLDER"),
    (r"the placeholder (\{\w+\}) is missing", "TEXT_MISSING"),
    (r"^unknown placeholder (\{\w+\})$", "TEXT_UNKNOWN"),
    (r"a \{ or \} has no partner", "Ein { eller } manglar partnaren sin."),
    (r"the text is empty", "Teksten kan ikkje vere tom."),
    (r"names the unknown desk", "Plasshaldaren nemner ein ukjend stad."),
    (r"is already a phrasing", "Denne formuleringa finst alt."),
    (r"the phrasing is empty", "Skriv ei formulering."),
    (r"nothing changed", "Du har ikkje endra noko."),
    (r"is not true or false", "Vel ja eller nei."),
)


def _nynorsk(message: str) -> str:
    for pattern, text in _NYNORSK:
        match = re.search(pattern, message)
        if match is None:
            continue
        if text == "TEXT_MISSING":
            return f"Plasshaldaren {match.group(1)} manglar. Han må vere med i teksten."
        if text == "TEXT_UNKNOWN":
            return f"Ukjend plasshaldar {match.group(1)}. Bruk berre dei som er viste."
        if text == "PLACEHOLDER":
            hint = f" Meinte du {match.group(2)}?" if match.group(2) else ""
            return f"Ukjend plasshaldar {match.group(1)}.{hint}"
        return text
    return message


def field_errors(
    problems: list[str], *, file: str, index: int | None = None
) -> list[dict[str, Any]]:
    """One ``{"field", "message", "detail"}`` per problem that concerns the edited entry.

    Args:
        problems: The lines of :class:`InvalidChange`.
        file: The file the form edits; problems in other files are kept with field ``""``.
        index: Position of the edited entry in its list, if it is a list entry.

    ``field`` is the loader's field (``answer.nb``, ``opening_hours.monday``), ``message``
    the Nynorsk text for the page, ``detail`` the loader's line (file, line, entry).
    """
    errors = []
    for problem in problems:
        field, message = "", problem
        match = _FIELD.search(problem)
        key = _UNKNOWN_KEY.search(problem)
        text_field = _TEXT_FIELD.search(problem)
        if text_field:
            field, message = text_field.group(1), text_field.group(2)
        elif match:
            field, message = match.group(1), match.group(2)
        elif key:
            field, message = key.group(1), f"unknown key '{key.group(1)}'{key.group(2)}"
        entry = _ENTRY.search(problem)
        if entry and index is not None and int(entry.group(2)) != index:
            field = ""  # another entry: show it at the top of the form
        if not problem.startswith(file):
            field = ""
        errors.append({"field": field, "message": _nynorsk(message), "detail": problem})
    return errors


def invalid_response_body(
    error: InvalidChange, *, file: str, index: int | None = None
) -> dict[str, Any]:
    """The JSON body of a 422 answer to a change the knowledge base refused."""
    return {
        "error": "invalid",
        "message": "Endringa vart ikkje lagra. Rett feila som er viste ved felta.",
        "errors": field_errors(error.problems, file=file, index=index),
    }
