"""HandoffService without HTTP: each verb's transition, system message, flags, notify, tracker."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from sqlalchemy import event as sa_event

from bot.handoff import HandoffState, HandoffStore, Sender
from bot.handoff.service import BotReply, HandoffService, Refused
from bot.kb import KnowledgeBase
from bot.messages import render
from bot.web.presence import Presence
from bot.web.settings import WebSettings

from .conftest import CLOSED_TIME, STAFF_PASSWORD, FakeClock


@dataclass
class RecordingTracker:
    calls: list[tuple[str, str]] = field(default_factory=list)

    async def pause(self, conversation_id: str) -> None:
        self.calls.append(("pause", conversation_id))

    async def resume(self, conversation_id: str) -> None:
        self.calls.append(("resume", conversation_id))

    async def forget(self, conversation_id: str) -> None:
        self.calls.append(("forget", conversation_id))


@dataclass
class CountingNotifier:
    count: int = 0

    def notify(self) -> None:
        self.count += 1


@dataclass
class Parts:
    service: HandoffService
    store: HandoffStore
    presence: Presence
    tracker: RecordingTracker
    notifier: CountingNotifier
    clock: FakeClock
    settings: list[WebSettings]

    def run(self, coroutine: Any) -> Any:
        return asyncio.run(coroutine)

    def texts(self, conversation_id: str) -> list[tuple[str, str]]:
        return [(m.sender.value, m.text) for m in self.store.messages.transcript(conversation_id)]


@pytest.fixture
def parts(settings: WebSettings, clock: FakeClock, kb: KnowledgeBase) -> Iterator[Parts]:
    store = HandoffStore(settings.database_url, clock=clock)
    presence = Presence(store.engine, clock)
    tracker, notifier, current = RecordingTracker(), CountingNotifier(), [settings]
    service = HandoffService(
        store, presence, notifier, clock, lambda: kb, lambda: current[0], tracker
    )
    try:
        yield Parts(service, store, presence, tracker, notifier, clock, current)
    finally:
        store.close()


def _queued(parts: Parts) -> tuple[str, Any]:
    kari = parts.store.users.add("kari", "Kari", STAFF_PASSWORD)
    parts.presence.mark_staff_seen(kari.id)
    conversation = parts.run(parts.service.start("nn"))
    assert parts.run(parts.service.request(conversation.id, "requested")) is True
    return conversation.id, kari


def test_request_queues_and_claim_pauses_the_tracker(parts: Parts) -> None:
    cid, kari = _queued(parts)
    assert parts.store.conversations.get(cid).state is HandoffState.WAITING  # type: ignore[union-attr]
    assert parts.texts(cid)[-1][0] == "system"
    before = parts.notifier.count
    parts.run(parts.service.claim(cid, kari))
    assert parts.tracker.calls == [("pause", cid)]
    assert parts.notifier.count == before + 1
    assert "Kari" in parts.texts(cid)[-1][1]
    with pytest.raises(Refused) as refused:
        parts.run(parts.service.claim(cid, kari))
    assert refused.value.code == "already_claimed"


@pytest.mark.parametrize("verb", ["hand_back", "close"])
def test_giving_back_resumes_the_tracker(parts: Parts, verb: str) -> None:
    cid, kari = _queued(parts)
    parts.run(parts.service.claim(cid, kari))
    ola = parts.store.users.add("ola", "Ola", STAFF_PASSWORD)
    with pytest.raises(Refused) as refused:
        parts.run(getattr(parts.service, verb)(cid, ola))
    assert refused.value.code == "not_claimed_by_you"
    new = parts.run(getattr(parts.service, verb)(cid, kari))
    assert new in (HandoffState.BOT, HandoffState.CLOSED)
    assert parts.tracker.calls == [("pause", cid), ("resume", cid)]
    assert parts.texts(cid)[-1][0] == "system"


def test_reply_only_by_the_holder_and_clears_typing(parts: Parts) -> None:
    cid, kari = _queued(parts)
    with pytest.raises(Refused):
        parts.run(parts.service.reply(cid, kari, "Hei"))
    parts.run(parts.service.claim(cid, kari))
    parts.run(parts.service.staff_typing(cid, kari))
    assert parts.presence.flags(cid).staff_typing(parts.clock())
    message = parts.run(parts.service.reply(cid, kari, "Hei, eg heiter Kari."))
    assert message.sender is Sender.STAFF
    assert not parts.presence.flags(cid).staff_typing(parts.clock())


def test_expire_sends_back_with_offer(parts: Parts) -> None:
    cid, _ = _queued(parts)
    parts.clock.advance(181)
    assert parts.run(parts.service.expire()) == [cid]
    assert parts.store.conversations.get(cid).state is HandoffState.BOT  # type: ignore[union-attr]
    assert parts.presence.flags(cid).offline_offer is True
    assert parts.tracker.calls == [("resume", cid)]


def test_closed_desk_offers_a_request_and_leaving_one_clears_it(parts: Parts) -> None:
    parts.clock.set(CLOSED_TIME)
    conversation = parts.run(parts.service.start("nb"))
    assert parts.run(parts.service.request(conversation.id, None)) is False
    assert parts.presence.flags(conversation.id).offline_offer is True
    request_id = parts.run(parts.service.leave_request(conversation, "Ring meg", "ola@example.no"))
    assert [r.id for r in parts.store.requests.list()] == [request_id]
    assert parts.presence.flags(conversation.id).offline_offer is False


def test_settings_are_read_at_each_use(parts: Parts) -> None:
    kari = parts.store.users.add("kari", "Kari", STAFF_PASSWORD)
    parts.clock.set(CLOSED_TIME)
    parts.presence.mark_staff_seen(kari.id)
    assert not parts.service.desk_status().can_queue
    parts.settings[0] = replace(parts.settings[0], always_open=True)
    assert parts.service.desk_status().can_queue


@pytest.mark.parametrize(
    ("replies", "handoff", "senders"),
    [
        ([BotReply("Hei!")], False, ["citizen", "bot"]),
        ([], False, ["citizen", "system"]),  # the bot could not answer
        ([], "requested", ["citizen", "system"]),  # handoff without the action server
    ],
)
def test_bot_turn(parts: Parts, replies: list[BotReply], handoff: Any, senders: list[str]) -> None:
    conversation = parts.run(parts.service.start("nn"))
    incoming = parts.run(parts.service.receive(conversation.id, "hei"))
    parts.run(
        parts.service.bot_turn(
            conversation.id, incoming.message.id, replies, handoff=handoff, intent="greet"
        )
    )
    assert [s for s, _ in parts.texts(conversation.id)] == senders
    assert parts.store.messages.transcript(conversation.id)[0].intent == "greet"


def test_delete_forgets_the_tracker(parts: Parts) -> None:
    conversation = parts.run(parts.service.start("nn"))
    parts.run(parts.service.delete(conversation.id))
    assert parts.store.conversations.get(conversation.id) is None
    assert parts.tracker.calls == [("forget", conversation.id)]


# --- perf2: a widget turn costs two handoff transactions, with the same outcome ---------------


def _checkouts(parts: Parts) -> list[int]:
    count = [0]

    def checkout(*_: Any) -> None:
        count[0] += 1

    sa_event.listen(parts.store.engine, "checkout", checkout)
    return count


@pytest.mark.parametrize(
    ("replies", "language", "expected"),
    [
        ([BotReply("Hei!"), BotReply("", {"buttons": []})], None, [("bot", "Hei!"), ("bot", "")]),
        ([BotReply("Hei!")], "nb", [("bot", "Hei!")]),
        ([], "nb", [("system", "chat_bot_unavailable nb")]),  # rendered in the new language
        ([], None, [("system", "chat_bot_unavailable nn")]),
    ],
)
def test_a_bot_turn_is_two_transactions(
    parts: Parts,
    kb: KnowledgeBase,
    replies: list[BotReply],
    language: str | None,
    expected: list[tuple[str, str]],
) -> None:
    conversation = parts.run(parts.service.start("nn"))
    count = _checkouts(parts)
    incoming = parts.run(parts.service.receive(conversation.id, "hei"))
    stored = parts.run(
        parts.service.bot_turn(
            conversation.id, incoming.message.id, replies, intent="greet", confidence=0.8,
            language=language,
        )
    )  # fmt: skip
    assert count[0] == 2
    phone = kb.contact.phone
    unavailable = {
        f"chat_bot_unavailable {lang}": render("chat_bot_unavailable", lang, phone=phone)
        for lang in ("nn", "nb")
    }
    assert [(m.sender.value, m.text) for m in stored] == [
        (sender, unavailable.get(text, text)) for sender, text in expected
    ]
    transcript = parts.store.messages.transcript(conversation.id)
    assert transcript[1:] == stored
    assert (transcript[0].intent, transcript[0].confidence) == ("greet", 0.8)
    current = parts.store.conversations.get(conversation.id)
    assert current is not None and current.language.value == (language or "nn")


def test_a_bot_turn_while_the_citizen_waits_stores_nothing(parts: Parts) -> None:
    cid, _ = _queued(parts)
    incoming = parts.run(parts.service.receive(cid, "er de der?"))
    assert not incoming.bot_may_speak
    before = parts.texts(cid)
    stored = parts.run(
        parts.service.bot_turn(cid, incoming.message.id, [BotReply("Hei!")], handoff="requested")
    )
    assert stored == []
    assert parts.texts(cid) == before
