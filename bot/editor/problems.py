"""Turns the loader's problems into errors next to the editor's form fields.

The loader (:mod:`bot.kb.loader`) names file, line, entry and field in English for
``make kb-check``; the editor's page shows the same problem next to the field, in plain
Nynorsk, Bokmål or English (the page's language, see :func:`page_language`) where the kind
of problem is known (the loader's English text otherwise). The texts are in
bot/messages.yml, section ``editor``, keys ``api_*``.
"""

from __future__ import annotations

import re
from typing import Any

from bot.kb.writer import InvalidChange
from bot.language import DEFAULT_LANGUAGE
from bot.messages import section

__all__ = ["api_text", "field_errors", "invalid_response_body", "page_language"]

_FIELD = re.compile(r"field '([^']+)': (.*)$")
_TEXT_FIELD = re.compile(r"^texts\.yml: \w+\.[\w-]+\.(nn|nb|en): (.*)$")
_UNKNOWN_KEY = re.compile(r": unknown key '([^']+)'(.*)$")
_ENTRY = re.compile(r"^[a-z_]+\.yml(?:, line \d+)?: ([a-z_]+)\[(\d+)\](?: \(id '([^']*)'\))?")

# Pattern of the loader's English problem -> key of its plain text in bot/messages.yml
# (section ``editor``, keys ``api_*``, in nn, nb and en).
_EXPLAINED: tuple[tuple[str, str], ...] = (
    (r"the Nynorsk text is missing", "api_nynorsk_missing"),
    (r"the Bokmål text is missing", "api_bokmal_missing"),
    (r"needs at least one question phrasing", "api_phrasing_needed"),
    (r"is missing or empty", "api_empty"),
    (r"may only use a-z, 0-9 and _", "api_id_characters"),
    (r"duplicate id", "api_duplicate_id"),
    (r"is not a time range like", "api_time_range"),
    (r"is not a time of day", "api_time_of_day"),
    (r"opens at .* but closes at", "api_opens_after_closing"),
    (r"is not a date like", "api_date"),
    (r"before it starts", "api_end_before_start"),
    (r"give either 'closed: true' or", "api_closed_or_hours"),
    (r"unknown location", "api_unknown_location"),
    (r"is not an e-mail address", "api_email"),
    (r"is not a web address", "api_web_address"),
    (r"put \{query\} where", "api_search_query"),
    (r"is not a colour like", "api_colour"),
    (r"unknown placeholder '([^']+)'(?: — did you mean '([^']+)')?", "api_unknown_placeholder"),
    (r"the placeholder (\{\w+\}) is missing", "api_text_placeholder_missing"),
    (r"^unknown placeholder (\{\w+\})$", "api_text_placeholder_unknown"),
    (r"a \{ or \} has no partner", "api_unpaired_brace"),
    (r"the text is empty", "api_text_empty"),
    (r"names the unknown desk", "api_unknown_desk"),
    (r"is already a phrasing", "api_phrasing_exists"),
    (r"the phrasing is empty", "api_phrasing_empty"),
    (r"nothing changed", "api_nothing_changed"),
    (r"is not true or false", "api_yes_or_no"),
)
LANGUAGES = ("nn", "nb", "en")


def page_language(request: Any) -> str:
    """The language of the page that sent ``request`` (its ``Accept-Language``, set by
    common.js from the page's ``lang``): ``nn``, ``nb`` or ``en``; Nynorsk otherwise."""
    header = str(request.headers.get("accept-language") or "")
    first = header.split(",")[0].split(";")[0].strip().lower()
    language = first.split("-")[0]
    if language == "no":
        return "nb"
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def api_text(key: str, language: str, **values: str) -> str:
    """The ``editor.<key>`` text of the catalogue in ``language``, ``{name}`` values filled."""
    variants = section("editor")[key]
    text = str(variants.get(language) or variants[DEFAULT_LANGUAGE])
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def _explain(message: str, language: str) -> str:
    for pattern, key in _EXPLAINED:
        match = re.search(pattern, message)
        if match is None:
            continue
        if key == "api_unknown_placeholder":
            hint = (
                api_text("api_did_you_mean", language, suggestion=match.group(2))
                if match.group(2)
                else ""
            )
            return api_text(key, language, placeholder=match.group(1)) + hint
        if key in ("api_text_placeholder_missing", "api_text_placeholder_unknown"):
            return api_text(key, language, placeholder=match.group(1))
        if key == "api_search_query":
            return api_text(key, language, query="{query}")
        return api_text(key, language)
    return message


def field_errors(
    problems: list[str], *, file: str, index: int | None = None, language: str = "nn"
) -> list[dict[str, Any]]:
    """One ``{"field", "message", "detail"}`` per problem that concerns the edited entry.

    Args:
        problems: The lines of :class:`InvalidChange`.
        file: The file the form edits; problems in other files are kept with field ``""``.
        index: Position of the edited entry in its list, if it is a list entry.
        language: The page's language (``nn``, ``nb`` or ``en``).

    ``field`` is the loader's field (``answer.nb``, ``opening_hours.monday``), ``message``
    the text for the page in its language, ``detail`` the loader's line (file, line, entry).
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
        errors.append({"field": field, "message": _explain(message, language), "detail": problem})
    return errors


def invalid_response_body(
    error: InvalidChange, *, file: str, index: int | None = None, language: str = "nn"
) -> dict[str, Any]:
    """The JSON body of a 422 answer to a change the knowledge base refused."""
    return {
        "error": "invalid",
        "message": api_text("api_not_saved", language),
        "errors": field_errors(error.problems, file=file, index=index, language=language),
    }
