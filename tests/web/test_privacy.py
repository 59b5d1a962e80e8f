"""Personal data through the chat API: masked before it is stored or passed to the bot,
the citizen warned once, offline-request questions masked, no client IP stored.

The scripted fake bot of conftest.py echoes what it received (``Bot: <text>``), so what
reached "Rasa" is visible. tests/web/test_privacy_e2e.py does the same with `make run`.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import MetaData, select

from bot.channels.rest_channel import LocalRestInput
from bot.privacy import warning_texts
from bot.privacy.masking import digits_of
from tests.test_masking import ACCOUNT, CARD_16, D_NUMMER, FNR

from .conftest import Server

EMAIL = "kari.nordmann@example.no"
PHONE = "987 65 432"
# What the citizen writes, as they write it.
VALUES = {
    "fødselsnummer": f"{FNR[:6]} {FNR[6:]}",
    "d-nummer": D_NUMMER,
    "kontonummer": f"{ACCOUNT[:4]}.{ACCOUNT[4:6]}.{ACCOUNT[6:]}",
    "kortnummer": " ".join(CARD_16[i : i + 4] for i in range(0, 16, 4)),
    "e-post": EMAIL,
    "telefon": PHONE,
}
MESSAGE = (
    f"Hei! Fødselsnummeret mitt er {VALUES['fødselsnummer']}, kontoen {VALUES['kontonummer']}, "
    f"kortet {VALUES['kortnummer']}. Skriv til {EMAIL} eller ring {PHONE}."
)


def needles(values: Iterable[str]) -> set[str]:
    """Each value as written and as bare digits (what must be found nowhere)."""
    found = set()
    for value in values:
        found.add(value.lower())
        digits = digits_of(value)
        if len(digits) >= 8:
            found.add(digits)
    return found


def leaks(text: str, values: Iterable[str]) -> list[str]:
    """The needles of ``values`` found in ``text`` (case-insensitive)."""
    lowered = text.lower()
    return sorted(needle for needle in needles(values) if needle in lowered)


def database_dump(server: Server) -> str:
    """Every column of every row of every table of the handoff database, as text."""
    engine = server.store.engine
    metadata = MetaData()
    metadata.reflect(bind=engine)
    lines = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                lines.append(f"{table.name}: " + " | ".join(str(value) for value in row))
    return "\n".join(lines)


def warnings_in(messages: list[dict[str, Any]]) -> int:
    return sum(1 for m in messages if m["sender"] == "system" and m["text"] in warning_texts())


def test_personal_data_is_masked_before_storing_and_before_the_bot(server: Server) -> None:
    citizen = server.new_conversation()
    data = citizen.say(MESSAGE)
    citizen_message, warning, reply = data["messages"]
    assert citizen_message["sender"] == "citizen"
    assert citizen_message["text"] == (
        "Hei! Fødselsnummeret mitt er [fødselsnummer fjerna], kontoen [kontonummer fjerna], "
        "kortet [kortnummer fjerna]. Skriv til [e-postadresse fjerna] eller ring "
        "[telefonnummer fjerna]."
    )
    assert warning["sender"] == "system" and warning["text"] in warning_texts()
    assert "personvernet" in warning["text"] and "fjerna" in warning["text"]
    # The bot ("Rasa") got the masked text, never the raw one.
    assert server.agent.received[-1].text == citizen_message["text"]
    assert reply["text"] == "Bot: " + citizen_message["text"]
    assert leaks(database_dump(server), VALUES.values()) == []
    assert "[fødselsnummer fjerna]" in database_dump(server)


def test_the_citizen_is_warned_once_per_conversation(server: Server) -> None:
    citizen = server.new_conversation()
    first = citizen.say(f"fnr {FNR}")
    second = citizen.say(f"d-nummer {D_NUMMER} og mobil 41234567")
    third = citizen.say("opningstider")
    assert [warnings_in(d["messages"]) for d in (first, second, third)] == [1, 0, 0]
    assert warnings_in(citizen.events()["messages"]) == 1
    assert "[D-nummer fjerna]" in second["messages"][0]["text"]
    # A message without personal data gives no warning at all.
    other = server.new_conversation()
    assert (
        warnings_in(other.say("Kva er telefonnummeret til kommunen, 56 37 50 00?")["messages"]) == 0
    )


def test_warning_and_tokens_follow_the_conversations_written_standard(server: Server) -> None:
    citizen = server.new_conversation("nb")
    data = citizen.say(f"kontonummer {ACCOUNT}")
    assert data["messages"][0]["text"] == "kontonummer [kontonummer fjernet]"
    assert data["messages"][1]["text"].startswith("Meldingen din inneholdt personopplysninger")


def test_public_numbers_dates_and_times_reach_the_bot_unchanged(server: Server) -> None:
    citizen = server.new_conversation()
    text = "Er 56 37 50 00 ope 24.12.2026 kl. 09.00–15.00? Sak 2026/1234, eller 116 117?"
    data = citizen.say(text)
    assert [m["sender"] for m in data["messages"]] == ["citizen", "bot"]
    assert server.agent.received[-1].text == text


def test_button_payload_is_passed_on_as_is(server: Server) -> None:
    citizen = server.new_conversation()
    citizen.say("snakke")
    citizen.say("Nei", payload="/deny")
    assert server.agent.received[-1].text == "/deny"


def _claimed(server: Server) -> tuple[Any, Any]:
    server.add_staff("kari", "Kari")
    kari = server.login("kari")
    kari.queue()
    citizen = server.new_conversation()
    citizen.say("menneske")
    resp = kari.call("POST", f"/conversations/{citizen.conversation_id}/claim")
    assert resp.status == 200, resp.body
    return citizen, kari


def test_masked_while_a_person_has_the_conversation(server: Server) -> None:
    citizen, kari = _claimed(server)
    received = len(server.agent.received)
    data = citizen.say(MESSAGE)
    assert [m["sender"] for m in data["messages"]] == ["citizen", "system"]
    assert len(server.agent.received) == received  # the bot stays silent
    detail = kari.call("GET", f"/conversations/{citizen.conversation_id}", csrf=False)
    assert detail.status == 200, detail.body
    assert leaks(detail.text, VALUES.values()) == []
    assert "[kortnummer fjerna]" in detail.text
    assert leaks(database_dump(server), VALUES.values()) == []


def test_offline_request_question_is_masked_and_contact_kept(server: Server) -> None:
    citizen = server.new_conversation()
    question = f"Kan de sjekke fakturaen min? Fnr {FNR}, kort {CARD_16}."
    contact = "kari@example.no"
    resp = citizen.call("POST", "/offline-request", {"question": question, "contact": contact})
    assert resp.status == 201, resp.body
    [request] = server.store.requests.list()
    assert (
        request.question
        == "Kan de sjekke fakturaen min? Fnr [fødselsnummer fjerna], kort [kortnummer fjerna]."
    )
    assert request.contact == contact  # the citizen's chosen contact for this request
    assert warnings_in(citizen.events()["messages"]) == 1
    assert leaks(database_dump(server), [FNR, CARD_16]) == []


def test_no_client_ip_is_stored(server: Server) -> None:
    citizen, kari = _claimed(server)
    citizen.say(MESSAGE)
    citizen.call("POST", "/offline-request", {"question": "Hjelp", "contact": "41234567"})
    dump = database_dump(server)
    assert "127.0.0.1" not in dump and "::1" not in dump
    assert "kari" in dump  # the dump does read the tables


def test_deleting_the_conversation_deletes_the_request_contact(server: Server) -> None:
    citizen = server.new_conversation()
    resp = citizen.call(
        "POST", "/offline-request", {"question": "Ring meg", "contact": "kari@example.no"}
    )
    assert resp.status == 201
    assert "kari@example.no" in database_dump(server)
    assert citizen.call("DELETE").status == 204
    assert "kari@example.no" not in database_dump(server)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (f"fnr {FNR}", "fnr [fødselsnummer fjerna]"),
        (f"Hva gjør jeg med {FNR}?", "Hva gjør jeg med [fødselsnummer fjernet]?"),
        ("ring 56 37 50 00", "ring 56 37 50 00"),
    ],
)
def test_rest_channel_masks_before_rasa(message: str, expected: str) -> None:
    body = {"sender": "s", "message": message}
    request = SimpleNamespace(ip="127.0.0.1", headers={}, method="POST", json=body)
    assert LocalRestInput().refusal(request) is None  # type: ignore[arg-type]
    assert body["message"] == expected


def test_masking_never_makes_a_message_too_long_to_store(server: Server) -> None:
    """Tokens are longer than the numbers they replace; the stored text is cut at the limit."""
    citizen = server.new_conversation()
    question = ("98765432 " * 555)[:5000]  # the longest question, every word a phone number
    resp = citizen.call("POST", "/offline-request", {"question": question, "contact": "41234567"})
    assert resp.status == 201, resp.body
    [request] = server.store.requests.list()
    assert len(request.question) == 5000 and request.question.startswith("[telefonnummer fjerna]")
    assert "98765432" not in request.question
