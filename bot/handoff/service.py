"""The handoff application layer: every move of a conversation between bot and staff.

Each public method of :class:`HandoffService` is one verb: one state transition (or
one write) together with all its side effects, in one place:

* the ``system`` message the citizen sees (from the catalogue, :func:`bot.messages.render`),
* the presence flags (offline offer, staff typing),
* Rasa's tracker (paused while a person has the conversation, see :class:`TrackerPort`),
* waking the long-polls of this process (``notifier.notify()``).

Channels translate HTTP into these verbs and nothing else. The service knows no web
framework: its collaborators come in through the constructor. The blocking database
work runs in a worker thread; the verbs are coroutines.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.desk import DeskStatus, chat_desk_status
from bot.handoff.errors import ConversationNotFound
from bot.handoff.ports import (
    BotReply,
    Notifier,
    NoTracker,
    PresencePort,
    Refused,
    ServiceSettings,
    TrackerPort,
)
from bot.handoff.records import (
    Conversation,
    IncomingMessage,
    Message,
    Note,
    Sender,
    StaffUser,
)
from bot.handoff.states import Event, HandoffState, InvalidTransition
from bot.handoff.store import MAX_MESSAGE_LENGTH, MAX_QUESTION_LENGTH, HandoffStore, staff_actor
from bot.handoff.turns import NewMessage
from bot.kb.hours import OSLO
from bot.kb.models import KnowledgeBase
from bot.messages import moment_label, render
from bot.privacy import WARNING_MESSAGE, mask_citizen_text, warning_texts

__all__ = [
    "BotReply",
    "HandoffService",
    "NoTracker",
    "Notifier",
    "PresencePort",
    "Refused",
    "ServiceSettings",
    "TrackerPort",
]

T = TypeVar("T")


class HandoffService:
    """The verbs of the handoff (see the module docstring)."""

    def __init__(
        self,
        store: HandoffStore,
        presence: PresencePort,
        notifier: Notifier,
        clock: Callable[[], datetime],
        knowledge_base: Callable[[], KnowledgeBase],
        settings: Callable[[], ServiceSettings],
        tracker: TrackerPort | None = None,
    ) -> None:
        """Create the service.

        Args:
            store: The handoff database.
            presence: Presence and conversation flags.
            notifier: Wakes the long-polls after every change.
            clock: The aware UTC "now".
            knowledge_base: Returns the current knowledge base (phone, hours).
            settings: Returns the current settings (read at each use).
            tracker: Rasa's tracker (default: none).
        """
        self.store = store
        self.presence = presence
        self.notifier = notifier
        self.clock = clock
        self.knowledge_base = knowledge_base
        self.settings = settings
        self.tracker: TrackerPort = tracker or NoTracker()

    async def _run(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, functools.partial(function, *args))

    async def _change(self, function: Callable[..., T], *args: Any) -> T:
        """Run a blocking change in a worker thread, then wake the long-polls."""
        result = await self._run(function, *args)
        self.notifier.notify()
        return result

    # ----- helpers (blocking) -------------------------------------------------

    def _system(
        self, conversation_id: str, message_name: str, language: str, /, **values: Any
    ) -> Message:
        text = render(message_name, language, **values)
        return self.store.messages.add(conversation_id, Sender.SYSTEM, text)

    def _load(self, conversation_id: str) -> Conversation:
        conversation = self.store.conversations.get(conversation_id)
        if conversation is None:
            raise ConversationNotFound(conversation_id)
        return conversation

    def _held_by(self, conversation_id: str, user: StaffUser, action: str) -> Conversation:
        conversation = self._load(conversation_id)
        if conversation.state is not HandoffState.WITH_HUMAN or conversation.claimed_by != user.id:
            raise Refused(
                "not_claimed_by_you",
                f"Only the staff member who took the conversation may {action}.",
            )
        return conversation

    def desk_status(self) -> DeskStatus:
        """Whether citizens can be queued now (hours from the knowledge base, staff present)."""
        settings = self.settings()
        present = self.presence.staff_present(timedelta(seconds=settings.staff_presence_seconds))
        return chat_desk_status(
            self.knowledge_base(),
            self.clock(),
            staff_present=present,
            always_open=settings.always_open,
        )

    # ----- citizen ------------------------------------------------------------

    async def start(self, language: str) -> Conversation:
        """A citizen opens a conversation."""
        return await self._run(self.store.conversations.create, language)

    async def receive(
        self, conversation_id: str, text: str, button: str | None = None
    ) -> IncomingMessage:
        """Store a citizen message (reopens a closed conversation); tells if the bot may answer.

        Personal data in ``text`` is masked first (:mod:`bot.privacy`): the stored
        message, and so the text to pass on to Rasa, is ``incoming.message.text``. The
        first time something is masked in a conversation, the citizen is told why
        (``incoming.notices``).
        """
        payload = {"button": button} if button else None
        incoming = await self._run(self._receive, conversation_id, text, payload)
        self.notifier.notify()
        return incoming

    def _receive(
        self, conversation_id: str, text: str, payload: dict[str, str] | None
    ) -> IncomingMessage:
        kb = self.knowledge_base()

        def prepare(language: str) -> tuple[str, bool]:
            masked = mask_citizen_text(text, language, kb)
            return masked.text[:MAX_MESSAGE_LENGTH], masked.changed

        incoming, language, changed = self.store.turns.receive(
            conversation_id, prepare, payload=payload
        )
        if changed:
            notice = self._warn_once(conversation_id, language)
            if notice is not None:
                incoming = dataclasses.replace(incoming, notices=(notice,))
        return incoming

    def _warn_once(self, conversation_id: str, language: str) -> Message | None:
        """Tell the citizen that personal data was removed, unless already told."""
        told = warning_texts()
        if any(m.text in told for m in self.store.messages.after(conversation_id, 0)):
            return None
        return self._system(conversation_id, WARNING_MESSAGE, language)

    async def bot_turn(
        self,
        conversation_id: str,
        citizen_message_id: int,
        replies: Sequence[BotReply],
        *,
        handoff: str | None | bool = False,
        intent: str | None = None,
        confidence: float | None = None,
        language: str | None = None,
    ) -> list[Message]:
        """Store what the bot answered, and hand off if the bot asked to.

        Args:
            conversation_id: The conversation.
            citizen_message_id: The citizen message the bot answered (gets the NLU result).
            replies: The bot's messages to store (already without the "call us" text a
                handoff replaces).
            handoff: False for no handoff; else the handoff reason (or None).
            intent: The intent Rasa recognised.
            confidence: Its confidence.
            language: The language Rasa detected, if it set the slot.

        Returns:
            The stored bot and system messages, in order. No reply at all stores the
            "the bot is unavailable, call us" system message.
        """
        stored = await self._run(
            self._bot_turn,
            conversation_id,
            citizen_message_id,
            list(replies),
            handoff,
            intent,
            confidence,
            language,
        )
        self.notifier.notify()
        return stored

    def _bot_turn(
        self,
        conversation_id: str,
        citizen_message_id: int,
        replies: list[BotReply],
        handoff: str | None | bool,
        intent: str | None,
        confidence: float | None,
        language: str | None,
    ) -> list[Message]:
        def compose(conversation: Conversation) -> list[NewMessage]:
            if replies or handoff is not False:
                return [NewMessage(Sender.BOT, r.text, r.payload) for r in replies]
            phone = self.knowledge_base().contact.phone
            text = render("chat_bot_unavailable", conversation.language.value, phone=phone)
            return [NewMessage(Sender.SYSTEM, text)]

        nlu = (intent, confidence) if intent is not None or confidence is not None else None
        conversation, stored = self.store.turns.bot_replies(
            conversation_id, citizen_message_id, compose, nlu=nlu, language=language
        )
        if conversation is None or not conversation.bot_may_speak or handoff is False:
            return stored  # stored nothing if a person took over (or the citizen queued)
        before = stored[-1].id if stored else citizen_message_id
        self._request(conversation_id, handoff if isinstance(handoff, str) else None)
        stored.extend(self.store.messages.after(conversation_id, before))
        return stored

    async def request(self, conversation_id: str, reason: str | None) -> bool:
        """The bot hands off: queue the citizen if the desk can take them, else offer a request.

        Returns:
            True if the citizen waits in the queue; False if offered an offline request.
        """
        return await self._change(self._request, conversation_id, reason)

    def _request(self, conversation_id: str, reason: str | None) -> bool:
        conversation = self._load(conversation_id)
        language = conversation.language.value
        kb = self.knowledge_base()
        desk = self.desk_status()
        if desk.can_queue:
            try:
                self.store.conversations.transition(
                    conversation_id, Event.REQUEST_HUMAN, "bot", reason=(reason or "")[:200] or None
                )
            except InvalidTransition:
                return conversation.state is HandoffState.WAITING
            self.presence.set_offline_offer(conversation_id, False)
            self._system(conversation_id, "chat_handoff_queued", language)
            return True
        if not desk.open_now:
            upcoming = desk.hours.next_opening
            now_local = self.clock().astimezone(OSLO)
            label = moment_label(upcoming, language, now_local) if upcoming is not None else "–"
            self._system(
                conversation_id, "chat_handoff_closed", language, next=label, phone=kb.contact.phone
            )
        else:
            self._system(conversation_id, "chat_handoff_no_staff", language, phone=kb.contact.phone)
        self.presence.set_offline_offer(conversation_id, True)
        return False

    async def cancel(self, conversation_id: str) -> HandoffState:
        """The citizen stops waiting; the bot answers again."""
        return await self._change(self._cancel, conversation_id)

    def _cancel(self, conversation_id: str) -> HandoffState:
        conversation = self._load(conversation_id)
        if conversation.state is HandoffState.BOT:
            return HandoffState.BOT
        if conversation.state is not HandoffState.WAITING:
            raise Refused(
                "not_waiting",
                f"The conversation is '{conversation.state.value}', not waiting.",
                state=conversation.state,
            )
        new = self.store.conversations.transition(
            conversation_id, Event.CANCEL, "citizen", reason="cancelled"
        )
        self._system(conversation_id, "chat_waiting_cancelled", conversation.language.value)
        return new

    async def leave_request(self, conversation: Conversation, question: str, contact: str) -> int:
        """The citizen leaves a question for staff (offline request); leaves the queue if in it.

        Returns:
            The id of the offline request.
        """
        return await self._change(self._leave_request, conversation, question, contact)

    def _leave_request(self, conversation: Conversation, question: str, contact: str) -> int:
        # The contact is what the citizen chose to give for this request: kept as given,
        # and deleted with the request. Personal numbers in the question are masked.
        language = conversation.language.value
        masked = mask_citizen_text(question, language, self.knowledge_base())
        offline = self.store.requests.create(
            masked.text[:MAX_QUESTION_LENGTH],
            contact,
            conversation.language,
            conversation_id=conversation.id,
        )
        if masked.changed:
            self._warn_once(conversation.id, language)
        current = self.store.conversations.get(conversation.id)
        if current is not None and current.state is HandoffState.WAITING:
            try:
                self.store.conversations.transition(
                    conversation.id, Event.CANCEL, "citizen", reason="left an offline request"
                )
            except ValueError:
                pass  # claimed or changed meanwhile
        self.presence.set_offline_offer(conversation.id, False)
        self._system(conversation.id, "chat_offline_received", conversation.language.value)
        return offline.id

    async def feedback(self, conversation_id: str, message_id: int, value: int) -> None:
        """The citizen rates a bot or staff message (1 or -1)."""
        await self._run(self.store.messages.set_feedback, message_id, conversation_id, value)

    async def delete(self, conversation_id: str) -> None:
        """The citizen deletes the conversation and everything stored with it."""
        await self._run(self.store.conversations.delete, conversation_id)
        await self._run(self.presence.delete_conversation, conversation_id)
        await self.tracker.forget(conversation_id)
        self.notifier.notify()

    # ----- staff ----------------------------------------------------------------

    async def claim(self, conversation_id: str, user: StaffUser) -> None:
        """A staff member takes a waiting conversation (exactly one wins a race)."""
        await self._run(self._claim, conversation_id, user)
        await self.tracker.pause(conversation_id)
        self.notifier.notify()

    def _claim(self, conversation_id: str, user: StaffUser) -> None:
        conversation = self._load(conversation_id)
        if not self.store.conversations.claim(conversation_id, user.id):
            current = self._load(conversation_id)
            if current.state is HandoffState.BOT:
                raise Refused(
                    "not_waiting", "The citizen is no longer waiting.", state=current.state
                )
            raise Refused(
                "already_claimed",
                "Another staff member took this conversation first.",
                state=current.state,
            )
        self.presence.set_offline_offer(conversation_id, False)
        self._system(
            conversation_id,
            "chat_staff_joined",
            conversation.language.value,
            name=user.first_name,
        )

    async def reply(self, conversation_id: str, user: StaffUser, text: str) -> Message:
        """The staff member who has the conversation writes to the citizen."""
        return await self._change(self._reply, conversation_id, user, text)

    def _reply(self, conversation_id: str, user: StaffUser, text: str) -> Message:
        self._held_by(conversation_id, user, "reply")
        message = self.store.messages.add(
            conversation_id, Sender.STAFF, text, staff_user_id=user.id
        )
        self.presence.set_staff_typing(conversation_id, False)
        return message

    async def staff_typing(self, conversation_id: str, user: StaffUser) -> None:
        """The staff member who has the conversation is typing."""
        await self._run(self._held_by, conversation_id, user, "type in it")
        await self._run(self.presence.set_staff_typing, conversation_id, True)
        self.notifier.notify()

    async def note(self, conversation_id: str, user: StaffUser, text: str) -> Note:
        """An internal note on a conversation (staff only)."""
        await self._run(self._load, conversation_id)
        return await self._change(self.store.notes.add, conversation_id, user.id, text)

    async def hand_back(self, conversation_id: str, user: StaffUser) -> HandoffState:
        """The staff member gives the conversation back to the bot."""
        state = await self._run(self._hand_back, conversation_id, user)
        await self.tracker.resume(conversation_id)
        self.notifier.notify()
        return state

    def _hand_back(self, conversation_id: str, user: StaffUser) -> HandoffState:
        conversation = self._held_by(conversation_id, user, "hand it back")
        new = self.store.conversations.transition(
            conversation_id, Event.HAND_BACK, staff_actor(user.username)
        )
        self.presence.set_staff_typing(conversation_id, False)
        self._system(
            conversation_id, "chat_hand_back", conversation.language.value, name=user.first_name
        )
        return new

    async def close(self, conversation_id: str, user: StaffUser) -> HandoffState:
        """Staff close the conversation (the citizen's next message reopens it with the bot)."""
        state = await self._run(self._close, conversation_id, user)
        await self.tracker.resume(conversation_id)
        self.notifier.notify()
        return state

    def _close(self, conversation_id: str, user: StaffUser) -> HandoffState:
        conversation = self._load(conversation_id)
        if conversation.state is HandoffState.WITH_HUMAN and conversation.claimed_by != user.id:
            raise Refused(
                "not_claimed_by_you",
                "Only the staff member who took the conversation may close it.",
            )
        new = self.store.conversations.transition(
            conversation_id, Event.CLOSE, staff_actor(user.username)
        )
        self.presence.set_staff_typing(conversation_id, False)
        self._system(conversation_id, "chat_closed", conversation.language.value)
        return new

    async def mark_answered(self, request_id: int, user: StaffUser) -> bool:
        """Staff mark an offline request as answered; False if it already was."""
        return await self._change(self.store.requests.mark_answered, request_id, user.id)

    # ----- background jobs ------------------------------------------------------

    async def expire(self) -> list[str]:
        """Send waiting conversations back to the bot when nobody can take them.

        A conversation goes back after ``HANDOFF_CLAIM_TIMEOUT_SECONDS``, or at once
        when the desk has closed or no staff member is signed in any more (the
        citizen is never left waiting in an empty queue). Each citizen gets a
        ``system`` message and the offline offer.

        Returns:
            The ids of the conversations sent back.
        """
        moved = await self._run(self._expire)
        for conversation_id in moved:
            await self.tracker.resume(conversation_id)
        if moved:
            self.notifier.notify()
        return moved

    def _expire(self) -> list[str]:
        desk = self.desk_status()
        timeout = self.settings().handoff_claim_timeout_seconds
        older_than = timedelta(seconds=timeout) if desk.can_queue else timedelta(0)
        moved = self.store.conversations.expire_waiting(older_than)
        phone = self.knowledge_base().contact.phone
        for conversation_id in moved:
            conversation = self.store.conversations.get(conversation_id)
            if conversation is None:
                continue
            try:
                self._system(
                    conversation_id,
                    "chat_handoff_timeout",
                    conversation.language.value,
                    phone=phone,
                )
                self.presence.set_offline_offer(conversation_id, True)
            except ConversationNotFound:  # deleted meanwhile
                continue
        return moved

    async def purge(self, retention: timedelta) -> None:
        """Delete conversations and requests past the retention period."""
        await self._run(self.store.retention.purge_older_than, retention)
