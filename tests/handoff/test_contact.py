"""Contact validation for offline requests."""

from __future__ import annotations

import pytest

from bot.handoff import InvalidContact, is_valid_contact, normalize_contact

VALID = [
    ("ola.nordmann@example.no", "ola.nordmann@example.no"),
    ("  kari@Alver.Kommune.NO ", "kari@alver.kommune.no"),
    ("post+chat@døme.no", "post+chat@døme.no"),
    ("91234567", "+4791234567"),
    ("912 34 567", "+4791234567"),
    ("+47 912 34 567", "+4791234567"),
    ("+4791234567", "+4791234567"),
    ("  56 37 50 00 ", "+4756375000"),
]

INVALID = [
    "",
    "   ",
    "ola",
    "ola@",
    "@example.no",
    "ola@example",
    "ola @example.no",
    "ola@@example.no",
    "ola@example..no",
    "1234567",  # 7 digits
    "123456789",  # 9 digits
    "+46 912 34 567",  # Swedish prefix
    "0047 91234567",
    "912-34-567",
    "+47",
    "tlf 91234567",
    "a" * 250 + "@x.no",
]


@pytest.mark.parametrize(("contact", "normalized"), VALID)
def test_valid_contacts_are_accepted_and_normalised(contact: str, normalized: str) -> None:
    assert is_valid_contact(contact) is True
    assert normalize_contact(contact) == normalized


@pytest.mark.parametrize("contact", INVALID)
def test_invalid_contacts_are_refused(contact: str) -> None:
    assert is_valid_contact(contact) is False
    with pytest.raises(InvalidContact):
        normalize_contact(contact)


def test_error_message_explains_expected_format() -> None:
    with pytest.raises(InvalidContact) as info:
        normalize_contact("ring meg")
    message = str(info.value)
    assert "e-mail" in message and "8 digits" in message


def test_non_string_contact_is_refused() -> None:
    assert is_valid_contact(91234567) is False  # type: ignore[arg-type]
