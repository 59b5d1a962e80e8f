"""The Møteførespurnader API: roles, CSRF, bad input, booking, answering, the citizen told."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.handoff.booking_service import submit
from bot.handoff.records import Message, Sender
from bot.web import views
from tests.booking.conftest import BookingServer

API = "/console/bookings/api/bookings"


def _booking(server: BookingServer, conversation_id: str, language: str = "nn") -> int:
    return submit(
        server.store,
        conversation_id=conversation_id,
        topic="byggesak",
        place="manger",
        days=[date(2026, 11, 30), date(2026, 12, 1)],
        name="Kari Nordmann",
        description="Garasjen",
        language=language,
    ).id


def _staff(server: BookingServer, role: str = "staff") -> dict[str, str]:
    server.add_staff(f"u{role}", "Kari", role)
    staff = server.login(f"u{role}")
    return {"Cookie": staff.cookie, "X-CSRF-Token": staff.csrf}


@pytest.mark.parametrize("role", ["staff", "editor", "admin"])
def test_every_staff_role_lists_open_requests(booking_server: BookingServer, role: str) -> None:
    citizen = booking_server.new_conversation()
    booking_id = _booking(booking_server, citizen.conversation_id)
    resp = booking_server.request("GET", API, headers=_staff(booking_server, role))
    assert resp.status == 200
    item = resp.json["bookings"][0]
    assert item["id"] == booking_id
    assert item["topic"] == "Byggesak og eigedom" and item["place"] == "Manger"
    assert item["days_label"] == "måndag 30. november, tysdag 1. desember"
    assert resp.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", API), ("POST", API + "/1/booked"), ("POST", API + "/1/answered")],
)
def test_signed_out_is_refused(booking_server: BookingServer, method: str, path: str) -> None:
    resp = booking_server.request(method, path, {"date": "2026-12-01", "time": "10:00"})
    assert resp.status == 401
    assert resp.json["error"] == "unauthorized"


def test_changes_need_the_csrf_token(booking_server: BookingServer) -> None:
    citizen = booking_server.new_conversation()
    booking_id = _booking(booking_server, citizen.conversation_id)
    headers = _staff(booking_server)
    headers.pop("X-CSRF-Token")
    body = {"date": "2026-12-01", "time": "10:00"}
    resp = booking_server.request("POST", f"{API}/{booking_id}/booked", body, headers=headers)
    assert resp.status == 403 and resp.json["error"] == "csrf_failed"


@pytest.mark.parametrize(
    ("suffix", "body", "status", "error"),
    [
        ("booked", {"date": "1. desember", "time": "10:00"}, 400, "invalid_field"),
        ("booked", {"date": "2026-12-01", "time": "25:00"}, 400, "invalid_field"),
        ("booked", {"date": "2026-12-01"}, 400, "missing_field"),
        ("booked", [], 400, None),
        ("answered", {"note": "   "}, 400, "invalid_field"),
        ("answered", {"note": "x" * 1001}, 413, "message_too_long"),
        ("answered", {}, 400, "missing_field"),
    ],
)
def test_bad_input_gets_a_4xx_with_a_reason(
    booking_server: BookingServer, suffix: str, body: object, status: int, error: str | None
) -> None:
    citizen = booking_server.new_conversation()
    booking_id = _booking(booking_server, citizen.conversation_id)
    resp = booking_server.request(
        "POST", f"{API}/{booking_id}/{suffix}", body, headers=_staff(booking_server)
    )
    assert resp.status == status
    assert "message" in resp.json
    if error:
        assert resp.json["error"] == error


def test_unknown_request_is_404(booking_server: BookingServer) -> None:
    body = {"date": "2026-12-01", "time": "10:00"}
    resp = booking_server.request("POST", f"{API}/999/booked", body, headers=_staff(booking_server))
    assert resp.status == 404 and resp.json["error"] == "not_found"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nn", "Møtet ditt er avtalt: tysdag 1. desember kl. 10.30, Manger."),
        ("nb", "Møtet ditt er avtalt: tirsdag 1. desember kl. 10.30, Manger."),
        ("en", "Your meeting is booked: Tuesday 1 December at 10.30, Manger."),
    ],
)
def test_booking_tells_the_citizen_in_the_open_conversation(
    booking_server: BookingServer, language: str, expected: str
) -> None:
    citizen = booking_server.new_conversation(language if language != "en" else None)
    booking_id = _booking(booking_server, citizen.conversation_id, language)
    headers = _staff(booking_server)
    body = {"date": "2026-12-01", "time": "10:30"}
    resp = booking_server.request("POST", f"{API}/{booking_id}/booked", body, headers=headers)
    assert resp.status == 200 and resp.json == {"status": "booked", "already_handled": False}
    messages = citizen.events()["messages"]
    texts = [m["text"] for m in messages]
    assert any(text.startswith(expected) for text in texts), texts
    # The widget hides the request's contact field on this message.
    told = next(m for m in messages if m["text"].startswith(expected))
    assert told["booking_handled"] == {"id": booking_id}
    # Handled requests leave the open list; a second booking is reported, not repeated.
    assert booking_server.request("GET", API, headers=headers).json["bookings"] == []
    again = booking_server.request("POST", f"{API}/{booking_id}/booked", body, headers=headers)
    assert again.json["already_handled"] is True
    assert len(citizen.events()["messages"]) == len(texts)
    listed = booking_server.request("GET", API + "?all=1", headers=headers).json["bookings"]
    assert listed[0]["status"] == "booked" and listed[0]["meeting_at"].startswith(
        "2026-12-01T09:30"
    )


def test_answering_sends_the_note_to_the_citizen(booking_server: BookingServer) -> None:
    citizen = booking_server.new_conversation()
    booking_id = _booking(booking_server, citizen.conversation_id)
    body = {"note": "Vi ringjer deg i morgon."}
    resp = booking_server.request(
        "POST", f"{API}/{booking_id}/answered", body, headers=_staff(booking_server)
    )
    assert resp.status == 200
    texts = [m["text"] for m in citizen.events()["messages"]]
    assert "Førespurnaden din om møte er handsama: Vi ringjer deg i morgon." in texts


def test_deleting_the_conversation_deletes_its_booking(booking_server: BookingServer) -> None:
    citizen = booking_server.new_conversation()
    _booking(booking_server, citizen.conversation_id)
    assert citizen.call("DELETE").status in (200, 204)
    resp = booking_server.request("GET", API + "?all=1", headers=_staff(booking_server))
    assert resp.json["bookings"] == []


@pytest.mark.parametrize("lang", ["nn", "nb", "en"])
def test_page_and_labels_are_served(booking_server: BookingServer, lang: str) -> None:
    page = booking_server.request("GET", "/console/bookings/")
    assert page.status == 200 and "bookings.js" in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    texts = booking_server.request("GET", f"/console/bookings/texts.json?lang={lang}").json
    assert texts["texts"]["title"] in ("Møteførespurnader", "Møteforespørsler", "Meeting requests")


def test_unknown_label_language_is_400(booking_server: BookingServer) -> None:
    resp = booking_server.request("GET", "/console/bookings/texts.json?lang=sv")
    assert resp.status == 400 and resp.json["field"] == "lang"


@pytest.mark.parametrize(
    ("contact", "status", "stored"),
    [
        ("912 34 567", 200, "+4791234567"),
        ("kari@example.no", 200, "kari@example.no"),
        ("ring meg", 422, None),
        ("", 400, None),
    ],
)
def test_citizen_adds_a_validated_contact_to_their_request(
    booking_server: BookingServer, contact: str, status: int, stored: str | None
) -> None:
    citizen = booking_server.new_conversation()
    booking_id = _booking(booking_server, citizen.conversation_id)
    resp = citizen.call("POST", f"/bookings/{booking_id}/contact", {"contact": contact})
    assert resp.status == status, resp.body
    listed = booking_server.request("GET", API, headers=_staff(booking_server)).json["bookings"]
    assert listed[0]["contact"] == stored


def test_citizen_cannot_add_a_contact_to_another_conversations_request(
    booking_server: BookingServer,
) -> None:
    owner, other = booking_server.new_conversation(), booking_server.new_conversation()
    booking_id = _booking(booking_server, owner.conversation_id)
    resp = other.call("POST", f"/bookings/{booking_id}/contact", {"contact": "912 34 567"})
    assert resp.status == 404 and resp.json["error"] == "not_found"
    no_token = booking_server.request(
        "POST", f"{owner.base}/bookings/{booking_id}/contact", {"contact": "912 34 567"}
    )
    assert no_token.status == 401


_JUNK_BODIES: list[bytes] = [
    b"",
    b"{",
    b"null",
    b'"text"',
    b'{"date": 5, "time": [], "note": {}, "contact": 7}',
    b'{"date": "2026-02-30", "time": "10:00"}',
    b'{"note": "\\ud800"}',
    ("{" * 30 + "}" * 30).encode(),
]


@pytest.mark.parametrize("body", _JUNK_BODIES)
@pytest.mark.parametrize("suffix", ["booked", "answered", "contact"])
def test_junk_never_gives_a_5xx(booking_server: BookingServer, body: bytes, suffix: str) -> None:
    citizen = booking_server.new_conversation()
    booking_id = _booking(booking_server, citizen.conversation_id)
    if suffix == "contact":
        path = f"{citizen.base}/bookings/{booking_id}/contact"
        headers = {"Authorization": f"Bearer {citizen.token}"}
    else:
        path, headers = f"{API}/{booking_id}/{suffix}", _staff(booking_server)
    resp = booking_server.request("POST", path, raw=body, headers=headers)
    assert 400 <= resp.status < 500, (resp.status, resp.body)
    assert "message" in resp.json


@pytest.mark.parametrize(
    "path",
    [f"{API}/99999999999999999999/booked", f"{API}/abc/booked", "/console/bookings/api/nothing"],
)
def test_odd_paths_are_4xx(booking_server: BookingServer, path: str) -> None:
    resp = booking_server.request("POST", path, {"date": "2026-12-01", "time": "10:00"})
    assert 400 <= resp.status < 500


# ----- the widget's contact field: the bot's "request sent" carries the request id


def _bot_message(payload: object, sender: str = "bot") -> Message:
    return Message(
        id=7,
        conversation_id="c",
        sender=Sender(sender),
        staff_user_id=None,
        staff_first_name=None,
        text="",
        payload=payload,
        intent=None,
        confidence=None,
        feedback=None,
        created_at=datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc),
    )


@pytest.mark.parametrize(
    ("payload", "sender", "offered"),
    [
        ({"custom": {"booking": {"id": 12, "contact": "optional"}}}, "bot", 12),
        ({"custom": {"booking": {"id": "12"}}}, "bot", None),  # not an integer id
        ({"custom": {"booking": {"id": True}}}, "bot", None),
        ({"custom": {"booking": {"id": 0}}}, "bot", None),
        ({"custom": {"booking": 12}}, "bot", None),
        (None, "bot", None),
        ({"custom": {"booking": {"id": 12}}}, "system", None),  # only the bot offers it
        ({"custom": {"booking_handled": {"id": 12}}}, "bot", None),  # only the system says so
    ],
)
def test_booking_offer_reaches_the_widget_only_from_the_bot_with_an_integer_id(
    payload: object, sender: str, offered: int | None
) -> None:
    message = _bot_message(payload, sender)
    data = views.message_json(message)
    assert data.get("booking") == ({"id": offered} if offered else None)
    assert views.shown_to_citizen(message) is (offered is not None)
