"""The console's working-day verbs: status and capacity, claim within capacity, transfer,
back to the queue, and a citizen who left.

They complete :class:`bot.handoff.service.HandoffService` (which is at its size limit):
each is one move with all its side effects (system message, presence, notify), run on
the service's store, presence and notifier.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from .canned import CannedReply
from .errors import ConversationNotFound
from .ports import Refused
from .records import Note, StaffUser
from .service import HandoffService
from .staffing import StaffStatus, check_status
from .states import Event, HandoffState, InvalidTransition

__all__ = [
    "citizen_left",
    "claim_within_capacity",
    "delete_canned",
    "save_canned",
    "requeue",
    "set_status",
    "transfer",
]

_PENDING: set[asyncio.Task[None]] = set()


def _cutoff(service: HandoffService) -> datetime:
    return service.clock() - timedelta(seconds=service.settings().staff_presence_seconds)


def _status(service: HandoffService, user_id: int) -> StaffStatus | None:
    return service.store.staffing.get(user_id)


async def set_status(
    service: HandoffService, user: StaffUser, status: str, max_chats: int | None
) -> StaffStatus:
    """A staff member sets themselves available, on a break or busy (and their chat limit).

    Raises:
        ValueError: If the status is unknown or the limit out of range.
    """
    check_status(status, max_chats)
    await service._run(service.store.staffing.set_status, user.id, status, max_chats)
    found = await service._run(_status, service, user.id)
    service.notifier.notify()  # the queue and the desk status change with it
    if found is None:
        raise Refused("forbidden", "Your user is deactivated.")
    return found


def _check_takes_chats(service: HandoffService, user_id: int, mine: bool) -> StaffStatus:
    found = _status(service, user_id)
    if found is None:
        raise Refused("colleague_unknown", "No active staff member with that id.")
    who = "You are" if mine else f"{found.first_name} is"
    if found.status != "available":
        code = "not_available" if mine else "colleague_unavailable"
        raise Refused(code, f"{who} not available (status '{found.status}').")
    if found.active_chats >= found.max_chats:
        code = "at_capacity" if mine else "colleague_unavailable"
        raise Refused(code, f"{who} at the limit of {found.max_chats} concurrent chats.")
    if not mine and not found.present(_cutoff(service)):
        raise Refused("colleague_unavailable", f"{found.first_name} is not signed in.")
    return found


async def claim_within_capacity(
    service: HandoffService, conversation_id: str, user: StaffUser
) -> None:
    """Claim a waiting conversation, if the staff member is available and below their limit."""
    await service._run(_check_takes_chats, service, user.id, True)
    await service.claim(conversation_id, user)


async def transfer(
    service: HandoffService,
    conversation_id: str,
    user: StaffUser,
    to_user_id: int,
    note: str | None,
) -> StaffUser:
    """Pass a held conversation to a named colleague who takes chats now, with a note.

    Returns:
        The colleague.
    """
    colleague = await service._run(_transfer, service, conversation_id, user, to_user_id, note)
    service.notifier.notify()
    return colleague


def _transfer(
    service: HandoffService,
    conversation_id: str,
    user: StaffUser,
    to_user_id: int,
    note: str | None,
) -> StaffUser:
    conversation = service._held_by(conversation_id, user, "transfer it")
    if to_user_id == user.id:
        raise Refused("same_staff", "You already have this conversation; choose a colleague.")
    colleague = service.store.users.get(to_user_id)
    if colleague is None or not colleague.active:
        raise Refused("colleague_unknown", "No active staff member with that id.")
    _check_takes_chats(service, to_user_id, False)
    if not service.store.transfers.transfer(conversation_id, user, colleague):
        raise Refused(
            "not_claimed_by_you", "Only the staff member who has the conversation may transfer it."
        )
    _note(service, conversation_id, user, note)
    service.presence.set_staff_typing(conversation_id, False)
    service._system(
        conversation_id,
        "chat_transferred",
        conversation.language.value,
        name=colleague.first_name,
    )
    return colleague


def _note(
    service: HandoffService, conversation_id: str, user: StaffUser, note: str | None
) -> Note | None:
    if note and note.strip():
        return service.store.notes.add(conversation_id, user.id, note.strip())
    return None


async def requeue(
    service: HandoffService, conversation_id: str, user: StaffUser, note: str | None
) -> HandoffState:
    """Put a held conversation back in the queue for anyone to take, with a note."""
    state = await service._run(_requeue, service, conversation_id, user, note)
    service.notifier.notify()
    return state


def _requeue(
    service: HandoffService, conversation_id: str, user: StaffUser, note: str | None
) -> HandoffState:
    conversation = service._held_by(conversation_id, user, "put it back in the queue")
    if not service.store.transfers.requeue(conversation_id, user):
        raise Refused(
            "not_claimed_by_you",
            "Only the staff member who has the conversation may put it back in the queue.",
        )
    _note(service, conversation_id, user, note)
    service.presence.set_staff_typing(conversation_id, False)
    service._system(conversation_id, "chat_requeued", conversation.language.value)
    return HandoffState.WAITING


async def citizen_left(service: HandoffService, conversation_id: str, grace: float) -> None:
    """The citizen closed the tab: mark it; a waiting citizen leaves the queue.

    Args:
        service: The handoff service.
        conversation_id: The conversation.
        grace: Seconds to wait before taking a waiting citizen out of the queue; if the
            widget polls again meanwhile (a page change on the same site), they stay.
    """
    await service._run(service.presence.mark_citizen_left, conversation_id)  # type: ignore[attr-defined]
    service.notifier.notify()
    if grace <= 0:
        await _drop_if_gone(service, conversation_id)
        return
    task = asyncio.get_running_loop().create_task(_later(service, conversation_id, grace))
    _PENDING.add(task)
    task.add_done_callback(_PENDING.discard)


async def _later(service: HandoffService, conversation_id: str, grace: float) -> None:
    await asyncio.sleep(grace)
    await _drop_if_gone(service, conversation_id)


async def _drop_if_gone(service: HandoffService, conversation_id: str) -> None:
    moved = await service._run(_drop, service, conversation_id)
    if moved:
        await service.tracker.resume(conversation_id)
        service.notifier.notify()


def _drop(service: HandoffService, conversation_id: str) -> bool:
    try:
        conversation = service._load(conversation_id)
    except ConversationNotFound:
        return False
    context = service.presence.context(conversation_id)  # type: ignore[attr-defined]
    if conversation.state is not HandoffState.WAITING or not context.left(service.clock()):
        return False
    try:
        service.store.conversations.transition(
            conversation_id, Event.CANCEL, "citizen", reason="the citizen left"
        )
    except (InvalidTransition, ValueError):
        return False  # claimed or changed meanwhile
    service._system(conversation_id, "chat_citizen_left", conversation.language.value)
    return True


# ----- staff-written canned replies ---------------------------------------------------


async def save_canned(
    service: HandoffService,
    reply_id: int | None,
    owner_id: int | None,
    title: str,
    text: str,
    language: str | None,
) -> CannedReply | None:
    """Add (``reply_id`` None) or change a staff-written canned reply (None: no such reply).

    Raises:
        ValueError: If the title or text is empty or too long, or the language unknown.
    """
    canned = service.store.canned
    if reply_id is None:
        return await service._run(canned.add, owner_id, title, text, language)
    if not await service._run(canned.update, reply_id, title, text, language):
        return None
    return await service._run(canned.get, reply_id)


async def delete_canned(service: HandoffService, reply_id: int) -> bool:
    """Delete a staff-written canned reply; False if there was none."""
    return await service._run(service.store.canned.delete, reply_id)
