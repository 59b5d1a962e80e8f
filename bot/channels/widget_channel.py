"""The citizen chat API (``/webhooks/alver/...``) and the widget's static files (``/widget/...``).

See ``docs/chat-api.md`` for the contract. Every citizen message is stored with
``HandoffStore.receive_citizen_message``; only when the state machine says the
bot may speak is the text (or the pressed button's payload) passed to Rasa. The
bot's replies are stored and returned; a handoff payload from the bot puts the
citizen in the staff queue or offers an offline request (see
:func:`bot.web.service.decide_handoff`).

Register in ``credentials.yml``::

    bot.channels.widget_channel.WidgetChannel: {}
    bot.channels.widget_channel.WidgetStaticChannel: {}
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.handoff.records import Conversation, IncomingMessage, Language, Message, Sender
from bot.handoff.states import Event, HandoffState
from bot.handoff.store import MAX_QUESTION_LENGTH
from bot.web import service, trackers
from bot.web.cors import CorsPolicy, install_cors
from bot.web.http import (
    ApiError,
    add_routes,
    client_ip,
    optional_str,
    parse_json_object,
    query_int,
    required_str,
    serve_static,
)
from bot.web.state import WebState, get_state, install

__all__ = ["WidgetChannel", "WidgetStaticChannel"]

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parents[1] / "web" / "static"
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
_BUTTON_PAYLOAD_RE = re.compile(r"/[A-Za-z0-9_]{1,100}(\{.{0,400}\})?", re.DOTALL)
_POLL_STEP_SECONDS = 1.0
_MAX_ID = 2**62


def _rate_limited(retry_after: float) -> ApiError:
    seconds = int(retry_after)
    return ApiError(
        429,
        "rate_limited",
        f"Too many requests; try again in {seconds} s.",
        headers={"Retry-After": str(seconds)},
        retry_after=seconds,
    )


def _cors_policy(request: Request) -> CorsPolicy:
    state = getattr(request.app.ctx, "alver_web", None)
    origins = state.settings.widget_allowed_origins if isinstance(state, WebState) else ()
    return CorsPolicy(origins)


def _check_ip(state: WebState, request: Request) -> None:
    wait = state.ip_limiter.hit("ip:" + client_ip(request))
    if wait:
        raise _rate_limited(wait)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def _authorised(request: Request, conversation_id: str) -> tuple[WebState, Conversation]:
    """Rate-limit by IP, check the bearer token, then load the conversation."""
    state = get_state(request.app)
    _check_ip(state, request)
    if not state.tokens.verify(conversation_id, _bearer(request)):
        raise ApiError(
            401,
            "unauthorized",
            "Send 'Authorization: Bearer <token>' with the token of this conversation.",
        )
    conversation = await state.run(state.store.get_conversation, conversation_id)
    if conversation is None:
        raise ApiError(404, "not_found", "This conversation does not exist (any more).")
    return state, conversation


def _check_conversation_rate(state: WebState, conversation_id: str) -> None:
    wait = state.conversation_limiter.hit("conv:" + conversation_id)
    if wait:
        raise _rate_limited(wait)


async def _tracker_info(
    app: Any, conversation_id: str
) -> tuple[str | None, float | None, str | None]:
    """Read the latest intent, its confidence and the language slot from Rasa's tracker.

    Returns:
        ``(intent, confidence, language)``; each None if unknown. The language is
        only returned once the bot has actually set the slot (so a conversation
        started in Bokmål is not switched to the slot's Nynorsk default).
    """
    agent = getattr(app.ctx, "agent", None)
    tracker_store = getattr(agent, "tracker_store", None)
    if tracker_store is None:
        return None, None, None
    try:
        tracker = await tracker_store.retrieve(conversation_id)
    except Exception:  # noqa: BLE001 - the intent is a nice-to-have
        logger.warning("Could not read the tracker of a conversation", exc_info=True)
        return None, None, None
    if tracker is None:
        return None, None, None
    intent_data = getattr(getattr(tracker, "latest_message", None), "intent", None) or {}
    name = intent_data.get("name") if isinstance(intent_data, dict) else None
    confidence = intent_data.get("confidence") if isinstance(intent_data, dict) else None
    intent = str(name)[:200] if name else None
    score = float(confidence) if isinstance(confidence, int | float) else None
    if score is not None and not 0.0 <= score <= 1.0:
        score = None
    language: str | None = None
    slot_was_set = any(
        getattr(event, "key", None) == "language" and type(event).__name__ == "SlotSet"
        for event in getattr(tracker, "events", ()) or ()
    )
    if slot_was_set:
        value = tracker.get_slot("language")
        if value in {lang.value for lang in Language}:
            language = str(value)
    return intent, score, language


def _forget_tracker(app: Any, conversation_id: str) -> None:
    """Drop Rasa's in-memory tracker of a deleted conversation (see bot.web.trackers)."""
    trackers.forget(getattr(app.ctx, "agent", None), conversation_id)


def _reply_payload(reply: dict[str, Any]) -> dict[str, Any] | None:
    payload: dict[str, Any] = {}
    buttons = reply.get("buttons")
    if isinstance(buttons, list) and buttons:
        payload["buttons"] = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in buttons
            if isinstance(b, dict)
        ]
    custom = reply.get("custom")
    if isinstance(custom, dict):
        payload["custom"] = custom
    links = [
        str(reply[key])
        for key in ("image", "attachment")
        if isinstance(reply.get(key), str) and str(reply[key]).startswith(("https://", "http://"))
    ]
    if links:
        payload["links"] = links
    return payload or None


def _handoff_of(reply: dict[str, Any]) -> dict[str, Any] | None:
    custom = reply.get("custom")
    if isinstance(custom, dict) and isinstance(custom.get("handoff"), dict):
        return dict(custom["handoff"])
    return None


def _store_bot_turn(
    state: WebState,
    conversation_id: str,
    citizen_message_id: int,
    replies: list[dict[str, Any]],
    intent: str | None,
    confidence: float | None,
    language: str | None,
) -> list[Message]:
    """Store what Rasa answered (blocking; runs in a worker thread).

    Returns:
        The stored bot and system messages, in order.
    """
    store = state.store
    if intent is not None or confidence is not None:
        store.set_message_nlu(citizen_message_id, conversation_id, intent, confidence)
    conversation = store.get_conversation(conversation_id)
    if conversation is None:
        return []
    if language is not None and language != conversation.language.value:
        conversation = store.set_language(conversation_id, language)
    if not conversation.bot_may_speak:
        return []  # a person took over (or the citizen queued) while Rasa was thinking
    lang = conversation.language.value
    stored: list[Message] = []
    if not replies:
        stored.append(
            service.system_message(
                state,
                conversation_id,
                "chat_bot_unavailable",
                lang,
                phone=state.knowledge_base().contact.phone,
            )
        )
        return stored
    handoff_index = next((i for i, r in enumerate(replies) if _handoff_of(r)), None)
    for index, reply in enumerate(replies):
        text = reply.get("text")
        text = text if isinstance(text, str) else ""
        payload = _reply_payload(reply)
        if not text.strip() and payload is None:
            continue
        if handoff_index is not None and index > handoff_index and "custom" not in reply:
            # The channel handles the handoff itself (queue or offline request), and its
            # system message replaces the bot's "call us" text.
            continue
        stored.append(store.add_message(conversation_id, Sender.BOT, text, payload=payload))
    if handoff_index is not None:
        handoff = _handoff_of(replies[handoff_index]) or {}
        reason = handoff.get("reason")
        before = stored[-1].id if stored else citizen_message_id
        service.decide_handoff(state, conversation_id, str(reason) if reason else None)
        stored.extend(store.messages_after(conversation_id, before))
    return stored


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
        install_cors(bp, _cors_policy)

        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def create_conversation(request: Request) -> HTTPResponse:
            state = get_state(request.app)
            _check_ip(state, request)
            body = parse_json_object(request, allow_empty=True)
            language = optional_str(body, "language") or Language.NN.value
            if language not in {lang.value for lang in Language}:
                raise ApiError(
                    400,
                    "invalid_field",
                    "The field 'language' must be 'nn' or 'nb'.",
                    field="language",
                )
            conversation = await state.run(state.store.create_conversation, language)
            return response.json(
                {
                    "conversation_id": conversation.id,
                    "token": state.tokens.issue(conversation.id),
                    "state": conversation.state.value,
                },
                status=201,
            )

        async def post_message(request: Request, conversation_id: str) -> HTTPResponse:
            state, conversation = await _authorised(request, conversation_id)
            body = parse_json_object(request)
            text = required_str(body, "text")
            button = optional_str(body, "payload")
            limit = state.settings.max_message_chars
            if len(text) > limit:
                raise ApiError(
                    413,
                    "message_too_long",
                    f"The text is longer than {limit} characters.",
                    max_chars=limit,
                )
            if button is not None and not _BUTTON_PAYLOAD_RE.fullmatch(button):
                raise ApiError(
                    400,
                    "invalid_field",
                    "The field 'payload' must be a button payload like " "'/affirm'.",
                    field="payload",
                )
            _check_conversation_rate(state, conversation_id)
            incoming: IncomingMessage = await state.run(
                state.store.receive_citizen_message,
                conversation_id,
                text,
                payload={"button": button} if button else None,
            )
            state.notifier.notify()
            messages: list[Message] = [incoming.message]
            if incoming.bot_may_speak:
                collector = CollectingOutputChannel()
                metadata = {"language": conversation.language.value, "channel": "alver"}
                try:
                    await on_new_message(
                        UserMessage(
                            button or text,
                            collector,
                            conversation_id,
                            input_channel=self.name(),
                            metadata=metadata,
                        )
                    )
                except Exception:  # noqa: BLE001 - answered with a system message below
                    logger.exception("Rasa failed to handle a widget message")
                intent, confidence, language = await _tracker_info(request.app, conversation_id)
                messages += await state.run(
                    _store_bot_turn,
                    state,
                    conversation_id,
                    incoming.message.id,
                    list(collector.messages),
                    intent,
                    confidence,
                    language,
                )
                state.notifier.notify()
            current = await state.run(state.store.get_conversation, conversation_id)
            if current is None:
                raise ApiError(404, "not_found", "This conversation was deleted.")
            view = await state.run(service.citizen_view, state, current)
            return response.json(
                {
                    "messages": [
                        service.message_json(m) for m in messages if service.visible_to_citizen(m)
                    ],
                    "state": view["state"],
                    "queue": view["queue"],
                    "offline_offer": view["offline_offer"],
                }
            )

        async def events(request: Request, conversation_id: str) -> HTTPResponse:
            state, _ = await _authorised(request, conversation_id)
            after = query_int(request, "after", 0, 0, _MAX_ID)
            wait_max = state.settings.long_poll_seconds
            wait = query_int(request, "wait", wait_max, 0, wait_max)
            loop_time = asyncio.get_running_loop().time
            deadline = loop_time() + wait
            baseline: Any = None
            while True:
                token = state.notifier.token()
                snapshot = await state.run(_events_snapshot, state, conversation_id, after)
                if snapshot is None:
                    raise ApiError(404, "not_found", "This conversation was deleted.")
                messages, view = snapshot
                key = _view_key(view)
                if baseline is None:
                    baseline = key
                remaining = deadline - loop_time()
                if messages or key != baseline or remaining <= 0:
                    return response.json(
                        {"messages": [service.message_json(m) for m in messages], **view}
                    )
                await state.notifier.wait(token, min(_POLL_STEP_SECONDS, remaining))

        async def typing(request: Request, conversation_id: str) -> HTTPResponse:
            state, _ = await _authorised(request, conversation_id)
            parse_json_object(request, allow_empty=True)
            await state.run(state.presence.set_citizen_typing, conversation_id)
            state.notifier.notify()
            return response.empty(status=204)

        async def feedback(request: Request, conversation_id: str) -> HTTPResponse:
            state, _ = await _authorised(request, conversation_id)
            body = parse_json_object(request)
            message_id = body.get("message_id")
            value = body.get("value")
            if message_id is None:
                raise ApiError(
                    400, "missing_field", "The field 'message_id' is required.", field="message_id"
                )
            if isinstance(message_id, bool) or not isinstance(message_id, int) or message_id < 1:
                raise ApiError(
                    400,
                    "invalid_field",
                    "'message_id' must be a positive integer.",
                    field="message_id",
                )
            if value is None:
                raise ApiError(
                    400, "missing_field", "The field 'value' is required.", field="value"
                )
            if isinstance(value, bool) or value not in (1, -1):
                raise ApiError(400, "invalid_field", "'value' must be 1 or -1.", field="value")
            try:
                await state.run(state.store.set_feedback, message_id, conversation_id, value)
            except ValueError:
                raise ApiError(
                    400,
                    "invalid_field",
                    "Feedback is only possible on bot and staff messages.",
                    field="message_id",
                ) from None
            return response.empty(status=204)

        async def transcript(request: Request, conversation_id: str) -> HTTPResponse:
            state, conversation = await _authorised(request, conversation_id)
            text = await state.run(service.transcript_text, state, conversation)
            day = conversation.created_at.strftime("%Y%m%d")
            return response.text(
                text,
                content_type="text/plain; charset=utf-8",
                headers={
                    "Content-Disposition": f'attachment; filename="alver-chat-{day}.txt"',
                    "Cache-Control": "no-store",
                },
            )

        async def offline_request(request: Request, conversation_id: str) -> HTTPResponse:
            state, conversation = await _authorised(request, conversation_id)
            body = parse_json_object(request)
            question = required_str(body, "question")
            if "contact" not in body or body["contact"] is None:
                raise ApiError(
                    400, "missing_field", "The field 'contact' is required.", field="contact"
                )
            contact = optional_str(body, "contact") or ""
            if len(question) > MAX_QUESTION_LENGTH:
                raise ApiError(
                    413,
                    "message_too_long",
                    f"The question is longer than {MAX_QUESTION_LENGTH} characters.",
                    field="question",
                    max_chars=MAX_QUESTION_LENGTH,
                )
            _check_conversation_rate(state, conversation_id)
            request_id = await state.run(
                _store_offline_request, state, conversation, question, contact
            )
            state.notifier.notify()
            return response.json({"request_id": request_id}, status=201)

        async def cancel_waiting(request: Request, conversation_id: str) -> HTTPResponse:
            state, _ = await _authorised(request, conversation_id)
            parse_json_object(request, allow_empty=True)
            new_state = await state.run(_cancel_waiting, state, conversation_id)
            state.notifier.notify()
            return response.json({"state": new_state})

        async def delete_conversation(request: Request, conversation_id: str) -> HTTPResponse:
            state, _ = await _authorised(request, conversation_id)
            await state.run(state.store.delete_conversation, conversation_id)
            await state.run(state.presence.delete_conversation, conversation_id)
            _forget_tracker(request.app, conversation_id)
            state.notifier.notify()
            return response.empty(status=204)

        conv = "/conversations/<conversation_id:str>"
        add_routes(bp, "/", {"GET": health}, cors=True, name="alver_widget_health")
        add_routes(bp, "/conversations", {"POST": create_conversation}, cors=True)
        add_routes(
            bp, conv, {"DELETE": delete_conversation}, cors=True, name="alver_widget_conversation"
        )
        add_routes(bp, conv + "/messages", {"POST": post_message}, cors=True)
        add_routes(bp, conv + "/events", {"GET": events}, cors=True)
        add_routes(bp, conv + "/typing", {"POST": typing}, cors=True)
        add_routes(bp, conv + "/feedback", {"POST": feedback}, cors=True)
        add_routes(bp, conv + "/transcript", {"GET": transcript}, cors=True)
        add_routes(bp, conv + "/offline-request", {"POST": offline_request}, cors=True)
        add_routes(bp, conv + "/cancel-waiting", {"POST": cancel_waiting}, cors=True)
        add_routes(bp, "/<rest:path>", {}, cors=True, name="alver_widget_not_found")
        return bp


def _view_key(view: dict[str, Any]) -> tuple[Any, ...]:
    queue = view.get("queue") or {}
    staff = view.get("staff") or {}
    return (
        view.get("state"),
        queue.get("position"),
        staff.get("first_name"),
        staff.get("typing"),
        view.get("offline_offer"),
    )


def _events_snapshot(
    state: WebState, conversation_id: str, after: int
) -> tuple[list[Message], dict[str, Any]] | None:
    conversation = state.store.get_conversation(conversation_id)
    if conversation is None:
        return None
    messages = [
        m
        for m in state.store.messages_after(conversation_id, after)
        if service.visible_to_citizen(m)
    ]
    return messages, service.citizen_view(state, conversation)


def _store_offline_request(
    state: WebState, conversation: Conversation, question: str, contact: str
) -> int:
    offline = state.store.create_offline_request(
        question, contact, conversation.language, conversation_id=conversation.id
    )
    current = state.store.get_conversation(conversation.id)
    if current is not None and current.state is HandoffState.WAITING:
        try:
            state.store.transition(
                conversation.id, Event.CANCEL, "citizen", reason="left an offline request"
            )
        except ValueError:
            pass  # claimed or changed meanwhile
    state.presence.set_offline_offer(conversation.id, False)
    service.system_message(
        state, conversation.id, "chat_offline_received", conversation.language.value
    )
    return offline.id


def _cancel_waiting(state: WebState, conversation_id: str) -> str:
    conversation = state.store.get_conversation(conversation_id)
    if conversation is None:
        raise ApiError(404, "not_found", "This conversation does not exist (any more).")
    if conversation.state is HandoffState.BOT:
        return HandoffState.BOT.value
    if conversation.state is not HandoffState.WAITING:
        raise ApiError(
            409,
            "not_waiting",
            f"The conversation is '{conversation.state.value}', not waiting.",
            state=conversation.state.value,
        )
    new = state.store.transition(conversation_id, Event.CANCEL, "citizen", reason="cancelled")
    service.system_message(
        state, conversation_id, "chat_waiting_cancelled", conversation.language.value
    )
    return new.value


class WidgetStaticChannel(InputChannel):
    """Serves the widget's files at ``/widget/<file>`` (widget.js, widget.css, demo pages)."""

    @classmethod
    def name(cls) -> str:
        """Channel name (no messages go through this channel)."""
        return "alver_widget_static"

    def url_prefix(self) -> str:
        """Absolute prefix ``/widget``."""
        return "/widget"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Build the static-files blueprint."""
        bp = Blueprint("alver_widget_static")
        install_cors(bp, _cors_policy)
        directory = STATIC_DIR / "widget"

        async def static_file(request: Request, name: str) -> HTTPResponse:
            return await serve_static(directory, name)

        add_routes(bp, "/<name:str>", {"GET": static_file}, name="alver_widget_file")
        return bp
