"""Placeholders in answers are filled from the one place each fact is stated."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import pytest

from bot.kb import KnowledgeBase
from bot.kb.facts import render_answer
from bot.kb.models import Interval, Text

CASES = [
    ("Ring {phone}.", "nn", "Ring 56 37 50 00."),
    (
        "Skriv til {email} eller sjå {web}.",
        "nb",
        "Skriv til post@alver.kommune.no eller sjå " "https://www.alver.kommune.no.",
    ),
    ("{post}", "nn", "Alver kommune, Postboks 4, 5906 Frekhaug"),
    ("Telefonen: {phone_hours}.", "nn", "Telefonen: måndag–fredag kl. 09.00–15.00."),
    ("Telefonen: {phone_hours}.", "nb", "Telefonen: mandag–fredag kl. 09.00–15.00."),
    ("Phone: {phone_hours}.", "en", "Phone: Monday–Friday, 09.00–15.00."),
    ("Manger: {hours:manger}.", "nn", "Manger: måndag, tysdag og torsdag kl. 09.00–15.00."),
    ("Frekhaug: {hours:frekhaug}.", "nb", "Frekhaug: onsdag og fredag kl. 09.00–15.00."),
    ("Velkomen til {municipality}.", "nn", "Velkomen til Alver kommune."),
    ("Welcome to {municipality}.", "en", "Welcome to Alver municipality."),
    ("Ingen plasshaldarar, {berre tekst}.", "nn", "Ingen plasshaldarar, {berre tekst}."),
    ("{ukjend} og {hours:bergen}", "nn", "{ukjend} og {hours:bergen}"),  # left as written
]


@pytest.mark.parametrize(("text", "language", "expected"), CASES)
def test_render_text(kb: KnowledgeBase, text: str, language: str, expected: str) -> None:
    assert render_answer(kb, text, language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nn", "Ring 56 37 50 00, måndag–fredag kl. 09.00–15.00."),
        ("nb", "Ring 56 37 50 00, mandag–fredag kl. 09.00–15.00."),
        # No English text: the Bokmål text, with its placeholders in Bokmål too.
        ("en", "Ring 56 37 50 00, mandag–fredag kl. 09.00–15.00."),
        ("xx", "Ring 56 37 50 00, måndag–fredag kl. 09.00–15.00."),
    ],
)
def test_render_answer_picks_the_language(kb: KnowledgeBase, language: str, expected: str) -> None:
    answer = Text(nn="Ring {phone}, {phone_hours}.", nb="Ring {phone}, {phone_hours}.")
    assert render_answer(kb, answer, language) == expected


def test_a_changed_fact_changes_every_answer(kb: KnowledgeBase) -> None:
    """The fixture's FAQ answers use placeholders; new facts show in all of them."""
    manger = kb.location("manger")
    assert manger is not None
    monday = Interval(time(10), time(15))
    changed = replace(
        kb,
        contact=replace(kb.contact, email="post@example.no"),
        locations=tuple(
            replace(loc, opening_hours={**loc.opening_hours, "monday": monday})
            if loc.id == "manger"
            else loc
            for loc in kb.locations
        ),
    )
    digital = changed.faq_entry("sende_dokument_digitalt")
    desks = changed.faq_entry("kor_mange_innbyggjarservice")
    assert digital is not None and desks is not None
    assert "post@example.no" in render_answer(changed, digital.answer, "nn")
    assert "{email}" not in render_answer(changed, digital.answer, "nb")
    assert "Manger har ope måndag kl. 10.00–15.00 og tysdag og torsdag kl. 09.00–15.00." in (
        render_answer(changed, desks.answer, "nn")
    )


def test_every_fixture_answer_renders_completely(kb: KnowledgeBase) -> None:
    for item in (*kb.faq, *kb.services):
        for language in ("nn", "nb", "en"):
            assert "{" not in render_answer(kb, item.answer, language), item.id
