"""The booking_requests repository: create, validation, one winner, retention and deletion."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from bot.handoff import ConversationNotFound, HandoffStore, InvalidContact, StaffUser
from bot.handoff.booking_service import bookings_of, submit
from bot.handoff.bookings import BookingNotFound
from tests.handoff.conftest import STAFF_PASSWORD, FakeClock
from tests.handoff.conftest import clock as clock  # noqa: F401 - fixture
from tests.handoff.conftest import db_url as db_url  # noqa: F401 - fixture

DAYS = [date(2026, 12, 1)]
FIELDS = {
    "topic": "byggesak",
    "place": "manger",
    "days": DAYS,
    "name": "Kari Nordmann",
    "description": "Garasjen",
    "language": "nn",
}


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[HandoffStore]:  # noqa: F811
    with HandoffStore(db_url, clock=clock) as opened:
        yield opened


@pytest.fixture
def staff(store: HandoffStore) -> StaffUser:
    return store.users.add("kari", "Kari", STAFF_PASSWORD, "staff")


def test_create_and_list_open(store: HandoffStore) -> None:
    conversation = store.conversations.create("nn")
    booking = submit(store, conversation_id=conversation.id, **FIELDS)  # type: ignore[arg-type]
    assert booking.status == "open" and booking.days == tuple(DAYS) and booking.contact is None
    assert [b.id for b in bookings_of(store).list()] == [booking.id]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"name": "  "}, ValueError),
        ({"description": "x" * 501}, ValueError),
        ({"days": []}, ValueError),
        ({"language": "sv"}, ValueError),
        ({"contact": "not a contact"}, InvalidContact),
    ],
)
def test_invalid_requests_are_refused(
    store: HandoffStore, change: dict[str, object], error: type[Exception]
) -> None:
    conversation = store.conversations.create("nn")
    with pytest.raises(error):
        bookings_of(store).create(conversation.id, **{**FIELDS, **change})  # type: ignore[arg-type]


def test_contact_is_normalised_when_given(store: HandoffStore) -> None:
    conversation = store.conversations.create("nn")
    booking = bookings_of(store).create(conversation.id, **FIELDS, contact="912 34 567")  # type: ignore[arg-type]
    assert booking.contact == "+4791234567"


def test_unknown_conversation_is_refused(store: HandoffStore) -> None:
    with pytest.raises(ConversationNotFound):
        submit(store, conversation_id="nope", **FIELDS)  # type: ignore[arg-type]


def test_exactly_one_staff_member_handles_a_request(store: HandoffStore, staff: StaffUser) -> None:
    conversation = store.conversations.create("nn")
    booking = submit(store, conversation_id=conversation.id, **FIELDS)  # type: ignore[arg-type]
    repo = bookings_of(store)
    assert repo.handle(booking.id, staff.id, "answered", note="Ring oss") is True
    assert repo.handle(booking.id, staff.id, "answered", note="Igjen") is False
    assert repo.get(booking.id).staff_note == "Ring oss"
    with pytest.raises(BookingNotFound):
        repo.handle(999, staff.id, "answered", note="x")
    with pytest.raises(ValueError, match="needs its date and time"):
        repo.handle(booking.id, staff.id, "booked")


def test_retention_deletes_requests_with_their_conversation(
    store: HandoffStore,
    clock: FakeClock,  # noqa: F811
) -> None:
    old = store.conversations.create("nn")
    submit(store, conversation_id=old.id, **FIELDS)  # type: ignore[arg-type]
    clock.advance(days=31)
    fresh = store.conversations.create("nn")
    kept = submit(store, conversation_id=fresh.id, **FIELDS)  # type: ignore[arg-type]
    store.retention.purge_older_than(timedelta(days=30))
    assert [b.id for b in bookings_of(store).list(open_only=False)] == [kept.id]


def test_deleting_a_conversation_deletes_its_requests(store: HandoffStore) -> None:
    conversation = store.conversations.create("nn")
    submit(store, conversation_id=conversation.id, **FIELDS)  # type: ignore[arg-type]
    store.conversations.delete(conversation.id)
    assert bookings_of(store).list(open_only=False) == []
