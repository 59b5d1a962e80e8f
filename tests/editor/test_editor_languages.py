"""The editor API answers a refused change in the page's language (Accept-Language from
common.js): Nynorsk, Bokmål or English, from bot/messages.yml section ``editor``."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.editor.problems import api_text, field_errors, page_language
from bot.messages import section
from tests.web.conftest import Staff


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("nb", "nb"),
        ("nb-NO,nb;q=0.9,en;q=0.8", "nb"),
        ("no", "nb"),
        ("en-GB", "en"),
        ("nn", "nn"),
        ("de-DE", "nn"),
        ("", "nn"),
        (None, "nn"),
    ],
)
def test_page_language_from_accept_language(header: str | None, expected: str) -> None:
    headers = {} if header is None else {"accept-language": header}
    assert page_language(SimpleNamespace(headers=headers)) == expected


@pytest.mark.parametrize(
    ("problem", "language", "message"),
    [
        (
            "faq.yml: faq[0]: field 'answer.nn': the Nynorsk text is missing",
            "nb",
            "Skriv teksten på nynorsk.",
        ),
        (
            "faq.yml: faq[0]: field 'id': duplicate id 'x'",
            "nb",
            "Denne ID-en finnes allerede. Velg en annen.",
        ),
        ("faq.yml: faq[0]: field 'id': duplicate id 'x'", "en", "This ID already exists."),
        (
            "faq.yml: faq[0]: field 'answer.nb': unknown placeholder '{telefon}' — did you mean "
            "'{phone}'",
            "nb",
            "Ukjent plassholder {telefon}. Mente du {phone}?",
        ),
        (
            "faq.yml: faq[0]: field 'answer.nb': unknown placeholder '{telefon}' — did you mean "
            "'{phone}'",
            "nn",
            "Ukjend plasshaldar {telefon}. Meinte du {phone}?",
        ),
        (
            "contact.yml: field 'search_url': put {query} where the words go",
            "en",
            "Write {query} where the search words go.",
        ),
        ("faq.yml: faq[0]: field 'link': something new", "nb", "something new"),
    ],
)
def test_field_errors_in_the_page_language(problem: str, language: str, message: str) -> None:
    (error,) = field_errors([problem], file="faq.yml", index=0, language=language)
    assert error["message"].startswith(message), error
    assert error["detail"] == problem


@pytest.mark.parametrize("key", sorted(k for k in section("editor") if k.startswith("api_")))
def test_every_api_text_differs_by_language_where_the_words_differ(key: str) -> None:
    texts = {language: api_text(key, language) for language in ("nn", "nb", "en")}
    assert texts["en"] != texts["nn"], f"editor.{key}: the English is the Nynorsk text"
    assert all(
        "{" not in t or "{placeholder}" in t or "{query}" in t or "{suggestion}" in t
        for t in texts.values()
    )


def _put(editor: Staff, body: dict[str, Any], language: str | None) -> Any:
    headers = {"Cookie": editor.cookie, "X-CSRF-Token": editor.csrf}
    if language:
        headers["Accept-Language"] = language
    return editor.server.request(
        "PUT", "/console/api/editor/faq/eigedomsskatt", body, headers=headers
    )


@pytest.mark.parametrize(
    ("language", "top", "field_message"),
    [
        (None, "Endringa vart ikkje lagra.", "Skriv teksten på nynorsk."),
        ("nn", "Endringa vart ikkje lagra.", "Skriv teksten på nynorsk."),
        ("nb", "Endringen ble ikke lagret.", "Skriv teksten på nynorsk."),
        ("en", "The change was not saved.", "Write the text in Nynorsk."),
    ],
)
def test_refused_save_is_answered_in_the_page_language(
    as_role: dict[str, Staff], kb_dir: Path, language: str | None, top: str, field_message: str
) -> None:
    editor = as_role["editor"]
    entry = editor.call("GET", "/editor/faq/eigedomsskatt", csrf=False).json
    body = {
        "version": entry["version"],
        "questions": entry["questions"],
        "answer": {"nn": "", "nb": "Svar."},
    }
    before = (kb_dir / "faq.yml").read_text(encoding="utf-8")
    resp = _put(editor, body, language)
    assert resp.status == 422
    assert resp.json["message"].startswith(top)
    assert {e["field"]: e["message"] for e in resp.json["errors"]}["answer.nn"] == field_message
    assert (kb_dir / "faq.yml").read_text(encoding="utf-8") == before
