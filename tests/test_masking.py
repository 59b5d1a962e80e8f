"""Masking personal data (bot/privacy): a table of valid and invalid numbers of each kind,
and the municipality's public numbers, dates and times staying readable."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from stdnum import luhn
from stdnum.no import fodselsnummer, kontonr

from bot.kb import KnowledgeBase, load_knowledge_base
from bot.privacy import Kind, Masked, mask, mask_citizen_text, public_data, warning_texts
from bot.privacy.masking import digits_of

ROOT = Path(__file__).resolve().parents[1]


def valid_fodselsnummer(birth: str, first_individual: int = 100) -> str:
    """A fødselsnummer (or D-nummer) with right control digits for ``birth`` (ddmmyy)."""
    for individual in range(first_individual, 500):
        base = f"{birth}{individual:03d}"
        first = fodselsnummer.calc_check_digit1(base)
        second = fodselsnummer.calc_check_digit2(base + first)
        if len(first) == 1 and len(second) == 1:
            return base + first + second
    raise AssertionError(f"no valid number for {birth}")


def valid_account(prefix: str) -> str:
    """An account number with a right MOD11 check digit after the 10 digits ``prefix``."""
    weights = (6, 7, 8, 9, 4, 5, 6, 7, 8, 9)
    check = sum(w * int(d) for w, d in zip(weights, prefix, strict=True)) % 11
    assert check < 10, f"{prefix} has no valid check digit; pick another"
    return prefix + str(check)


def valid_card(prefix: str) -> str:
    return prefix + luhn.calc_check_digit(prefix)


FNR = valid_fodselsnummer("150385")
FNR_2 = valid_fodselsnummer("241299")
D_NUMMER = valid_fodselsnummer("550385")  # day + 40
ACCOUNT = valid_account("1503123456")
CARD_16 = valid_card("411111111111111")
CARD_19 = valid_card("627598123456789012")
CARD_13 = valid_card("422222222222")


def test_generated_numbers_are_valid() -> None:
    assert fodselsnummer.is_valid(FNR) and fodselsnummer.is_valid(D_NUMMER)
    assert kontonr.is_valid(ACCOUNT) and not fodselsnummer.is_valid(ACCOUNT)
    assert all(luhn.is_valid(card) for card in (CARD_13, CARD_16, CARD_19))
    # The brief's example is not a valid number of either kind: it stays as written.
    assert not fodselsnummer.is_valid("01010112345") and not kontonr.is_valid("01010112345")


MASKED = [
    # (what the citizen writes, what the value is masked as)
    (f"fnr {FNR}", Kind.FODSELSNUMMER),
    (f"fødselsnummeret mitt er {FNR[:6]} {FNR[6:]}.", Kind.FODSELSNUMMER),
    (f"{FNR_2}", Kind.FODSELSNUMMER),
    ("151086 95088", Kind.FODSELSNUMMER),  # python-stdnum's own example
    (f"d-nummer: {D_NUMMER}", Kind.D_NUMMER),
    (f"kontonr {ACCOUNT}", Kind.ACCOUNT),
    (f"til konto {ACCOUNT[:4]}.{ACCOUNT[4:6]}.{ACCOUNT[6:]}", Kind.ACCOUNT),
    (f"konto {ACCOUNT[:4]} {ACCOUNT[4:6]} {ACCOUNT[6:]}!", Kind.ACCOUNT),
    ("8601 11 17947", Kind.ACCOUNT),  # python-stdnum's own example
    ("1234.56.78903", Kind.ACCOUNT),
    (f"kort {CARD_16}", Kind.CARD),
    ("kortet 4111 1111 1111 1111 gjekk ikkje", Kind.CARD),
    ("4111-1111-1111-1111", Kind.CARD),
    ("5555 5555 5555 4444", Kind.CARD),
    ("amex 3782 822463 10005", Kind.CARD),
    (f"{CARD_13}", Kind.CARD),
    (f"{CARD_19[:4]} {CARD_19[4:8]} {CARD_19[8:12]} {CARD_19[12:16]} {CARD_19[16:]}", Kind.CARD),
    ("skriv til ola.nordmann@example.no", Kind.EMAIL),
    ("Kari_Øvre+chat@post.eksempel.com.", Kind.EMAIL),
    ("ring meg på 98765432", Kind.PHONE),
    ("mobil: 987 65 432", Kind.PHONE),
    ("tlf 41 23 45 67 etter kl. 16", Kind.PHONE),
    ("heime 56 12 34 56", Kind.PHONE),
    ("+47 98765432", Kind.PHONE),
    ("+4798765432", Kind.PHONE),
    ("0047 98 76 54 32", Kind.PHONE),
    ("(+47 412 34 567)", Kind.PHONE),
    ("nummer 4123 4567", Kind.PHONE),
    ("nr. 987 65432", Kind.PHONE),
]


@pytest.mark.parametrize(("text", "kind"), MASKED)
def test_personal_data_is_masked(text: str, kind: Kind) -> None:
    result = mask(text, "nn")
    assert result.kinds == (kind,)
    assert result.changed
    # Not one digit of the value is left (the texts have no other digits, except "kl. 16").
    assert digits_of(result.text) in ("", "16")
    assert "@" not in result.text


@pytest.mark.parametrize(
    ("language", "token"),
    [
        ("nn", "[fødselsnummer fjerna]"),
        ("nb", "[fødselsnummer fjernet]"),
        ("en", "[national identity number removed]"),
    ],
)
def test_token_is_in_the_conversations_written_standard(language: str, token: str) -> None:
    assert mask(f"fnr {FNR} takk", language).text == f"fnr {token} takk"


def test_every_kind_in_one_message_is_masked_in_place() -> None:
    text = (
        f"Hei, eg er {FNR}, konto {ACCOUNT}, kort {CARD_16}, "
        "e-post kari@example.no og mobil 98765432. Kan de ringje 41234567 i dag?"
    )
    result = mask(text, "nb")
    assert result.text == (
        "Hei, eg er [fødselsnummer fjernet], konto [kontonummer fjernet], "
        "kort [kortnummer fjernet], e-post [e-postadresse fjernet] og mobil "
        "[telefonnummer fjernet]. Kan de ringje [telefonnummer fjernet] i dag?"
    )
    assert sorted(result.kinds) == sorted(
        [Kind.EMAIL, Kind.CARD, Kind.FODSELSNUMMER, Kind.ACCOUNT, Kind.PHONE, Kind.PHONE]
    )


def test_two_phone_numbers_side_by_side_are_both_masked() -> None:
    assert mask("98765432 41234567", "nn").kinds == (Kind.PHONE, Kind.PHONE)


KEPT = [
    "01010112345",  # 11 digits, neither a valid fødselsnummer nor account number
    f"{FNR[:-1]}{(int(FNR[-1]) + 1) % 10}",  # a wrong control digit
    "8601 11 17949",  # wrong account check digit
    "4111 1111 1111 1112",  # fails Luhn
    "Julaftan 24.12.2026 og 2026-12-24",
    "ope 09.00–15.00, kl. 09.00-15.00 og 0900-1500",
    "saksnummer 2026/1234 og 26/12345",
    "i 2025 og 2026",
    "kr 12 345 og 1 234 567 kroner",
    "Postboks 4, 5906 Frekhaug",
    "12345678",  # no Norwegian number starts with 1
    "01234567",
    "1234567",  # seven digits
    "123456789",  # nine digits
    "3,14159265",
    "ring 113, 110, 112 eller legevakta på 116 117",
    "e-post utan domene: kari@localhost",
]


@pytest.mark.parametrize("text", KEPT)
def test_other_numbers_stay_readable(text: str) -> None:
    result = mask(text, "nn")
    assert result.text == text and result.kinds == ()


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(ROOT / "tests" / "fixtures" / "knowledge_base")


def test_public_data_comes_from_the_knowledge_base(kb: KnowledgeBase) -> None:
    public = public_data(kb)
    assert digits_of(kb.contact.phone) in public.numbers
    assert {digits_of(e.number) for e in kb.contact.emergency} <= public.numbers
    assert kb.contact.email.lower() in public.emails
    assert public_data(kb) is public  # cached for the same knowledge base


@pytest.mark.parametrize(
    "template",
    [
        "Er {phone} rett nummer?",
        "ring +47 {phone}",
        "{emergency}",
        "send til {email}",
    ],
)
def test_the_municipalitys_own_numbers_stay_readable(template: str, kb: KnowledgeBase) -> None:
    base = kb
    emergency = ", ".join(e.number for e in base.contact.emergency)
    text = template.format(phone=base.contact.phone, emergency=emergency, email=base.contact.email)
    assert mask_citizen_text(text, "nn", base).text == text


def test_a_phone_number_written_in_an_answer_stays_readable(kb: KnowledgeBase) -> None:
    """Any phone number the knowledge base states (in any text) is public."""
    from dataclasses import replace

    faq = kb.faq[0]
    answer = replace(faq.answer, nn=faq.answer.nn + " Ring 55 66 77 88.")
    changed = replace(kb, faq=(replace(faq, answer=answer), *kb.faq[1:]))
    assert mask_citizen_text("ring 55 66 77 88", "nn", changed).kinds == ()
    assert mask_citizen_text("ring 55 66 77 88", "nn", kb).kinds == (Kind.PHONE,)


def test_the_warning_exists_in_every_written_standard() -> None:
    texts = warning_texts()
    assert len(texts) == 3
    assert any("fjerna" in text for text in texts) and any("fjernet" in text for text in texts)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "١٥٠٣٨٥١٠١٩٠ ²³ ０１２３４５６７８９",  # other scripts' digits are not numbers here
        "1 " * 500,
        "1" * 1000,
        "a@" * 300 + "b",
        ("x." * 300) + "@",
        "-+47-0047+" * 80,
        "\u00a0".join(["12"] * 400),
    ],
)
def test_odd_input_is_handled_quickly(text: str) -> None:
    started = time.monotonic()
    result = mask(text, "en")
    assert time.monotonic() - started < 0.5
    assert result == Masked(text)  # none of them holds personal data
