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
def test_every_api_text_is_written_in_english_too(key: str) -> None:
    texts = {language: api_text(key, language) for language in ("nn", "nb", "en")}
    assert texts["en"] != texts["nn"], f"editor.{key}: the English is the Nynorsk text"


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


def _call(staff: Staff, method: str, path: str, body: Any, language: str | None) -> Any:
    headers = {"Cookie": staff.cookie, "X-CSRF-Token": staff.csrf}
    if language:
        headers["Accept-Language"] = language
    return staff.server.request(method, "/console/api" + path, body, headers=headers)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (None, "Du kan ikkje deaktivere deg sjølv."),
        ("nb", "Du kan ikke deaktivere deg selv."),
        ("en", "You cannot deactivate yourself."),
    ],
)
def test_admin_refusal_is_answered_in_the_page_language(
    as_role: dict[str, Staff], language: str | None, message: str
) -> None:
    admin = as_role["admin"]
    resp = _call(
        admin, "POST", f"/admin/users/{admin.user['id']}/active", {"active": False}, language
    )
    assert resp.status == 409
    assert resp.json["message"] == message


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nn", "Det finst inga endring nummer 99999."),
        ("nb", "Det finnes ingen endring nummer 99999."),
        ("en", "There is no change number 99999."),
    ],
)
def test_missing_history_entry_is_answered_in_the_page_language(
    as_role: dict[str, Staff], language: str, message: str
) -> None:
    resp = _call(as_role["editor"], "GET", "/editor/history/99999", None, language)
    assert resp.status == 404
    assert resp.json["message"] == message


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nn", "editor1 lagra dette"),
        ("nb", "editor1 lagret dette"),
        ("en", "editor1 saved this on"),
    ],
)
def test_conflict_is_answered_in_the_page_language(
    as_role: dict[str, Staff], language: str, expected: str
) -> None:
    first, second = as_role["editor"], as_role["admin"]
    entry = first.call("GET", "/editor/faq/eigedomsskatt", csrf=False).json
    base = {"questions": entry["questions"], "link": entry["link"], "version": entry["version"]}
    ok = first.call(
        "PUT", "/editor/faq/eigedomsskatt", {**base, "answer": {"nn": "A.", "nb": "A."}}
    )
    assert ok.status == 200
    late = _call(
        second,
        "PUT",
        "/editor/faq/eigedomsskatt",
        {**base, "answer": {"nn": "B.", "nb": "B."}},
        language,
    )
    assert late.status == 409
    assert late.json["message"].startswith(expected)
    assert "{" not in late.json["message"]
