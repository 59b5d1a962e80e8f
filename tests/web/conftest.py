"""A real Sanic server with the Alver channels, a scripted fake bot and a fixed clock.

The server runs on 127.0.0.1 (free port) in a background thread with its own
event loop; tests talk to it over HTTP with urllib. The channels are registered
exactly the way Rasa's ``register()`` does it.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from rasa import server as rasa_http
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import SlotSet
from rasa.utils.endpoints import EndpointConfig
from sanic import Sanic

from bot.channels.citizen_presence_channel import CitizenPresenceChannel
from bot.channels.console_channel import ConsoleChannel
from bot.channels.texts_channel import TextsChannel
from bot.channels.widget_channel import WidgetChannel, WidgetStaticChannel
from bot.handoff import HandoffStore
from bot.kb import KnowledgeBase, load_knowledge_base
from bot.kb.hours import OSLO
from bot.web.settings import WebSettings
from bot.web.state import WebState
from tests.databases import test_database_url
from tests.server import free_port

ROOT = Path(__file__).resolve().parents[2]
STAFF_PASSWORD = "riktig-hest-batteri"

# Thursday 26 November 2026, 10:00 in Oslo: the phone desk is open (09-15).
OPEN_TIME = datetime(2026, 11, 26, 10, 0, tzinfo=OSLO).astimezone(timezone.utc)
# Saturday 28 November 2026, 12:00: closed; opens Monday 30 November at 09.00.
CLOSED_TIME = datetime(2026, 11, 28, 12, 0, tzinfo=OSLO).astimezone(timezone.utc)


class FakeClock:
    """A settable aware-UTC clock shared by the server and the test."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self.now = moment

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now = self.now + timedelta(seconds=seconds)


@dataclass
class FakeIntentMessage:
    intent: dict[str, Any]


@dataclass
class FakeTracker:
    latest_message: FakeIntentMessage
    events: list[Any] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)

    def get_slot(self, key: str) -> Any:
        return self.slots.get(key)


class FakeTrackerStore:
    """Holds what the fake bot 'understood' of each conversation, like Rasa's tracker store."""

    def __init__(self) -> None:
        self.store: dict[str, FakeTracker] = {}

    async def retrieve(self, sender_id: str) -> FakeTracker | None:
        return self.store.get(sender_id)


@dataclass
class FakeAgent:
    tracker_store: FakeTrackerStore = field(default_factory=FakeTrackerStore)
    received: list[UserMessage] = field(default_factory=list)


HANDOFF_TEXT = "Eg set deg over til innbyggjarservice. Ring 56 37 50 00."


def make_bot(agent: FakeAgent) -> Any:
    """A tiny scripted bot in place of Rasa's ``agent.handle_message``."""

    async def on_new_message(message: UserMessage) -> None:
        agent.received.append(message)
        text = (message.text or "").strip()
        out = message.output_channel
        sender = message.sender_id or ""
        intent, confidence = "greet", 0.93
        tracker = FakeTracker(FakeIntentMessage({}))
        if text in ("/affirm", "menneske"):
            intent, confidence = "affirm" if text == "/affirm" else "human", 1.0
            await out.send_custom_json(
                sender, {"handoff": {"reason": "requested", "language": "nn"}}
            )
            await out.send_text_message(sender, HANDOFF_TEXT)
        elif text == "død":
            intent, confidence = "dead", 0.5
            # the action server is down: Rasa sends nothing
        elif text == "krasj":
            raise RuntimeError("the bot crashed")
        elif text == "lenkje":
            await out.send_text_message(sender, "Sjå https://www.alver.kommune.no/skule. Takk!")
        elif text == "bokmål":
            tracker.events.append(SlotSet("language", "nb"))
            tracker.slots["language"] = "nb"
            await out.send_text_message(sender, "Hei! Hva kan jeg hjelpe deg med?")
        elif text == "snakke":
            await out.send_text_with_buttons(
                sender,
                "Vil du snakke med ein person?",
                [{"title": "Ja", "payload": "/affirm"}, {"title": "Nei", "payload": "/deny"}],
            )
        else:
            await out.send_text_message(sender, f"Bot: {text}")
        tracker.latest_message = FakeIntentMessage({"name": intent, "confidence": confidence})
        agent.tracker_store.store[sender] = tracker

    return on_new_message


NO_RASA_CORS: Any = object()
"""Default of ``Server(rasa_cors=...)``: a plain Sanic app without Rasa's CORS layer."""


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class Server:
    """The running test server and an HTTP client for it."""

    def __init__(
        self,
        settings: WebSettings,
        clock: FakeClock,
        kb: KnowledgeBase,
        *,
        rasa_cors: Any = NO_RASA_CORS,
        agent: Any = None,
        extra_channels: Sequence[Any] = (),
        ctx: Mapping[str, Any] | None = None,
    ) -> None:
        """Start the server; ``extra_channels`` and ``ctx`` (``app.ctx`` attributes) add to it."""
        Sanic.test_mode = True
        self.clock = clock
        self.agent = agent if agent is not None else FakeAgent()
        self.app = Sanic(f"alver_test_{uuid.uuid4().hex[:8]}")
        if rasa_cors is not NO_RASA_CORS:
            # Rasa's own CORS layer, as `rasa run [--cors ...]` installs it before the channels.
            rasa_http.configure_cors(self.app, rasa_cors)
        self.app.ctx.alver_settings = settings
        self.app.ctx.alver_clock = clock
        self.app.ctx.alver_knowledge_base = lambda: kb
        self.app.ctx.agent = self.agent
        for name, value in (ctx or {}).items():
            setattr(self.app.ctx, name, value)
        channels: list[Any] = [
            WidgetChannel(),
            WidgetStaticChannel(),
            ConsoleChannel(),
            TextsChannel(knowledge_base=lambda: kb),
            CitizenPresenceChannel(),  # wp-console: the citizen's "left" beacon
            *extra_channels,
        ]
        if agent is None:
            bot = make_bot(self.agent)
        else:  # a real Rasa agent, with Rasa's REST channel next to ours
            bot = agent.handle_message
            channels.append(RestInput())
        # Exactly like rasa.core.channels.channel.register(input_channels, app, "/webhooks/").
        for channel in channels:
            prefix = urljoin("/webhooks/", channel.url_prefix())
            self.app.blueprint(channel.blueprint(bot), url_prefix=prefix)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(20):
            raise RuntimeError("test server did not start")
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            self._error = exc
            self._ready.set()
        finally:
            loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        server = await self.app.create_server(
            host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False
        )
        assert server is not None
        await server.startup()
        await server.before_start()
        await server.after_start()
        await server.start_serving()
        self._ready.set()
        await self._stop.wait()
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(20)

    @property
    def state(self) -> WebState:
        state: WebState = self.app.ctx.alver_web
        return state

    @property
    def store(self) -> HandoffStore:
        return self.state.store

    # ----- HTTP -------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        timeout: float = 40,
    ) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        try:
            conn.request(method, path, body=data, headers=all_headers)
            resp = conn.getresponse()
            return Response(resp.status, resp.headers, resp.read())
        finally:
            conn.close()

    # ----- citizen helpers -----------------------------------------------------

    def new_conversation(self, language: str | None = None) -> Citizen:
        body = {"language": language} if language else {}
        resp = self.request("POST", "/webhooks/alver/conversations", body)
        assert resp.status == 201, resp.body
        data = resp.json
        return Citizen(self, data["conversation_id"], data["token"])

    # ----- staff helpers -------------------------------------------------------

    def add_staff(self, username: str, first_name: str, role: str = "staff") -> None:
        self.store.users.add(username, first_name, STAFF_PASSWORD, role)

    def login(self, username: str, password: str = STAFF_PASSWORD) -> Staff:
        resp = self.request(
            "POST", "/console/api/login", {"username": username, "password": password}
        )
        assert resp.status == 200, resp.body
        cookie = resp.headers["Set-Cookie"].split(";", 1)[0]
        return Staff(self, cookie, resp.json["csrf_token"], resp.json["user"])


@dataclass
class Citizen:
    server: Server
    conversation_id: str
    token: str

    @property
    def base(self) -> str:
        return f"/webhooks/alver/conversations/{self.conversation_id}"

    def call(self, method: str, suffix: str = "", body: Any = None, **kwargs: Any) -> Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.server.request(method, self.base + suffix, body, headers=headers, **kwargs)

    def say(self, text: str, payload: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"text": text}
        if payload is not None:
            body["payload"] = payload
        resp = self.call("POST", "/messages", body)
        assert resp.status == 200, resp.body
        data: dict[str, Any] = resp.json
        return data

    def events(self, after: int = 0, wait: int = 0) -> dict[str, Any]:
        resp = self.call("GET", f"/events?after={after}&wait={wait}")
        assert resp.status == 200, resp.body
        data: dict[str, Any] = resp.json
        return data


@dataclass
class Staff:
    server: Server
    cookie: str
    csrf: str
    user: dict[str, Any]

    def call(
        self, method: str, path: str, body: Any = None, *, csrf: bool = True, **kwargs: Any
    ) -> Response:
        headers = {"Cookie": self.cookie}
        if csrf:
            headers["X-CSRF-Token"] = self.csrf
        return self.server.request(method, "/console/api" + path, body, headers=headers, **kwargs)

    def queue(self, wait: int = 0, since: str = "") -> dict[str, Any]:
        resp = self.call("GET", f"/queue?wait={wait}&since={since}", csrf=False)
        assert resp.status == 200, resp.body
        data: dict[str, Any] = resp.json
        return data


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base(ROOT / "tests" / "fixtures" / "knowledge_base")


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """SQLite, or a fresh PostgreSQL database when TEST_POSTGRES_URL is set."""
    with test_database_url(tmp_path) as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> WebSettings:
    base = WebSettings.from_env(
        {
            "HANDOFF_DATABASE_URL": database_url,
            "BOT_SECRET_KEY": "test-secret-" + "x" * 40,
            "RATE_LIMIT_CONVERSATION_PER_MIN": "1000",
            "RATE_LIMIT_IP_PER_MIN": "100000",
            "LONG_POLL_SECONDS": "5",
        },
        root=tmp_path,
    )
    return replace(base, expire_interval_seconds=0.2, purge_interval_seconds=3600)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(OPEN_TIME)


@pytest.fixture
def server(settings: WebSettings, clock: FakeClock, kb: KnowledgeBase) -> Iterator[Server]:
    running = Server(settings, clock, kb)
    try:
        yield running
    finally:
        running.stop()


MODEL = ROOT / "models" / "alver.tar.gz"


@pytest.fixture(scope="module")
def agent() -> Agent:
    """The trained model, with its action server down (nothing listens on the port)."""
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make train` first.")
    closed = free_port()
    return Agent.load(
        str(MODEL), action_endpoint=EndpointConfig(f"http://127.0.0.1:{closed}/webhook")
    )


@pytest.fixture
def rasa_server(
    settings: WebSettings, clock: FakeClock, kb: KnowledgeBase, agent: Agent
) -> Iterator[Server]:
    """The chat channels in front of the real Rasa agent (and Rasa's REST channel)."""
    running = Server(settings, clock, kb, agent=agent)
    try:
        yield running
    finally:
        running.stop()
