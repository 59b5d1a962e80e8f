"""Editors' own versions of the bot's and the widget's sentences (``texts.yml``).

The catalogue ``bot/messages.yml`` stays as the developers wrote it; an editor's version
of a text (nn, nb or en) is saved in ``texts.yml`` in the knowledge-base folder and used
by :mod:`bot.messages` within a second. An override must use exactly the placeholders
of the catalogue's text (``{phone}``, ``{n}``): one dropped or invented is refused.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.editor.plans import Plan
from bot.editor.problems import api_text, page_language
from bot.editor.views import EDITOR_ROLES, apply_plan, change_json, kb_directory
from bot.kb.changelog import change_log
from bot.kb.writer import ChangeConflict, read_entry, validate_texts, version_of
from bot.messages import OVERRIDES_FILE, SECTIONS, _pick, catalogue_section, placeholders
from bot.web.auth import Staff, staff_route
from bot.web.http import ApiError, parse_json_object

__all__ = ["texts_list", "texts_update"]

LANGUAGES = ("nn", "nb", "en")
MAX_TEXT = 2000


def _current(request: Request) -> dict[str, Any]:
    data, _ = read_entry(kb_directory(request), "", OVERRIDES_FILE)
    return data if isinstance(data, dict) else {}


@staff_route(csrf=False, roles=EDITOR_ROLES)
async def texts_list(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /texts?section=``: every text with the catalogue's version, the override,
    its placeholders and version."""
    wanted = request.args.get("section") or None
    overrides = _current(request)
    items = []
    for name in SECTIONS:
        if wanted and name != wanted:
            continue
        mine = overrides.get(name) or {}
        for key, variants in catalogue_section(name).items():
            override = mine.get(key) or {}
            items.append(
                {
                    "section": name,
                    "key": key,
                    "catalogue": {lang: str(_pick(variants, lang)) for lang in LANGUAGES},
                    "override": override,
                    "placeholders": sorted(placeholders(str(_pick(variants, "nn")))),
                    "version": version_of(override or None),
                }
            )
    return response.json({"texts": items})


@staff_route(csrf=True, roles=EDITOR_ROLES)
async def texts_update(request: Request, staff: Staff, name: str, key: str) -> HTTPResponse:
    """``PUT /texts/<section>/<key>``: ``{"version", "nn", "nb", "en"}``; an empty
    language goes back to the catalogue's text."""
    if name not in SECTIONS or key not in catalogue_section(name):
        raise ApiError(
            404,
            "not_found",
            api_text("api_no_text", page_language(request), name=f"{name}.{key}"),
        )
    body = parse_json_object(request)
    version = body.get("version")
    if not isinstance(version, str) or not version:
        raise ApiError(400, "bad_request", "Send the 'version' you read.", field="version")
    values: dict[str, str | None] = {}
    for lang in LANGUAGES:
        text = body.get(lang)
        if text is not None and not isinstance(text, str):
            raise ApiError(400, "bad_request", f"'{lang}' must be text.", field=lang)
        values[lang] = (text or "").strip()[:MAX_TEXT] or None
    entry = f"{name}.{key}"

    def mutate(data: CommentedMap) -> None:
        part = data.setdefault(name, CommentedMap())
        if version_of(part.get(key) or None) != version:
            raise ChangeConflict(_who(entry), change_log().last_for(OVERRIDES_FILE, entry))
        item = part.setdefault(key, CommentedMap())
        for lang, text in values.items():
            if text is None or text == str(_pick(catalogue_section(name)[key], lang)):
                item.pop(lang, None)
            else:
                item[lang] = text
        if not item:
            del part[key]
        if not part:
            del data[name]

    plan = Plan(OVERRIDES_FILE, entry, mutate, f"Endra teksten {entry}", None)
    change = await apply_plan(request, staff, plan, validator=validate_texts)
    current = (_current(request).get(name) or {}).get(key) or {}
    return response.json(
        {"change": change_json(change), "override": current, "version": version_of(current or None)}
    )


def _who(entry: str) -> str:
    last = change_log().last_for(OVERRIDES_FILE, entry)
    if last is None:
        return f"'{entry}' was changed after you opened it."
    return f"{last.account} saved '{entry}' at {last.at:%Y-%m-%d %H:%M} UTC after you opened it."
