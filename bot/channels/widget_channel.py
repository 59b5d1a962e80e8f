"""The citizen chat API (``/webhooks/alver/...``) and the widget's static files (``/widget/...``).

HTTP translation only (contract: ``docs/chat-api.md``): every change is a verb of
:class:`bot.handoff.service.HandoffService`. A citizen message is stored first; only
when the state machine says the bot may speak is the text (or the pressed button's
payload) passed to Rasa, and its answer is stored by the service, which also hands off
when the bot asked to (or when the citizen asked for a person and the action server
could not answer, see :func:`bot.web.rasa_turn.read_tracker`).

Register in ``credentials.yml``::

    bot.channels.widget_channel.WidgetChannel: {}
    bot.channels.widget_channel.WidgetStaticChannel: {}
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import rasa_patches
from bot.channels import widget_static
from bot.handoff.records import Language, Message
from bot.handoff.store import MAX_QUESTION_LENGTH
from bot.web import buttons, views
from bot.web.app import install
from bot.web.auth import Citizen, citizen_route, rate_limit
from bot.web.console_history import clean_page
from bot.web.cors import install_cors
from bot.web.http import (
    ApiError,
    add_routes,
    check_length,
    client_ip,
    long_poll,
    optional_str,
    parse_json_object,
    query_int,
    required_str,
)
from bot.web.rasa_turn import ask_rasa, in_order, read_tracker, translate_replies
from bot.web.state import get_state

__all__ = ["WidgetChannel", "WidgetStaticChannel"]

# Registered in credentials.yml under this module's name; defined next door.
WidgetStaticChannel = widget_static.WidgetStaticChannel

logger = logging.getLogger(__name__)
rasa_patches.install()  # action timeout, no error bodies in logs (see the module)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
_BUTTON_PAYLOAD_RE = re.compile(r"/[A-Za-z0-9_]{1,100}(\{.{0,400}\})?", re.DOTALL)
_MAX_ID = 2**62
_LANGUAGES = {lang.value for lang in Language}


async def health(request: Request) -> HTTPResponse:
    """``GET /webhooks/alver/``."""
    return response.json({"status": "ok"})


async def create_conversation(request: Request) -> HTTPResponse:
    """``POST /conversations``."""
    state = get_state(request.app)
    rate_limit(state.ip_limiter.hit("ip:" + client_ip(request)))
    data = parse_json_object(request, allow_empty=True)
    language = optional_str(data, "language") or "nn"
    if language not in _LANGUAGES:
        raise ApiError(400, "invalid_field", "'language' must be 'nn' or 'nb'.", field="language")
    conversation = await state.service.start(language)
    if page := clean_page(data.get("page")):  # the start page, shown in the console's queue
        await state.run(state.presence.set_page, conversation.id, page)
    token = state.tokens.issue(conversation.id)
    body = {"conversation_id": conversation.id, "token": token, "state": conversation.state.value}
    return response.json(body, status=201)


@citizen_route
async def post_message(
    request: Request, citizen: Citizen, *, on_new_message: OnNewMessage
) -> HTTPResponse:
    """``POST /conversations/<id>/messages``: store, ask the bot if it may speak, answer."""
    state, conversation = citizen.state, citizen.conversation
    conversation_id = conversation.id
    body = parse_json_object(request)
    text, button = required_str(body, "text"), optional_str(body, "payload")
    check_length(text, state.settings.max_message_chars)
    if button is not None and not _BUTTON_PAYLOAD_RE.fullmatch(button):
        raise ApiError(
            400,
            "invalid_field",
            "The field 'payload' must be a button payload like '/affirm'.",
            field="payload",
        )
    if button is not None:  # only a button the bot offered, with its title (bot.web.buttons)
        history = await state.run(state.store.messages.latest, conversation_id)
        button = buttons.offered_payload(history, text, button)
    rate_limit(state.conversation_limiter.hit("conv:" + conversation_id))
    async with in_order(conversation_id):  # two messages at once: one after the other
        # The service masks personal data: only the stored (masked) text goes on to Rasa.
        incoming = await state.service.receive(conversation_id, text, button)
        messages: list[Message] = [incoming.message, *incoming.notices]
        if incoming.bot_may_speak:
            rasa_text = button or buttons.typed_text(incoming.message.text)  # the masked text
            turn = ask_rasa(on_new_message, conversation, rasa_text, WidgetChannel.name())
            collected = await rasa_patches.in_time(turn, state.settings.bot_turn_timeout_seconds)
            info = await read_tracker(getattr(request.app.ctx, "agent", None), conversation_id)
            replies, handoff = translate_replies(collected)
            if not replies and handoff is False and info.wants_person:
                # No answer, but the citizen asked for a person: hand off as if the bot had.
                handoff = info.wants_person
            messages += await state.service.bot_turn(
                conversation_id,
                incoming.message.id,
                replies,
                handoff=handoff,
                intent=info.intent,
                confidence=info.confidence,
                language=info.language,
            )
    current = await state.run(state.store.conversations.get, conversation_id)
    if current is None:
        raise ApiError(404, "not_found", "This conversation was deleted.")
    view = await state.run(views.citizen_view, state, current)
    visible = [views.message_json(m) for m in messages if views.shown_to_citizen(m)]
    return response.json(
        {
            "messages": visible,
            "state": view["state"],
            "queue": view["queue"],
            "staff": view["staff"],
            "offline_offer": view["offline_offer"],
            "view_tag": views.citizen_view_tag(view),
        }
    )


@citizen_route
async def events(request: Request, citizen: Citizen) -> HTTPResponse:
    """``GET /conversations/<id>/events``: long-poll for messages and state changes."""
    state = citizen.state
    conversation_id = citizen.conversation.id
    await state.run(state.presence.mark_citizen_seen, conversation_id)  # the citizen is here
    after = query_int(request, "after", 0, 0, _MAX_ID)
    wait_max = state.settings.long_poll_seconds
    wait = query_int(request, "wait", wait_max, 0, wait_max)
    seen = views.seen_view_tag(request.args.get("seen"))

    async def snapshot() -> tuple[list[Message], dict[str, Any]]:
        found = await state.run(views.citizen_events, state, conversation_id, after)
        if found is None:
            raise ApiError(404, "not_found", "This conversation was deleted.")
        return found

    ready = views.citizen_poll_ready(seen)
    messages, view = await long_poll(state.notifier, wait, snapshot, ready)
    tag = views.citizen_view_tag(view)
    return response.json(
        {"messages": [views.message_json(m) for m in messages], **view, "view_tag": tag}
    )


@citizen_route
async def citizen_typing(request: Request, citizen: Citizen) -> HTTPResponse:
    """``POST /conversations/<id>/typing``."""
    state = citizen.state
    conversation_id = citizen.conversation.id
    parse_json_object(request, allow_empty=True)
    await state.run(state.presence.set_citizen_typing, conversation_id)
    state.notifier.notify()
    return response.empty(status=204)


def _feedback_fields(body: dict[str, Any]) -> tuple[int, int]:
    message_id, value = body.get("message_id"), body.get("value")
    for name, given in (("message_id", message_id), ("value", value)):
        if given is None:
            raise ApiError(400, "missing_field", f"The field '{name}' is required.", field=name)
    if (
        isinstance(message_id, bool)
        or not isinstance(message_id, int)
        or not 0 < message_id <= _MAX_ID
    ):
        raise ApiError(
            400, "invalid_field", "'message_id' must be a positive integer.", field="message_id"
        )
    if isinstance(value, bool) or value not in (1, -1):
        raise ApiError(400, "invalid_field", "'value' must be 1 or -1.", field="value")
    return message_id, int(value)


@citizen_route
async def feedback(request: Request, citizen: Citizen) -> HTTPResponse:
    """``POST /conversations/<id>/feedback``."""
    state = citizen.state
    conversation_id = citizen.conversation.id
    message_id, value = _feedback_fields(parse_json_object(request))
    try:
        await state.service.feedback(conversation_id, message_id, value)
    except ValueError:
        raise ApiError(
            400,
            "invalid_field",
            "Feedback is only possible on bot and staff messages.",
            field="message_id",
        ) from None
    return response.empty(status=204)


@citizen_route
async def transcript(request: Request, citizen: Citizen) -> HTTPResponse:
    """``GET /conversations/<id>/transcript``: plain-text download."""
    state, conversation = citizen.state, citizen.conversation
    text = await state.run(views.transcript_text, state, conversation)
    day = conversation.created_at.strftime("%Y%m%d")
    headers = {
        "Content-Disposition": f'attachment; filename="alver-chat-{day}.txt"',
        "Cache-Control": "no-store",
    }
    return response.text(text, content_type="text/plain; charset=utf-8", headers=headers)


@citizen_route
async def offline_request(request: Request, citizen: Citizen) -> HTTPResponse:
    """``POST /conversations/<id>/offline-request``."""
    state, conversation = citizen.state, citizen.conversation
    body = parse_json_object(request)
    question = required_str(body, "question")
    if body.get("contact") is None:
        raise ApiError(400, "missing_field", "The field 'contact' is required.", field="contact")
    contact = optional_str(body, "contact") or ""
    check_length(question, MAX_QUESTION_LENGTH, "question", "question")
    rate_limit(state.conversation_limiter.hit("conv:" + conversation.id))
    request_id = await state.service.leave_request(conversation, question, contact)
    return response.json({"request_id": request_id}, status=201)


@citizen_route
async def cancel_waiting(request: Request, citizen: Citizen) -> HTTPResponse:
    """``POST /conversations/<id>/cancel-waiting``."""
    state = citizen.state
    conversation_id = citizen.conversation.id
    parse_json_object(request, allow_empty=True)
    new_state = await state.service.cancel(conversation_id)
    return response.json({"state": new_state.value})


@citizen_route
async def delete_conversation(request: Request, citizen: Citizen) -> HTTPResponse:
    """``DELETE /conversations/<id>``."""
    state = citizen.state
    conversation_id = citizen.conversation.id
    await state.service.delete(conversation_id)
    return response.empty(status=204)


class WidgetChannel(InputChannel):
    """The citizen chat API at ``/webhooks/alver`` (see docs/chat-api.md)."""

    @classmethod
    def name(cls) -> str:
        """Channel name used in Rasa (``input_channel`` of user messages)."""
        return "alver"

    def url_prefix(self) -> str:
        """Absolute prefix: Rasa joins it with ``/webhooks/``, which keeps it as is."""
        return "/webhooks/alver"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Build the citizen API blueprint."""
        bp = Blueprint("alver_widget_api")
        install(bp)
        install_cors(bp, widget_static.cors_policy)
        conv = "/conversations/<conversation_id:str>"
        post = functools.partial(post_message, on_new_message=on_new_message)
        routes: list[tuple[str, dict[str, Any], str | None]] = [
            ("/", {"GET": health}, "alver_widget_health"),
            ("/conversations", {"POST": create_conversation}, None),
            (conv, {"DELETE": delete_conversation}, "alver_widget_conversation"),
            (conv + "/messages", {"POST": post}, None),
            (conv + "/events", {"GET": events}, None),
            (conv + "/typing", {"POST": citizen_typing}, None),
            (conv + "/feedback", {"POST": feedback}, None),
            (conv + "/transcript", {"GET": transcript}, None),
            (conv + "/offline-request", {"POST": offline_request}, None),
            (conv + "/cancel-waiting", {"POST": cancel_waiting}, None),
            ("/<rest:path>", {}, "alver_widget_not_found"),
        ]
        for path, handlers, name in routes:
            add_routes(bp, path, handlers, cors=True, name=name)
        return bp
