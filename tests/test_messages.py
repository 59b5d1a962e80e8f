"""The one text catalogue (bot/messages.yml): every text in nn and nb (and en where
required) with the same placeholders; the domain's responses rendered from it by the
NLG; the labels of the widget, the console and the editor/admin/insight staff pages served
from it, and none left in their code."""

from __future__ import annotations

import asyncio
import json
import re
import string
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.texts_channel import TextsChannel
from bot.kb import KnowledgeBase
from bot.messages import (
    KB_PLACEHOLDERS,
    MessageError,
    _catalogue,
    days_label,
    placeholders,
    render,
    schedule_label,
    section,
    ui_texts,
)
from bot.nlg import CatalogueNLG, catalogue_name

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "bot" / "web" / "static"
SCRIPTS = {"widget": STATIC / "widget" / "widget.js", "console": STATIC / "console" / "console.js"}
# Staff pages whose scripts and HTML take every label from one catalogue section (wp-i18n).
PAGE_SCRIPTS = {
    "widget": [STATIC / "widget" / "widget.js"],
    "console": [STATIC / "console" / "console.js"],
    "editor": [STATIC / "editor" / name for name in ("common.js", "editor.js", "admin.js")],
    "insight": [STATIC / "insight" / "insight.js"],
}
PAGE_HTML = {
    "editor": [STATIC / "editor" / "index.html", STATIC / "editor" / "admin.html"],
    "insight": [STATIC / "insight" / "index.html"],
}
UI_SECTIONS = ("widget", "console", "editor", "insight")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("name", sorted(_catalogue()["messages"]))
def test_message_has_both_written_standards_and_same_placeholders(name: str) -> None:
    variants = _catalogue()["messages"][name]
    assert variants.get("nn") and variants.get("nb"), f"{name} needs nn and nb"
    expected = _fields(variants["nn"])
    assert _fields(variants["nb"]) == expected, f"{name}: nn and nb placeholders differ"
    assert set(variants) <= {"nn", "nb", "en"}
    # English may leave out Norwegian-only values (the preposition "i"/"på"), never add one.
    assert _fields(variants.get("en", "")) <= expected, f"{name}.en uses an unknown placeholder"


def test_render_errors_are_clear() -> None:
    with pytest.raises(MessageError, match="No message named 'nope'"):
        render("nope", "nn")
    with pytest.raises(MessageError, match="needs the value 'schedule'"):
        render("phone_tip", "nn", phone="x")


@pytest.mark.parametrize(
    ("days", "language", "expected"),
    [
        (["monday", "tuesday", "wednesday", "thursday", "friday"], "nn", "måndag–fredag"),
        (["monday", "tuesday", "thursday"], "nb", "mandag, tirsdag og torsdag"),
        (["wednesday", "friday"], "en", "Wednesday and Friday"),
        (["saturday"], "nn", "laurdag"),
    ],
)
def test_days_label(days: list[str], language: str, expected: str) -> None:
    assert days_label(days, language) == expected


def test_schedule_label_groups_equal_hours(kb: KnowledgeBase) -> None:
    assert schedule_label(kb.contact.phone_hours, "nb") == "mandag–fredag kl. 09.00–15.00"


@pytest.mark.parametrize(
    ("page", "key"), [(page, key) for page in UI_SECTIONS for key in section(page)]
)
def test_ui_label_in_three_languages_with_same_placeholders(page: str, key: str) -> None:
    variants = section(page)[key]
    assert set(variants) == {"nn", "nb", "en"}, f"{page}.{key} needs nn, nb and en"
    assert all(str(v).strip() for v in variants.values()), f"{page}.{key} has an empty text"
    fields = {language: placeholders(text) for language, text in variants.items()}
    assert fields["nn"] == fields["nb"] == fields["en"], f"{page}.{key}: placeholders differ"


# ------------------------------------------------------------------ domain responses


def _domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


RESPONSES = sorted(_domain().responses)


def _tracker(language: str) -> DialogueStateTracker:
    domain = _domain()
    tracker = DialogueStateTracker("test", domain.slots)
    tracker._set_slot("language", language)  # noqa: SLF001 - a slot, as Rasa sets it
    return tracker


@pytest.mark.parametrize("response", RESPONSES)
def test_every_response_has_a_catalogue_text_in_three_languages(response: str) -> None:
    name = catalogue_name(response)
    assert name is not None, f"{response} has no text in bot/messages.yml"
    assert {"nn", "nb", "en"} <= set(_catalogue()["messages"][name])


@pytest.mark.parametrize("language", ["nn", "nb"])
@pytest.mark.parametrize("response", RESPONSES)
def test_nlg_renders_every_response(kb: KnowledgeBase, response: str, language: str) -> None:
    nlg = CatalogueNLG(None, _domain(), knowledge_base=lambda: kb)
    reply = asyncio.run(nlg.generate(response, _tracker(language), "rest"))
    assert reply is not None
    text = reply["text"]
    assert text == render(catalogue_name(response) or "", language, kb=kb)
    assert "{" not in text and "bot/messages.yml" not in text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nn", "Hei! Eg er chatboten til Alver kommune."),
        ("nb", "Hei! Jeg er chatboten til Alver kommune."),
        ("en", "Hi! I'm the chatbot of Alver municipality."),
    ],
)
def test_greeting_names_the_municipality_from_the_knowledge_base(
    kb: KnowledgeBase, language: str, expected: str
) -> None:
    nlg = CatalogueNLG(None, _domain(), knowledge_base=lambda: kb)
    reply = asyncio.run(nlg.generate("utter_greet", _tracker(language), "rest"))
    assert reply is not None and reply["text"].startswith(expected)


@pytest.mark.parametrize("message", ["bot_capabilities", "out_of_scope"])
@pytest.mark.parametrize("language", ["nn", "nb", "en"])
def test_lists_of_services_come_from_the_knowledge_base(
    kb: KnowledgeBase, message: str, language: str
) -> None:
    text = render(message, language, kb=kb)
    for service in kb.services:
        assert service.name.get(language) in text


@pytest.mark.parametrize("language", ["nn", "nb", "en"])
def test_capabilities_list_every_desk(kb: KnowledgeBase, language: str) -> None:
    text = render("bot_capabilities", language, kb=kb)
    assert all(desk.name in text for desk in kb.desks)
    if language == "nn":
        assert "innbyggjarservice i Knarvik, på Manger og på Frekhaug" in text or all(
            f"{d.preposition} {d.name}" in text for d in kb.desks
        )


def test_no_place_or_municipality_name_is_written_into_a_bot_text(kb: KnowledgeBase) -> None:
    names = [kb.municipality.name.nn, *(loc.name for loc in kb.locations)]
    names += [s.name.nn for s in kb.services] + [kb.contact.phone, kb.contact.email]
    for name, variants in _catalogue()["messages"].items():
        for text in variants.values():
            for fact in names:
                assert fact not in str(text), f"messages.{name} names '{fact}': use a placeholder"


# ------------------------------------------------------------------ widget and console


def _serve(kb: KnowledgeBase, name: str, **args: str) -> Any:
    async def no_messages(message: Any) -> None:
        raise AssertionError("the texts channel takes no messages")

    blueprint = TextsChannel(knowledge_base=lambda: kb).blueprint(no_messages)
    (route,) = blueprint._future_routes  # noqa: SLF001 - the one route of the blueprint
    return asyncio.run(route.handler(SimpleNamespace(args=args, method="GET"), name=name))


@pytest.mark.parametrize(
    ("page", "language"),
    [
        ("widget", "nn"),
        ("widget", "nb"),
        ("console", "nb"),
        ("console", "en"),
        ("editor", "nn"),
        ("editor", "nb"),
        ("editor", "en"),
        ("insight", "nb"),
    ],
)
def test_texts_channel_serves_the_labels(kb: KnowledgeBase, page: str, language: str) -> None:
    answer = _serve(kb, f"{page}.json", lang=language)
    assert answer.status == 200
    assert answer.headers["Cache-Control"] == "public, max-age=60"
    body = json.loads(answer.body)
    assert body["language"] == language
    assert body["texts"] == ui_texts(page, language, kb)
    assert body["municipality"] == {
        "name": kb.municipality.name.get(language),
        "privacy_url": kb.municipality.privacy_url,
        "brand_colour": kb.municipality.brand_colour,
        "logo_url": kb.municipality.logo_url,
    }
    assert not any("{municipality}" in text for text in body["texts"].values())


def test_texts_channel_fills_the_municipality_and_defaults_to_nynorsk(kb: KnowledgeBase) -> None:
    body = json.loads(_serve(kb, "widget.json", lang="xx").body)
    assert body["language"] == "nn"
    assert body["texts"]["title"] == "Chat med Alver kommune"
    assert body["texts"]["counter"] == "{n} av {max} teikn"  # filled by the browser


@pytest.mark.parametrize("name", ["nope.json", "widget", "widget.js"])
def test_texts_channel_unknown_page_is_404(kb: KnowledgeBase, name: str) -> None:
    assert _serve(kb, name).status == 404


_KEY_RE = re.compile(r"""\bt\(\s*['"]([A-Za-z0-9_.]+)['"]""")
_STRING_RE = re.compile(r"'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`")
_DOUBLE_STRING_RE = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
# Common Norwegian words that only appear in a sentence for a person to read.
_NORWEGIAN_WORDS = re.compile(
    r"\b(og|ikkje|ikke|eg|jeg|du|er|har|til|med|som|samtale\w*|skriv\w*|svar\w*|"
    r"innbygg\w*|tilsett|ansatt|boten|chatten|prøv\w*|venta?r?|køen?)\b",
    re.IGNORECASE,
)
_REGEX_LITERAL_RE = re.compile(
    r"(?<=[=(,:])\s*/(?![/*])(?:\\.|\[(?:\\.|[^\]\n])*\]|[^/\n\[\\])+/[a-z]*"
)
# The one text allowed in the scripts: shown when the server (and so the texts) is down.
_ALLOWED = {
    "Chatten er ikkje tilgjengeleg / Chatten er ikke tilgjengelig",
    "Sida er ikkje tilgjengeleg / Siden er ikke tilgjengelig",
}


def _code_without_comments(source: str) -> str:
    """The script without comments and regular-expression literals (they hold quotes)."""
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.DOTALL)
    source = re.sub(r"(?m)^\s*//.*$|\s//\s.*$", "", source)
    return _REGEX_LITERAL_RE.sub(" /re/", source)


SCRIPT_CASES = [(page, script) for page, scripts in PAGE_SCRIPTS.items() for script in scripts]


def _script_id(case: tuple[str, Path]) -> str:
    return f"{case[0]}-{case[1].name}"


@pytest.mark.parametrize("case", SCRIPT_CASES, ids=_script_id)
def test_every_label_the_script_uses_is_in_the_catalogue(case: tuple[str, Path]) -> None:
    page, script = case
    used = set(_KEY_RE.findall(script.read_text(encoding="utf-8")))
    assert used, f"{script.name} uses no t('key') labels"
    keys = set(section(page))
    # t('day_' + day): a key prefix; the catalogue must hold keys that start with it.
    prefixes = {key for key in used if key.endswith("_")}
    missing = {key for key in used - prefixes if key not in keys}
    missing |= {p for p in prefixes if not any(k.startswith(p) for k in keys)}
    assert not missing, f"{script.name} uses labels missing from bot/messages.yml {page}: {missing}"
    for language in ("nn", "nb", "en"):
        assert set(section(page)) == set(ui_texts(page, language, _fixture_kb()))


@pytest.mark.parametrize("case", SCRIPT_CASES, ids=_script_id)
def test_no_sentence_for_people_is_left_in_the_script(case: tuple[str, Path]) -> None:
    page, script = case
    code = _code_without_comments(script.read_text(encoding="utf-8"))
    literals = [single or template for single, template in _STRING_RE.findall(code)]
    if page in PAGE_HTML:  # the staff pages' scripts also use double quotes
        literals += _DOUBLE_STRING_RE.findall(code)
    offending = []
    for literal in literals:
        if literal in _ALLOWED:
            continue
        if re.search("[æøåÆØÅ]", literal) or len(_NORWEGIAN_WORDS.findall(literal)) >= 1:
            offending.append(literal)
    assert (
        not offending
    ), f"{script.name} has texts for people; move them to bot/messages.yml: {offending}"


class _PageLabels(HTMLParser):
    """Collects the label keys of a staff page and any visible text without one."""

    # Elements whose text the script sets (with values) and the title (set from a key).
    SET_BY_SCRIPT = frozenset({"faq-placeholder-hint", "texts-hint"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.keys: set[str] = set()
        self.unlabelled: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name in ("data-t", "data-t-aria", "data-t-html"):
            if attributes.get(name):
                self.keys.add(str(attributes[name]))
        if attributes.get("aria-label") and not attributes.get("data-t-aria"):
            self.unlabelled.append(f"aria-label={attributes['aria-label']}")
        if tag not in {"input", "meta", "link", "br", "img"}:
            self.stack.append((tag, attributes))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if not re.search(r"[A-Za-zÆØÅæøå]", data) or not self.stack:
            return
        tag, attributes = self.stack[-1]
        if tag in {"title", "script", "style"} or "data-t" in attributes:
            return
        if attributes.get("id") in self.SET_BY_SCRIPT:
            return
        if any("data-t-html" in a for _, a in self.stack):
            return
        self.unlabelled.append(data.strip())


HTML_CASES = [(page, html) for page, files in PAGE_HTML.items() for html in files]


@pytest.mark.parametrize("case", HTML_CASES, ids=_script_id)
def test_every_visible_text_of_the_staff_page_has_a_catalogue_label(
    case: tuple[str, Path],
) -> None:
    page, html = case
    parser = _PageLabels()
    parser.feed(html.read_text(encoding="utf-8"))
    assert parser.keys, f"{html.name} has no data-t labels"
    assert not parser.unlabelled, f"{html.name}: texts without data-t: {parser.unlabelled}"
    missing = parser.keys - set(section(page))
    assert not missing, f"{html.name} uses labels missing from bot/messages.yml {page}: {missing}"


def _fixture_kb() -> KnowledgeBase:
    from bot.kb import load_knowledge_base
    from tests.conftest import KB_DIR

    return load_knowledge_base(KB_DIR)


def test_kb_placeholders_are_known() -> None:
    assert {"municipality", "desks", "services"} <= KB_PLACEHOLDERS
