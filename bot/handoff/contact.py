"""Validation of the contact a citizen leaves with an offline request.

A contact is either an e-mail address or a Norwegian phone number of 8 digits,
optionally prefixed with ``+47`` and with spaces anywhere between the digits.
The checks are deliberately simple: they catch typos, not every invalid address.
"""

from __future__ import annotations

import re

from .errors import InvalidContact

__all__ = ["MAX_CONTACT_LENGTH", "is_valid_contact", "normalize_contact"]

MAX_CONTACT_LENGTH = 254
"""Longest accepted contact (the practical maximum length of an e-mail address)."""

# local@domain.tld: no spaces, exactly one '@', at least one dot in the domain,
# no empty labels. Non-ASCII letters (e.g. 'ø' in a domain) are allowed.
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
# Optional +47, then exactly 8 digits with optional spaces between them.
_PHONE_RE = re.compile(r"(?:\+47)?(?: *\d){8}")
# Markup and control characters: never part of a contact staff should see or use.
_FORBIDDEN_RE = re.compile(r"[<>\x00-\x1f\x7f]")


def normalize_contact(contact: str) -> str:
    """Validate a contact and return it in canonical form.

    E-mail addresses are returned trimmed, with the domain lower-cased.
    Phone numbers are returned as ``+47`` followed by 8 digits, without spaces.

    Args:
        contact: What the citizen typed.

    Returns:
        The normalised contact.

    Raises:
        InvalidContact: If the text is neither an e-mail address nor a
            Norwegian 8-digit phone number.
    """
    if not isinstance(contact, str):
        raise InvalidContact(f"Contact must be a string, got {type(contact).__name__}.")
    text = contact.strip()
    if len(text) > MAX_CONTACT_LENGTH:
        raise InvalidContact(
            f"Contact is too long ({len(text)} characters, at most {MAX_CONTACT_LENGTH}). "
            "Give an e-mail address or a Norwegian phone number."
        )
    if _FORBIDDEN_RE.search(text):
        raise InvalidContact(
            "The contact contains markup or control characters ('<', '>', line breaks ...); "
            "give a plain e-mail address or a Norwegian phone number."
        )
    if _PHONE_RE.fullmatch(text):
        digits = re.sub(r"\D", "", text)
        return "+47" + digits[-8:]
    if _EMAIL_RE.fullmatch(text):
        local, domain = text.rsplit("@", 1)
        return f"{local}@{domain.lower()}"
    raise InvalidContact(
        f"{contact!r} is neither an e-mail address (like ola@example.no) nor a "
        "Norwegian phone number of 8 digits (like 912 34 567 or +47 912 34 567). "
        "Ask the citizen to correct it."
    )


def is_valid_contact(contact: str) -> bool:
    """Tell whether a contact is a valid e-mail address or Norwegian phone number.

    Args:
        contact: What the citizen typed.

    Returns:
        True if :func:`normalize_contact` would accept it.
    """
    try:
        normalize_contact(contact)
    except InvalidContact:
        return False
    return True
