"""The speed patches for Rasa 3.6.21 (bot/rasa/speedups.py) keep Rasa's behaviour."""

from __future__ import annotations

import asyncio
from typing import Any

import jsonschema
import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from bot.rasa import speedups

VALID = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "language", "value": "nn"}],
        "responses": [{"text": "x"}],
    },
    {},
]
INVALID = [
    {"events": "not a list"},
    {"responses": [1]},
    {"events": [{"event": "slot", "timestamp": "yesterday"}]},
    [],
]


@pytest.mark.parametrize("result", VALID)
def test_cached_validator_accepts_what_rasa_accepts(result: dict[str, Any]) -> None:
    action = RemoteAction("action_x", None)
    jsonschema.validate(result, action.action_response_format_spec())  # Rasa's check
    assert speedups.validate_action_result(action, result) is True


@pytest.mark.parametrize("result", INVALID)
def test_cached_validator_rejects_what_rasa_rejects_with_the_same_message(result: Any) -> None:
    action = RemoteAction("action_x", None)
    with pytest.raises(jsonschema.ValidationError) as rasa_error:  # what Rasa 3.6.21 calls
        jsonschema.validate(result, action.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as ours:
        speedups.validate_action_result(action, result)
    assert ours.value.message.startswith(rasa_error.value.message + ". Failed to validate")
    assert list(ours.value.path) == list(rasa_error.value.path)


def test_cached_validator_checks_the_schema_only_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(speedups, "_validator", None)
    action = RemoteAction("action_x", None)
    cls = jsonschema.validators.validator_for(action.action_response_format_spec())
    calls: list[int] = []
    real = cls.check_schema

    def counting(schema: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(schema, *args, **kwargs)

    monkeypatch.setattr(cls, "check_schema", counting)
    for _ in range(5):
        speedups.validate_action_result(action, {"events": []})
    assert len(calls) == 1
    for _ in range(2):  # Rasa's jsonschema.validate: the meta-schema check on every call
        jsonschema.validate({"events": []}, action.action_response_format_spec())
    assert len(calls) == 3


@pytest.mark.parametrize(
    ("value", "expected"), [("", True), ("1", True), ("0", False), (" 0 ", False)]
)
def test_rasa_speedups_setting(value: str, expected: bool) -> None:
    assert speedups.enabled({"RASA_SPEEDUPS": value}) is expected


@pytest.mark.parametrize("value", ["yes", "2", "off"])
def test_rasa_speedups_setting_rejects_other_values(value: str) -> None:
    with pytest.raises(ValueError, match="RASA_SPEEDUPS"):
        speedups.enabled({"RASA_SPEEDUPS": value})


def test_install_does_nothing_when_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(speedups, "_installed", False)
    before = EndpointConfig.request
    assert speedups.install({"RASA_SPEEDUPS": "0"}) is False
    assert EndpointConfig.request is before


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


def test_action_calls_share_one_keep_alive_connection() -> None:
    peers: list[Any] = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername") if request.transport else None)
        body = await request.json()
        if body.get("fail"):
            return web.Response(status=500, text='{"error": "boom"}')
        if body.get("plain"):
            return web.Response(text="not json")
        return web.json_response({"echo": body, "token": request.query.get("token")})

    async def scenario() -> None:
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner, url = await _serve(app)
        try:
            config = EndpointConfig(url + "/webhook", token="t0k")
            answers = [await speedups.request(config, json={"n": n}) for n in range(3)]
            assert [a["echo"]["n"] for a in answers] == [0, 1, 2]
            assert {a["token"] for a in answers} == {"t0k"}
            assert await speedups.request(config, json={"plain": True}) is None
            with pytest.raises(ClientResponseError) as error:
                await speedups.request(config, json={"fail": True})
            assert error.value.status == 500
            assert len(set(peers)) == 1, f"expected one connection, saw {set(peers)}"
        finally:
            await speedups.close_sessions()
            await runner.cleanup()

    asyncio.run(scenario())


def _tracker(sender_id: str, intent: str) -> Any:
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.slots import TextSlot
    from rasa.shared.core.trackers import DialogueStateTracker

    slots = [TextSlot("language", []), TextSlot("pending_question", [])]
    events = [
        UserUttered("x", {"name": intent, "confidence": 0.9}),
        SlotSet("language", "nb"),
    ]
    return DialogueStateTracker.from_events(sender_id, events, slots)


def test_saved_tracker_is_kept_until_taken_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.processor import MessageProcessor

    monkeypatch.setattr(speedups, "MAX_SAVED", 2)
    monkeypatch.setattr(speedups, "_saved", speedups.OrderedDict())
    saved: list[str] = []

    class Store:
        async def save(self, tracker: Any) -> None:
            saved.append(tracker.sender_id)

    async def original(self: Any, tracker: Any) -> None:
        await self.tracker_store.save(tracker)

    processor = MessageProcessor.__new__(MessageProcessor)
    processor.tracker_store = Store()  # type: ignore[assignment]
    save = speedups._keeping_save_tracker(original)
    for sender in ("a", "b", "c"):
        asyncio.run(save(processor, _tracker(sender, "greet")))
    assert saved == ["a", "b", "c"]  # Rasa's save still happens
    assert speedups.take_saved("a") is None  # the oldest was dropped (MAX_SAVED=2)
    assert speedups.take_saved("b").sender_id == "b"
    assert speedups.take_saved("b") is None  # taken once
    speedups.forget_saved("c")
    assert speedups.take_saved("c") is None


def test_read_tracker_uses_the_saved_tracker_without_the_store(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.web.rasa_turn import read_tracker

    monkeypatch.setattr(speedups, "_saved", speedups.OrderedDict())

    class NoStore:
        async def retrieve(self, sender_id: str) -> Any:
            raise AssertionError("the tracker store must not be read")

    class Agent:
        tracker_store = NoStore()

    speedups._saved["conv"] = _tracker("conv", "request_human")
    info = asyncio.run(read_tracker(Agent(), "conv"))
    assert (info.intent, info.language, info.wants_person) == ("request_human", "nb", "requested")


class _Message:
    def __init__(self, text: str, language: str = "nn") -> None:
        self.text = text
        self.metadata = {"language": language}


@pytest.fixture
def parse_cache(monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[str], list[object]]:
    """A caching parse around a counting fake NLU, and a settable knowledge base."""
    monkeypatch.setattr(speedups, "_parses", speedups.OrderedDict())
    kb: list[object] = [object()]
    monkeypatch.setattr(speedups, "_current_kb", lambda: kb[0])
    calls: list[str] = []

    def nlu(self: Any, message: Any, tracker: Any, only_output_properties: bool = True) -> Any:
        calls.append(message.text)
        return {"text": message.text, "intent": {"name": "greet", "confidence": 0.9}}

    return speedups._caching_parse(nlu), calls, kb


def test_parse_cache_answers_a_repeated_text_once(parse_cache: Any) -> None:
    parse, calls, _ = parse_cache
    first = parse(None, _Message("opningstider"), None)
    second = parse(None, _Message("opningstider"), None)
    assert calls == ["opningstider"]
    assert first == second and first is not second
    second["intent"]["name"] = "changed"  # callers may change their copy
    assert parse(None, _Message("opningstider"), None)["intent"]["name"] == "greet"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (_Message("opningstider", "nn"), _Message("opningstider", "nb")),  # language hint
        (_Message("/greet"), _Message("/greet")),  # payloads are not cached
        (_Message("x" * 81), _Message("x" * 81)),  # long texts are not cached
        (_Message("Opningstider"), _Message("opningstider")),  # exact text only
    ],
)
def test_parse_cache_does_not_reuse_other_messages(
    parse_cache: Any, first: _Message, second: _Message
) -> None:
    parse, calls, _ = parse_cache
    parse(None, first, None)
    parse(None, second, None)
    assert len(calls) == 2


def test_parse_cache_follows_a_knowledge_base_reload(parse_cache: Any) -> None:
    parse, calls, kb = parse_cache
    parse(None, _Message("kva kostar parkering"), None)
    kb[0] = object()  # bot.kb's hot reload gives a new KnowledgeBase
    parse(None, _Message("kva kostar parkering"), None)
    assert len(calls) == 2


def test_parse_cache_entries_expire(parse_cache: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    parse, calls, _ = parse_cache
    monkeypatch.setattr(speedups, "PARSE_TTL_SECONDS", 0.0)
    parse(None, _Message("hei"), None)
    parse(None, _Message("hei"), None)
    assert len(calls) == 2
