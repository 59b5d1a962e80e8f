"""Every message exists in Nynorsk and Bokmål, with the same placeholders in each language."""

from __future__ import annotations

import string

import pytest

from bot.kb import KnowledgeBase
from bot.messages import MessageError, _catalogue, days_label, render, schedule_label


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
    with pytest.raises(MessageError, match="needs the value 'phone'"):
        render("phone_tip", "nn", schedule="x")


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
