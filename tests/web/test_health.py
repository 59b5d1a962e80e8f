"""``GET /webhooks/alver/health`` names the failing part: database, tracker store, action server."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy.engine import make_url

from bot.cluster.lock_store import AlverLockStore
from bot.rasa.tracker_store import TRACKER_FILE, AlverTrackerStore
from bot.web.health import action_server_health_url

from .conftest import Server, free_port

HEALTH = "/webhooks/alver/health"


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def action_server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/webhook"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize(
    ("webhook", "expected"),
    [
        ("http://127.0.0.1:5055/webhook", "http://127.0.0.1:5055/health"),
        ("https://actions.internal/webhook?x=1", "https://actions.internal/health"),
    ],
)
def test_action_server_health_url(webhook: str, expected: str) -> None:
    assert action_server_health_url(webhook) == expected


def test_health_is_ok_when_every_part_answers(
    server: Server, action_server: str, tmp_path: Path
) -> None:
    server.agent.action_endpoint = EndpointConfig(action_server)
    store = AlverTrackerStore(url=f"sqlite:///{tmp_path}/{TRACKER_FILE}")
    server.agent.tracker_store = FailSafeTrackerStore(store)
    resp = server.request("GET", HEALTH)
    assert resp.status == 200, resp.body
    assert resp.json == {
        "status": "ok",
        "checks": {"database": "ok", "tracker_store": "ok", "action_server": "ok"},
    }


def test_health_names_a_stopped_action_server(server: Server) -> None:
    server.agent.action_endpoint = EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook")
    resp = server.request("GET", HEALTH)
    assert resp.status == 503
    assert resp.json["failing"] == ["action_server"]
    assert resp.json["checks"]["action_server"] == "unreachable"


def test_health_names_a_deleted_tracker_store_file(
    server: Server, action_server: str, tmp_path: Path
) -> None:
    server.agent.action_endpoint = EndpointConfig(action_server)
    store = AlverTrackerStore(url=f"sqlite:///{tmp_path}/{TRACKER_FILE}")
    server.agent.tracker_store = FailSafeTrackerStore(store)
    (tmp_path / TRACKER_FILE).unlink()
    resp = server.request("GET", HEALTH)
    assert resp.status == 503
    assert resp.json["failing"] == ["tracker_store"]
    assert resp.json["checks"]["tracker_store"] == "file missing"
    assert not (tmp_path / TRACKER_FILE).exists()


def test_deleting_the_database_file_while_running_is_reported_not_recreated(
    server: Server, action_server: str
) -> None:
    url = make_url(server.state.settings.database_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("a SQLite file only")
    server.agent.action_endpoint = EndpointConfig(action_server)
    path = Path(str(url.database))
    citizen = server.new_conversation()
    path.unlink()
    resp = server.request("GET", HEALTH)
    assert resp.status == 503
    assert resp.json["failing"] == ["database"]
    assert resp.json["checks"]["database"] == "file missing"
    # Citizens get an error answer, and no new, empty database appears.
    answer = citizen.call("POST", "/messages", {"text": "Hei"})
    assert answer.status >= 400
    assert not path.exists()


class _Pong:
    """Stands in for the redis client of Rasa's lock store: ``PING`` answers."""

    def __init__(self) -> None:
        self.pings = 0

    def ping(self) -> bool:
        self.pings += 1
        return True


def _redis_locks(port: int) -> AlverLockStore:
    return AlverLockStore(environ={"REDIS_URL": f"redis://127.0.0.1:{port}/0"})


def test_health_pings_the_redis_that_holds_the_conversation_locks(
    server: Server, action_server: str
) -> None:
    server.agent.action_endpoint = EndpointConfig(action_server)
    locks = _redis_locks(free_port())
    pong = _Pong()
    locks.inner.red = pong  # type: ignore[attr-defined]
    server.agent.lock_store = locks
    resp = server.request("GET", HEALTH)
    assert resp.status == 200, resp.body
    assert resp.json["checks"]["redis"] == "ok"
    assert pong.pings == 1


def test_health_names_an_unreachable_redis(server: Server, action_server: str) -> None:
    server.agent.action_endpoint = EndpointConfig(action_server)
    server.agent.lock_store = _redis_locks(free_port())  # nothing listens there
    resp = server.request("GET", HEALTH)
    assert resp.status == 503
    assert resp.json["failing"] == ["redis"]
    assert resp.json["checks"]["redis"] == "unreachable"


def test_health_has_no_redis_check_with_the_locks_in_memory(
    server: Server, action_server: str
) -> None:
    server.agent.action_endpoint = EndpointConfig(action_server)
    server.agent.lock_store = AlverLockStore(environ={})
    resp = server.request("GET", HEALTH)
    assert "redis" not in resp.json["checks"]
