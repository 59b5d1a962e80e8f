"""HandoffStore: conversations, transitions, claiming, messages, queue, timeouts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.handoff import (
    ConversationNotFound,
    Event,
    HandoffState,
    HandoffStore,
    InvalidTransition,
    Language,
    MessageNotFound,
    Sender,
    StaffUser,
    UserInactive,
    UserNotFound,
    staff_actor,
)
from tests.concurrency import race

from .conftest import STAFF_PASSWORD, FakeClock

S = HandoffState


def _in_state(store: HandoffStore, state: HandoffState, staff: StaffUser) -> str:
    """Create a conversation and drive it into ``state`` through allowed moves."""
    conv = store.conversations.create("nn")
    if state is S.BOT:
        return conv.id
    store.conversations.transition(conv.id, Event.REQUEST_HUMAN, "citizen")
    if state is S.WAITING:
        return conv.id
    assert store.conversations.claim(conv.id, staff.id)
    if state is S.WITH_HUMAN:
        return conv.id
    store.conversations.transition(conv.id, Event.CLOSE, staff_actor(staff.username))
    return conv.id


# ----- conversations ------------------------------------------------------


def test_create_conversation(store: HandoffStore, clock: FakeClock) -> None:
    conv = store.conversations.create("nb")
    assert conv.state is S.BOT
    assert conv.language is Language.NB
    assert conv.created_at == conv.updated_at == clock.now
    assert conv.created_at.tzinfo is not None and conv.created_at.utcoffset() == timedelta(0)
    assert conv.claimed_by is None and conv.waiting_since is None
    assert conv.bot_may_speak is True
    assert store.conversations.get(conv.id) == conv


def test_conversation_ids_are_random_and_long(store: HandoffStore) -> None:
    ids = {store.conversations.create().id for _ in range(20)}
    assert len(ids) == 20
    assert all(len(i) == 32 for i in ids)  # token_urlsafe(24) -> 32 characters


def test_default_language_is_nynorsk(store: HandoffStore) -> None:
    assert store.conversations.create().language is Language.NN


def test_unknown_language_is_refused(store: HandoffStore) -> None:
    with pytest.raises(ValueError, match="Unknown language 'sv'"):
        store.conversations.create("sv")


@pytest.mark.parametrize("bad_id", ["does-not-exist", "", "x" * 500])
def test_get_unknown_conversation_returns_none(store: HandoffStore, bad_id: str) -> None:
    assert store.conversations.get(bad_id) is None


def test_timestamps_are_stored_as_utc_even_from_other_offsets(db_url: str) -> None:
    oslo_summer = timezone(timedelta(hours=2))
    local = datetime(2024, 6, 1, 14, 0, tzinfo=oslo_summer)
    with HandoffStore(db_url, clock=lambda: local) as store:
        conv = store.conversations.create()
        stored = store.conversations.get(conv.id)
    assert stored is not None
    assert stored.created_at == local
    assert stored.created_at.tzinfo == timezone.utc
    assert stored.created_at.hour == 12


def test_naive_clock_is_refused(db_url: str) -> None:
    naive = datetime(2024, 1, 1)
    with (
        HandoffStore(db_url, clock=lambda: naive) as store,
        pytest.raises(ValueError, match="naive"),
    ):
        store.conversations.create()


def test_in_memory_sqlite_is_refused_with_advice() -> None:
    with pytest.raises(ValueError, match="file URL"):
        HandoffStore("sqlite://")


def test_sqlite_parent_folder_is_created(tmp_path: Path) -> None:
    target = tmp_path / "nested" / "dir" / "handoff.sqlite3"
    with HandoffStore(f"sqlite:///{target}") as store:
        store.conversations.create()
    assert target.is_file()


# ----- transitions --------------------------------------------------------


def test_every_move_writes_one_transition_row(
    store: HandoffStore, clock: FakeClock, staff: StaffUser
) -> None:
    conv = store.conversations.create()
    steps: list[tuple[Callable[[], object], Event, str, HandoffState, HandoffState]] = [
        (
            lambda: store.conversations.transition(
                conv.id, Event.REQUEST_HUMAN, "citizen", "vil snakke med nokon"
            ),
            Event.REQUEST_HUMAN,
            "citizen",
            S.BOT,
            S.WAITING,
        ),
        (
            lambda: store.conversations.claim(conv.id, staff.id),
            Event.CLAIM,
            "staff:kari",
            S.WAITING,
            S.WITH_HUMAN,
        ),
        (
            lambda: store.conversations.transition(conv.id, Event.HAND_BACK, "staff:kari"),
            Event.HAND_BACK,
            "staff:kari",
            S.WITH_HUMAN,
            S.BOT,
        ),
        (
            lambda: store.conversations.transition(conv.id, Event.REQUEST_HUMAN, "bot"),
            Event.REQUEST_HUMAN,
            "bot",
            S.BOT,
            S.WAITING,
        ),
        (
            lambda: store.conversations.transition(conv.id, Event.CLOSE, "staff:kari", "spam"),
            Event.CLOSE,
            "staff:kari",
            S.WAITING,
            S.CLOSED,
        ),
        (
            lambda: store.conversations.transition(conv.id, Event.REOPEN, "citizen"),
            Event.REOPEN,
            "citizen",
            S.CLOSED,
            S.BOT,
        ),
    ]
    for number, (action, event, actor, before, after) in enumerate(steps, start=1):
        moment = clock.advance(minutes=1)
        action()
        history = store.conversations.history(conv.id)
        assert len(history) == number
        row = history[-1]
        assert (row.from_state, row.to_state, row.event, row.actor) == (before, after, event, actor)
        assert row.at == moment and row.at.tzinfo is not None
        current = store.conversations.get(conv.id)
        assert current is not None and current.state is after and current.updated_at == moment
    assert store.conversations.history(conv.id)[0].reason == "vil snakke med nokon"
    assert store.conversations.history(conv.id)[4].reason == "spam"


@pytest.mark.parametrize("state", list(HandoffState))
@pytest.mark.parametrize("event", [e for e in Event if e is not Event.CLAIM])
def test_store_transition_follows_the_table(
    store: HandoffStore, staff: StaffUser, state: HandoffState, event: Event
) -> None:
    from bot.handoff import TRANSITIONS

    conv_id = _in_state(store, state, staff)
    before = store.conversations.get(conv_id)
    rows_before = len(store.conversations.history(conv_id))
    if (state, event) in TRANSITIONS:
        assert (
            store.conversations.transition(conv_id, event, "system") is TRANSITIONS[(state, event)]
        )
        assert len(store.conversations.history(conv_id)) == rows_before + 1
    else:
        with pytest.raises(InvalidTransition):
            store.conversations.transition(conv_id, event, "system")
        assert store.conversations.get(conv_id) == before
        assert len(store.conversations.history(conv_id)) == rows_before


def test_refused_transition_changes_nothing(store: HandoffStore, clock: FakeClock) -> None:
    conv = store.conversations.create()
    clock.advance(minutes=5)
    with pytest.raises(InvalidTransition, match="'hand_back' is not allowed in state 'bot'"):
        store.conversations.transition(conv.id, Event.HAND_BACK, "staff:kari")
    assert store.conversations.get(conv.id) == conv
    assert store.conversations.history(conv.id) == []


def test_transition_refuses_claim_and_points_to_claim_method(store: HandoffStore) -> None:
    conv = store.conversations.create()
    store.conversations.transition(conv.id, Event.REQUEST_HUMAN, "citizen")
    with pytest.raises(ValueError, match=r"claim\(conversation_id, staff_user_id\)"):
        store.conversations.transition(conv.id, Event.CLAIM, "staff:kari")
    assert store.conversations.get(conv.id).state is S.WAITING  # type: ignore[union-attr]


@pytest.mark.parametrize("actor", ["", "staff", "staff:", "Staff:Kari", "admin", "citizen "])
def test_malformed_actor_is_refused(store: HandoffStore, actor: str) -> None:
    conv = store.conversations.create()
    with pytest.raises(ValueError, match="Invalid actor"):
        store.conversations.transition(conv.id, Event.REQUEST_HUMAN, actor)
    assert store.conversations.history(conv.id) == []


def test_transition_on_unknown_conversation(store: HandoffStore) -> None:
    with pytest.raises(ConversationNotFound, match="does not exist"):
        store.conversations.transition("nope", Event.REQUEST_HUMAN, "citizen")


def test_waiting_since_and_claimed_by_follow_the_state(
    store: HandoffStore, clock: FakeClock, staff: StaffUser
) -> None:
    conv = store.conversations.create()
    asked = clock.advance(minutes=1)
    store.conversations.transition(conv.id, Event.REQUEST_HUMAN, "citizen")
    waiting = store.conversations.get(conv.id)
    assert waiting is not None and waiting.waiting_since == asked and waiting.claimed_by is None
    assert waiting.bot_may_speak is False
    store.conversations.claim(conv.id, staff.id)
    taken = store.conversations.get(conv.id)
    assert taken is not None and taken.claimed_by == staff.id and taken.waiting_since is None
    store.conversations.transition(conv.id, Event.CLOSE, "staff:kari")
    closed = store.conversations.get(conv.id)
    assert closed is not None and closed.claimed_by == staff.id  # kept for the record
    store.conversations.transition(conv.id, Event.REOPEN, "citizen")
    reopened = store.conversations.get(conv.id)
    assert reopened is not None and reopened.claimed_by is None and reopened.bot_may_speak


# ----- claiming -------------------------------------------------------------


def test_claim_only_works_once(
    store: HandoffStore, staff: StaffUser, other_staff: StaffUser
) -> None:
    conv_id = _in_state(store, S.WAITING, staff)
    assert store.conversations.claim(conv_id, staff.id) is True
    assert store.conversations.claim(conv_id, other_staff.id) is False
    conv = store.conversations.get(conv_id)
    assert conv is not None and conv.claimed_by == staff.id
    claims = [t for t in store.conversations.history(conv_id) if t.event is Event.CLAIM]
    assert len(claims) == 1 and claims[0].actor == "staff:kari"


@pytest.mark.parametrize("state", [S.BOT, S.WITH_HUMAN, S.CLOSED])
def test_claim_of_non_waiting_conversation_returns_false(
    store: HandoffStore, staff: StaffUser, other_staff: StaffUser, state: HandoffState
) -> None:
    conv_id = _in_state(store, state, staff)
    before = store.conversations.get(conv_id)
    assert store.conversations.claim(conv_id, other_staff.id) is False
    assert store.conversations.get(conv_id) == before


def test_claim_errors(store: HandoffStore, staff: StaffUser) -> None:
    conv_id = _in_state(store, S.WAITING, staff)
    with pytest.raises(ConversationNotFound):
        store.conversations.claim("unknown", staff.id)
    with pytest.raises(UserNotFound):
        store.conversations.claim(conv_id, 9999)
    store.users.set_active(staff.id, False)
    with pytest.raises(UserInactive, match="deactivated"):
        store.conversations.claim(conv_id, staff.id)
    assert store.conversations.get(conv_id).state is S.WAITING  # type: ignore[union-attr]


def test_claim_race_two_store_instances_exactly_one_wins(db_url: str) -> None:
    first = HandoffStore(db_url)
    second = HandoffStore(db_url)
    try:
        kari = first.users.add("kari", "Kari", STAFF_PASSWORD)
        ola = first.users.add("ola", "Ola", STAFF_PASSWORD)
        for _ in range(15):
            conv = first.conversations.create()
            first.conversations.transition(conv.id, Event.REQUEST_HUMAN, "citizen")
            results = race(
                [
                    partial(first.conversations.claim, conv.id, kari.id),
                    partial(second.conversations.claim, conv.id, ola.id),
                ]
            )
            assert sorted(results, key=str) == [False, True]
            winner = kari if results[0] is True else ola
            current = second.conversations.get(conv.id)
            assert current is not None
            assert current.state is S.WITH_HUMAN and current.claimed_by == winner.id
            claims = [t for t in first.conversations.history(conv.id) if t.event is Event.CLAIM]
            assert [c.actor for c in claims] == [f"staff:{winner.username}"]
    finally:
        first.close()
        second.close()


def test_claim_race_many_threads_one_store(store: HandoffStore) -> None:
    users = [store.users.add(f"staff{i}", f"Staff {i}", STAFF_PASSWORD) for i in range(6)]
    conv = store.conversations.create()
    store.conversations.transition(conv.id, Event.REQUEST_HUMAN, "citizen")
    results = race([partial(store.conversations.claim, conv.id, u.id) for u in users])
    assert results.count(True) == 1
    assert results.count(False) == len(users) - 1
    winner = users[results.index(True)]
    assert store.conversations.get(conv.id).claimed_by == winner.id  # type: ignore[union-attr]
    assert len([t for t in store.conversations.history(conv.id) if t.event is Event.CLAIM]) == 1


def test_claim_races_cancel_only_one_applies(store: HandoffStore, staff: StaffUser) -> None:
    for _ in range(10):
        conv_id = _in_state(store, S.WAITING, staff)
        claim_result, cancel_result = race(
            [
                partial(store.conversations.claim, conv_id, staff.id),
                partial(store.conversations.transition, conv_id, Event.CANCEL, "citizen"),
            ]
        )
        history = store.conversations.history(conv_id)
        final = store.conversations.get(conv_id)
        assert final is not None
        if claim_result is True:
            assert isinstance(cancel_result, InvalidTransition)
            assert final.state is S.WITH_HUMAN
        else:
            assert claim_result is False and cancel_result is S.BOT
            assert final.state is S.BOT
        assert len(history) == 2  # the request + exactly one of claim/cancel


# ----- messages ---------------------------------------------------------------


def test_messages_are_kept_in_every_state_and_transcript_is_ordered(
    store: HandoffStore, staff: StaffUser
) -> None:
    conv = store.conversations.create()
    store.messages.receive_citizen(conv.id, "Når er biblioteket ope?")
    store.messages.add(
        conv.id,
        Sender.BOT,
        "Biblioteket er ope 10-18.",
        intent="opningstider",
        confidence=0.93,
        payload={"buttons": [{"title": "Takk", "payload": "/takk"}]},
    )
    store.messages.receive_citizen(conv.id, "Eg vil snakke med eit menneske")
    store.conversations.transition(conv.id, Event.REQUEST_HUMAN, "citizen")
    waiting = store.messages.receive_citizen(conv.id, "Hallo?")
    assert waiting.state is S.WAITING and waiting.bot_may_speak is False
    store.conversations.claim(conv.id, staff.id)
    store.messages.add(conv.id, "system", "Kari har teke over samtalen.")
    store.messages.add(conv.id, "staff", "Hei, eg heiter Kari.", staff_user_id=staff.id)
    with_human = store.messages.receive_citizen(conv.id, "Hei Kari!")
    assert with_human.state is S.WITH_HUMAN and with_human.bot_may_speak is False
    assert with_human.reopened is False

    transcript = store.messages.transcript(conv.id)
    assert [(m.sender.value, m.text) for m in transcript] == [
        ("citizen", "Når er biblioteket ope?"),
        ("bot", "Biblioteket er ope 10-18."),
        ("citizen", "Eg vil snakke med eit menneske"),
        ("citizen", "Hallo?"),
        ("system", "Kari har teke over samtalen."),
        ("staff", "Hei, eg heiter Kari."),
        ("citizen", "Hei Kari!"),
    ]
    ids = [m.id for m in transcript]
    assert ids == sorted(ids)
    bot_message = transcript[1]
    assert bot_message.intent == "opningstider" and bot_message.confidence == pytest.approx(0.93)
    assert bot_message.payload == {"buttons": [{"title": "Takk", "payload": "/takk"}]}
    staff_message = transcript[5]
    assert staff_message.staff_user_id == staff.id and staff_message.staff_first_name == "Kari"


def test_transcript_order_is_insertion_order_even_with_equal_timestamps(
    store: HandoffStore,
) -> None:
    conv = store.conversations.create()  # the fake clock does not move
    texts = [f"melding {i}" for i in range(12)]
    for i, body in enumerate(texts):
        store.messages.add(conv.id, "citizen" if i % 2 else "bot", body)
    assert [m.text for m in store.messages.transcript(conv.id)] == texts


def test_message_updates_conversation_activity(store: HandoffStore, clock: FakeClock) -> None:
    conv = store.conversations.create()
    later = clock.advance(hours=1)
    message = store.messages.add(conv.id, "bot", "Hei!")
    assert message.created_at == later
    assert store.conversations.get(conv.id).updated_at == later  # type: ignore[union-attr]


def test_citizen_message_after_close_reopens_conversation(
    store: HandoffStore, staff: StaffUser
) -> None:
    conv_id = _in_state(store, S.CLOSED, staff)
    incoming = store.messages.receive_citizen(conv_id, "Eit spørsmål til")
    assert incoming.reopened is True
    assert incoming.state is S.BOT and incoming.bot_may_speak is True
    last = store.conversations.history(conv_id)[-1]
    assert (last.event, last.actor, last.to_state) == (Event.REOPEN, "citizen", S.BOT)
    assert store.messages.transcript(conv_id)[-1].text == "Eit spørsmål til"


def test_message_validation(store: HandoffStore, staff: StaffUser) -> None:
    conv = store.conversations.create()
    with pytest.raises(ValueError, match="Unknown sender"):
        store.messages.add(conv.id, "robot", "hei")
    with pytest.raises(ValueError, match="staff_user_id"):
        store.messages.add(conv.id, "staff", "hei")
    with pytest.raises(ValueError, match="only allowed for sender 'staff'"):
        store.messages.add(conv.id, "bot", "hei", staff_user_id=staff.id)
    with pytest.raises(ValueError, match="empty"):
        store.messages.add(conv.id, "citizen", "   ")
    with pytest.raises(ValueError, match="Confidence"):
        store.messages.add(conv.id, "bot", "hei", confidence=1.5)
    with pytest.raises(ValueError, match="JSON"):
        store.messages.add(conv.id, "bot", "hei", payload={"x": object()})
    with pytest.raises(ValueError, match="too long"):
        store.messages.add(conv.id, "citizen", "x" * 10_001)
    with pytest.raises(ConversationNotFound):
        store.messages.add("unknown", "citizen", "hei")
    with pytest.raises(UserNotFound):
        store.messages.add(conv.id, "staff", "hei", staff_user_id=424242)
    assert store.messages.transcript(conv.id) == []
    # An empty text is fine when a payload carries the content (e.g. only buttons).
    buttons = store.messages.add(conv.id, "bot", "", payload=[{"title": "Ja"}])
    assert buttons.payload == [{"title": "Ja"}]


def test_transcript_of_unknown_conversation(store: HandoffStore) -> None:
    with pytest.raises(ConversationNotFound):
        store.messages.transcript("unknown")


# ----- feedback ---------------------------------------------------------------


def test_feedback_on_bot_and_staff_messages(store: HandoffStore, staff: StaffUser) -> None:
    conv = store.conversations.create()
    bot = store.messages.add(conv.id, "bot", "Svar")
    person = store.messages.add(conv.id, "staff", "Svar frå Kari", staff_user_id=staff.id)
    store.messages.set_feedback(bot.id, conv.id, 1)
    store.messages.set_feedback(person.id, conv.id, -1)
    feedback = {m.id: m.feedback for m in store.messages.transcript(conv.id)}
    assert feedback == {bot.id: 1, person.id: -1}
    store.messages.set_feedback(bot.id, conv.id, -1)
    store.messages.set_feedback(person.id, conv.id, None)
    feedback = {m.id: m.feedback for m in store.messages.transcript(conv.id)}
    assert feedback == {bot.id: -1, person.id: None}


@pytest.mark.parametrize("value", [0, 2, -2, True, "1"])
def test_feedback_value_must_be_plus_or_minus_one(store: HandoffStore, value: object) -> None:
    conv = store.conversations.create()
    bot = store.messages.add(conv.id, "bot", "Svar")
    with pytest.raises(ValueError, match="1, -1 or None"):
        store.messages.set_feedback(bot.id, conv.id, value)  # type: ignore[arg-type]
    assert store.messages.transcript(conv.id)[0].feedback is None


def test_feedback_only_within_own_conversation_and_on_answers(store: HandoffStore) -> None:
    mine = store.conversations.create()
    theirs = store.conversations.create()
    their_answer = store.messages.add(theirs.id, "bot", "Svar")
    my_question = store.messages.receive_citizen(mine.id, "Spørsmål").message
    with pytest.raises(MessageNotFound):
        store.messages.set_feedback(their_answer.id, mine.id, 1)
    with pytest.raises(ValueError, match="bot or staff"):
        store.messages.set_feedback(my_question.id, mine.id, 1)
    assert store.messages.transcript(theirs.id)[0].feedback is None


# ----- queue and active lists ---------------------------------------------------


def test_queue_is_oldest_first_with_waiting_time(
    store: HandoffStore, clock: FakeClock, staff: StaffUser
) -> None:
    first, second, third = (store.conversations.create() for _ in range(3))
    for conv in (second, first, third):  # ask in this order
        clock.advance(minutes=2)
        store.conversations.transition(conv.id, Event.REQUEST_HUMAN, "citizen")
    store.conversations.create()  # a BOT conversation never shows up
    clock.advance(minutes=1)
    queue = store.conversations.queue()
    assert [e.conversation.id for e in queue] == [second.id, first.id, third.id]
    assert [e.waiting_for for e in queue] == [
        timedelta(minutes=5),
        timedelta(minutes=3),
        timedelta(minutes=1),
    ]
    assert all(e.conversation.state is S.WAITING for e in queue)
    store.conversations.claim(first.id, staff.id)
    assert [e.conversation.id for e in store.conversations.queue()] == [second.id, third.id]


def test_list_active_for_staff(
    store: HandoffStore, clock: FakeClock, staff: StaffUser, other_staff: StaffUser
) -> None:
    a = _in_state(store, S.WITH_HUMAN, staff)
    clock.advance(minutes=1)
    b = _in_state(store, S.WITH_HUMAN, other_staff)
    clock.advance(minutes=1)
    c = _in_state(store, S.WITH_HUMAN, staff)
    _in_state(store, S.WAITING, staff)
    _in_state(store, S.CLOSED, staff)
    assert [conv.id for conv in store.conversations.list_active_for_staff()] == [c, b, a]
    assert [conv.id for conv in store.conversations.list_active_for_staff(staff.id)] == [c, a]
    assert [conv.id for conv in store.conversations.list_active_for_staff(other_staff.id)] == [b]


# ----- timeouts ---------------------------------------------------------------


def test_expire_waiting(store: HandoffStore, clock: FakeClock, staff: StaffUser) -> None:
    old = store.conversations.create()
    store.conversations.transition(old.id, Event.REQUEST_HUMAN, "citizen")
    claimed = _in_state(store, S.WITH_HUMAN, staff)
    clock.advance(minutes=8)
    recent = store.conversations.create()
    store.conversations.transition(recent.id, Event.REQUEST_HUMAN, "citizen")
    clock.advance(minutes=2)

    assert store.conversations.expire_waiting(timedelta(minutes=5)) == [old.id]
    expired = store.conversations.get(old.id)
    assert expired is not None and expired.state is S.BOT and expired.bot_may_speak
    last = store.conversations.history(old.id)[-1]
    assert (last.event, last.actor, last.from_state, last.to_state) == (
        Event.TIMEOUT,
        "system",
        S.WAITING,
        S.BOT,
    )
    assert last.at == clock.now and "0:05:00" in (last.reason or "")
    assert store.conversations.get(recent.id).state is S.WAITING  # type: ignore[union-attr]
    assert store.conversations.get(claimed).state is S.WITH_HUMAN  # type: ignore[union-attr]
    assert store.conversations.expire_waiting(timedelta(minutes=5)) == []  # nothing left to expire
    clock.advance(minutes=3)
    assert store.conversations.expire_waiting(timedelta(minutes=5)) == [recent.id]


def test_expire_waiting_rejects_negative_age(store: HandoffStore) -> None:
    with pytest.raises(ValueError, match="non-negative"):
        store.conversations.expire_waiting(timedelta(minutes=-1))


def test_schema_uses_the_specified_tables(store: HandoffStore) -> None:
    with store.engine.connect() as connection:
        for table in (
            "conversations",
            "transitions",
            "messages",
            "notes",
            "staff_users",
            "offline_requests",
        ):
            assert connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one() == 0


def test_expire_race_two_store_instances_each_conversation_moves_once(
    db_url: str, clock: FakeClock
) -> None:
    """Every instance runs the expire job; two running at once expire each conversation once."""
    first = HandoffStore(db_url, clock=clock)
    second = HandoffStore(db_url, clock=clock)
    try:
        for _ in range(5):
            waiting = []
            for _ in range(6):
                conv = first.conversations.create()
                first.conversations.transition(conv.id, Event.REQUEST_HUMAN, "citizen")
                waiting.append(conv.id)
            clock.advance(minutes=10)
            results = race(
                [
                    partial(first.conversations.expire_waiting, timedelta(minutes=5)),
                    partial(second.conversations.expire_waiting, timedelta(minutes=5)),
                ]
            )
            assert all(isinstance(r, list) for r in results), results
            moved = [cid for r in results for cid in r]  # type: ignore[attr-defined]
            assert sorted(moved) == sorted(waiting)  # each once, none twice or lost
            for conv_id in waiting:
                timeouts = [
                    t for t in second.conversations.history(conv_id) if t.event is Event.TIMEOUT
                ]
                assert len(timeouts) == 1
                assert second.conversations.get(conv_id).state is S.BOT  # type: ignore[union-attr]
    finally:
        first.close()
        second.close()
