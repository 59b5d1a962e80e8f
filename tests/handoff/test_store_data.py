"""HandoffStore: notes, offline requests, deletion and retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.handoff import (
    ConversationNotFound,
    Event,
    HandoffStore,
    InvalidContact,
    Language,
    OfflineRequestNotFound,
    StaffUser,
    UserInactive,
)

from .conftest import FakeClock

PER_CONVERSATION_TABLES = ("messages", "notes", "transitions", "offline_requests")


def _count(store: HandoffStore, table: str, conversation_id: str | None = None) -> int:
    column = "id" if table == "conversations" else "conversation_id"
    query = f"SELECT COUNT(*) FROM {table}"
    params = {}
    if conversation_id is not None:
        query += f" WHERE {column} = :cid"
        params["cid"] = conversation_id
    with store.engine.connect() as connection:
        return int(connection.execute(text(query), params).scalar_one())


def _full_conversation(store: HandoffStore, staff: StaffUser) -> str:
    """A conversation with rows in every linked table."""
    conv = store.conversations.create()
    store.messages.receive_citizen(conv.id, "Eg heiter Ola og bur i Knarvik")
    store.messages.add(conv.id, "bot", "Eg hentar ein person.")
    store.conversations.transition(conv.id, Event.REQUEST_HUMAN, "citizen")
    store.conversations.claim(conv.id, staff.id)
    store.messages.add(conv.id, "staff", "Hei Ola", staff_user_id=staff.id)
    store.notes.add(conv.id, staff.id, "Gjeld byggesak 2024/123")
    store.requests.create("Ring meg om byggesaka", "912 34 567", "nn", conv.id)
    return conv.id


# ----- notes --------------------------------------------------------------------


def test_notes(store: HandoffStore, clock: FakeClock, staff: StaffUser) -> None:
    conv = store.conversations.create()
    first = store.notes.add(conv.id, staff.id, "Første notat")
    clock.advance(minutes=1)
    second = store.notes.add(conv.id, staff.id, "Andre notat")
    notes = store.notes.list(conv.id)
    assert [n.text for n in notes] == ["Første notat", "Andre notat"]
    assert notes[0] == first and notes[1].created_at == clock.now == second.created_at
    assert all(n.author_id == staff.id for n in notes)
    assert store.messages.transcript(conv.id) == []  # notes are never part of the transcript


def test_note_errors(store: HandoffStore, staff: StaffUser) -> None:
    conv = store.conversations.create()
    with pytest.raises(ValueError, match="empty"):
        store.notes.add(conv.id, staff.id, "  ")
    with pytest.raises(ConversationNotFound):
        store.notes.add("unknown", staff.id, "notat")
    store.users.set_active(staff.id, False)
    with pytest.raises(UserInactive):
        store.notes.add(conv.id, staff.id, "notat")
    assert store.notes.list(conv.id) == []


# ----- offline requests ------------------------------------------------------------


def test_create_and_list_offline_requests(
    store: HandoffStore, clock: FakeClock, staff: StaffUser
) -> None:
    conv = store.conversations.create("en")
    store.conversations.transition(conv.id, Event.REQUEST_HUMAN, "citizen")
    first = store.requests.create("Please call me", "+47 912 34 567", "en", conv.id)
    clock.advance(minutes=1)
    second = store.requests.create("Kva kostar feiing?", " Ola@Example.NO ")
    assert first.contact == "+4791234567" and first.conversation_id == conv.id
    assert first.language is Language.EN and first.is_open and first.answered_by is None
    assert second.contact == "Ola@example.no" and second.conversation_id is None
    assert second.language is Language.NN
    # Leaving a request does not change the conversation's state by itself.
    assert store.conversations.get(conv.id).state.value == "waiting"  # type: ignore[union-attr]
    assert [r.id for r in store.requests.list()] == [first.id, second.id]

    clock.advance(minutes=1)
    assert store.requests.mark_answered(first.id, staff.id) is True
    assert store.requests.mark_answered(first.id, staff.id) is False  # already answered
    assert [r.id for r in store.requests.list(open_only=True)] == [second.id]
    everything = store.requests.list(open_only=False)
    assert [r.id for r in everything] == [first.id, second.id]
    answered = everything[0]
    assert answered.answered_at == clock.now and answered.answered_by == staff.id
    assert not answered.is_open


@pytest.mark.parametrize("contact", ["ola", "12345", "ola@example", "+46 91234567", ""])
def test_offline_request_with_invalid_contact_is_refused(store: HandoffStore, contact: str) -> None:
    with pytest.raises(InvalidContact):
        store.requests.create("Spørsmål", contact)
    assert store.requests.list(open_only=False) == []


def test_offline_request_errors(store: HandoffStore, staff: StaffUser) -> None:
    with pytest.raises(ValueError, match="Question is empty"):
        store.requests.create(" ", "ola@example.no")
    with pytest.raises(ConversationNotFound):
        store.requests.create("Spørsmål", "ola@example.no", conversation_id="unknown")
    with pytest.raises(ValueError, match="Unknown language"):
        store.requests.create("Spørsmål", "ola@example.no", "de")
    with pytest.raises(OfflineRequestNotFound):
        store.requests.mark_answered(12345, staff.id)
    assert store.requests.list(open_only=False) == []


# ----- delete ---------------------------------------------------------------------


def test_delete_conversation_removes_everything(store: HandoffStore, staff: StaffUser) -> None:
    doomed = _full_conversation(store, staff)
    kept = _full_conversation(store, staff)
    unrelated_request = store.requests.create("Anna spørsmål", "kari@example.no")
    for table in PER_CONVERSATION_TABLES:
        assert _count(store, table, doomed) > 0

    assert store.conversations.delete(doomed) is True

    for table in (*PER_CONVERSATION_TABLES, "conversations"):
        assert _count(store, table, doomed) == 0, table
    assert store.conversations.get(doomed) is None
    with pytest.raises(ConversationNotFound):
        store.messages.transcript(doomed)
    # Nothing else was touched.
    for table in (*PER_CONVERSATION_TABLES, "conversations"):
        assert _count(store, table, kept) > 0, table
    assert unrelated_request.id in [r.id for r in store.requests.list()]
    # The citizen's words are gone from the database.
    with store.engine.connect() as connection:
        hits = connection.execute(
            text("SELECT COUNT(*) FROM messages WHERE text LIKE '%Knarvik%'")
        ).scalar_one()
    assert hits == 1  # only the kept conversation's copy
    assert store.conversations.delete(doomed) is False  # idempotent


# ----- purge ------------------------------------------------------------------------


def test_purge_older_than(store: HandoffStore, clock: FakeClock, staff: StaffUser) -> None:
    old = _full_conversation(store, staff)
    old_request = store.requests.create("Gammalt spørsmål", "ola@example.no")
    revived = store.conversations.create()  # old, but active again later
    clock.advance(days=40)
    store.messages.add(revived.id, "citizen", "Hei igjen")
    recent = _full_conversation(store, staff)
    recent_request = store.requests.create("Nytt spørsmål", "kari@example.no")
    clock.advance(days=1)

    result = store.retention.purge_older_than(timedelta(days=30))

    assert result.conversations == 1
    assert result.offline_requests == 2  # the one linked to `old` and `old_request`
    assert store.conversations.get(old) is None
    for table in PER_CONVERSATION_TABLES:
        assert _count(store, table, old) == 0
    assert store.conversations.get(revived.id) is not None
    assert store.conversations.get(recent) is not None
    remaining = {r.id for r in store.requests.list(open_only=False)}
    assert old_request.id not in remaining and recent_request.id in remaining
    assert len(remaining) == 2  # recent_request + the one linked to `recent`
    # Staff users are never purged.
    assert store.users.get(staff.id) is not None
    # Running again finds nothing more.
    again = store.retention.purge_older_than(timedelta(days=30))
    assert (again.conversations, again.offline_requests) == (0, 0)


def test_purge_rejects_negative_age(store: HandoffStore) -> None:
    with pytest.raises(ValueError, match="non-negative"):
        store.retention.purge_older_than(timedelta(days=-1))
