"""Find and mask personal data in what a citizen writes.

Regular expressions only find candidates; the number checks come from python-stdnum:

* fødselsnummer and D-nummer: 11 digits (``01019012345``, ``010190 12345``) whose two
  control digits are right (:mod:`stdnum.no.fodselsnummer`);
* bank account numbers: 11 digits (``12345678903``, ``1234.56.78903``, ``1234 56 78903``)
  that pass the MOD11 check (:mod:`stdnum.no.kontonr`);
* card numbers: 13 to 19 digits, alone or in groups with spaces or dashes, that pass
  the Luhn check (:mod:`stdnum.luhn`);
* e-mail addresses;
* Norwegian phone numbers: 8 digits, alone or grouped as in ``12 34 56 78``,
  ``123 45 678``, ``123 45678`` or ``1234 5678``, optionally after ``+47`` or ``0047``.
  Without a country code the first digit must be 2 to 9 (no Norwegian number starts
  with 0 or 1).

Public numbers and addresses (the municipality's own, from the knowledge base) are
never masked. Dates (``24.12.2026``, ``2026-12-24``), times (``09.00–15.00``), case
numbers (``2026/1234``), years and short numbers never match a pattern. An 11-digit
number that fails both the fødselsnummer and the account check stays as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import Enum

from stdnum import luhn
from stdnum.no import fodselsnummer, kontonr

from bot.messages import render

__all__ = ["Kind", "Masked", "digits_of", "find_emails", "find_phone_numbers", "mask"]


class Kind(str, Enum):
    """A kind of personal data; the value names its replacement text in the catalogue."""

    FODSELSNUMMER = "masked_fodselsnummer"
    D_NUMMER = "masked_d_nummer"
    ACCOUNT = "masked_account_number"
    CARD = "masked_card_number"
    EMAIL = "masked_email"
    PHONE = "masked_phone_number"


@dataclass(frozen=True)
class Masked:
    """The result of :func:`mask`.

    Attributes:
        text: The text with every finding replaced by a readable token.
        kinds: What was replaced, in order of appearance within each kind's pass.
    """

    text: str
    kinds: tuple[Kind, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether anything was masked."""
        return bool(self.kinds)


_SPACE = "[ \u00a0]"
_SEP = "[ \u00a0-]"  # between the groups of a card or fødselsnummer
# Not inside a word or a longer number, a decimal number or a case number (2026/1234).
# Only ASCII digits count: other scripts' digits are left alone.
_B = r"(?<![\w+/@])(?<![0-9][.,])"
_A = r"(?![\w/@])(?![.,][0-9])"
# A number written in groups must not be the tail or head of a longer grouped number.
_BG = _B + rf"(?<![0-9]{_SEP})"
_AG = _A + rf"(?!{_SEP}[0-9])"


def _n(count: str) -> str:
    """``count`` ASCII digits (``"4"`` or ``"13,19"``)."""
    return f"[0-9]{{{count}}}"


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")
_CARD = re.compile(
    rf"{_B}{_n('13,19')}{_A}"
    rf"|{_BG}{_n('4')}(?P<s>{_SEP}){_n('4')}(?P=s){_n('4')}(?P=s){_n('1,4')}"
    rf"(?:(?P=s){_n('1,3')})?{_AG}"
    rf"|{_BG}{_n('4')}(?P<t>{_SEP}){_n('6')}(?P=t){_n('4,5')}{_AG}"
)
_ELEVEN = re.compile(
    rf"{_B}{_n('11')}{_A}"
    rf"|{_BG}{_n('6')}{_SEP}{_n('5')}{_AG}"
    rf"|{_BG}(?P<account>{_n('4')}(?P<s>[ \u00a0.]){_n('2')}(?P=s){_n('5')}){_AG}"
)
_GROUPED_PHONE = (
    "(?:"
    + "|".join(
        _SPACE.join(_n(size) for size in sizes)
        for sizes in (("2", "2", "2", "2"), ("3", "2", "3"), ("3", "5"), ("4", "4"))
    )
    + ")"
)
_PREFIX = rf"(?:\+|00){_SPACE}?47{_SPACE}?"
_PHONE = re.compile(
    rf"{_B}{_PREFIX}(?P<local>{_n('8')}{_A}|{_GROUPED_PHONE}{_AG})"
    rf"|{_B}(?P<plain>(?=[2-9]){_n('8')}){_A}"
    rf"|{_BG}(?P<grouped>(?=[2-9]){_GROUPED_PHONE}){_AG}"
)


def _phone_digits(match: re.Match[str]) -> str:
    return digits_of(match.group("local") or match.group("plain") or match.group("grouped"))


def digits_of(text: str) -> str:
    """The ASCII digits of ``text``, without spaces, dots, dashes or anything else."""
    return "".join(ch for ch in text if ch in "0123456789")


def _fodselsnummer_kind(number: str) -> Kind | None:
    """FODSELSNUMMER or D_NUMMER if the 11 digits have the right control digits."""
    if len(number) != 11:
        return None
    control_ok = (
        fodselsnummer.calc_check_digit1(number[:9]) == number[9]
        and fodselsnummer.calc_check_digit2(number[:10]) == number[10]
    )
    if not (control_ok or fodselsnummer.is_valid(number)):
        return None
    return Kind.D_NUMMER if number[0] in "4567" else Kind.FODSELSNUMMER


def _card_ok(number: str) -> bool:
    return 13 <= len(number) <= 19 and luhn.is_valid(number)


def find_phone_numbers(text: str) -> list[str]:
    """The digits of every phone-number candidate in ``text`` (without the country code)."""
    return [_phone_digits(m) for m in _PHONE.finditer(text)]


def find_emails(text: str) -> list[str]:
    """Every e-mail address in ``text``, lower-cased."""
    return [m.group(0).lower() for m in _EMAIL.finditer(text)]


def mask(
    text: str,
    language: str,
    public_numbers: Collection[str] = (),
    public_emails: Collection[str] = (),
) -> Masked:
    """Replace personal data in ``text`` by readable tokens such as ``[kontonummer fjerna]``.

    Args:
        text: What the citizen wrote.
        language: The written standard of the tokens (``nn``, ``nb`` or ``en``).
        public_numbers: Digits of public numbers that stay readable (see
            :func:`bot.privacy.public.public_data`).
        public_emails: Lower-cased public e-mail addresses that stay readable.

    Returns:
        The masked text and the kinds found.
    """
    found: list[Kind] = []

    def replace(pattern: re.Pattern[str], classify: Callable[[re.Match[str]], Kind | None]) -> None:
        nonlocal text

        def one(match: re.Match[str]) -> str:
            kind = classify(match)
            if kind is None:
                return match.group(0)
            found.append(kind)
            return render(kind.value, language)

        text = pattern.sub(one, text)

    def email(match: re.Match[str]) -> Kind | None:
        return None if match.group(0).lower() in public_emails else Kind.EMAIL

    def card(match: re.Match[str]) -> Kind | None:
        number = digits_of(match.group(0))
        return Kind.CARD if _card_ok(number) and number not in public_numbers else None

    def eleven(match: re.Match[str]) -> Kind | None:
        number = digits_of(match.group(0))
        if number in public_numbers:
            return None
        is_account = kontonr.is_valid(number)
        if match.group("account") and is_account:
            return Kind.ACCOUNT  # written as an account number, and it is one
        return _fodselsnummer_kind(number) or (Kind.ACCOUNT if is_account else None)

    def phone(match: re.Match[str]) -> Kind | None:
        number = _phone_digits(match)
        return None if number in public_numbers else Kind.PHONE

    replace(_EMAIL, email)
    replace(_CARD, card)
    replace(_ELEVEN, eleven)
    replace(_PHONE, phone)
    return Masked(text, tuple(found))
