"""The REST channel is local-only and capped; the whole server caps request bodies.

The HTTP tests run against the real bot started with `make run` (bin/run sets Sanic's
REQUEST_MAX_SIZE for the Rasa server). Non-loopback clients cannot be made from a test that
binds to 127.0.0.1, so the address check is driven through the channel's own ``refusal``
(the function its request middleware runs); a proxied request goes over real HTTP.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from bot.channels.rest_channel import LocalRestInput, is_local_request
from bot.web.settings import SettingsError
from tests.server import ROOT, make_run

WEBHOOK = "/webhooks/rest/webhook"
TWO_MB = 2 * 1024 * 1024


@dataclass
class Answer:
    status: int
    body: Any
    seconds: float


def post(url: str, payload: bytes, headers: dict[str, str] | None = None) -> Answer:
    """POST to the bot; a server that answers before reading the whole body is fine."""
    parts = urlsplit(url)
    started = time.monotonic()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        try:
            connection.request(
                "POST",
                WEBHOOK,
                body=payload,
                headers={"Content-Type": "application/json", **(headers or {})},
            )
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused the body early; its answer is still readable
        reply = connection.getresponse()
        raw = reply.read()
        return Answer(reply.status, json.loads(raw) if raw else None, time.monotonic() - started)
    finally:
        connection.close()


def message(sender: str, text: str) -> bytes:
    return json.dumps({"sender": sender, "message": text}).encode()


@pytest.fixture(scope="module")
def bot_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("rest")
    with make_run({"HANDOFF_DATABASE_URL": f"sqlite:///{folder}/handoff.sqlite3"}) as running:
        yield running.url


def test_two_megabyte_body_is_refused_at_once_while_others_are_served(bot_url: str) -> None:
    results: dict[str, Answer] = {}

    def big() -> None:
        results["big"] = post(bot_url, message("big", "x" * TWO_MB))

    def normal() -> None:
        results["normal"] = post(bot_url, message("normal", "opningstider"))

    threads = [threading.Thread(target=big), threading.Thread(target=normal)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    print(f"2 MB body refused in {results['big'].seconds * 1000:.0f} ms")
    assert results["big"].status == 413
    assert results["big"].seconds < 1.0
    assert results["normal"].status == 200
    assert "Knarvik" in " ".join(m.get("text", "") for m in results["normal"].body)


@pytest.mark.parametrize(
    ("length", "status"),
    [(1000, 200), (1001, 413), (50_000, 413)],
)
def test_message_length_is_capped(bot_url: str, length: int, status: int) -> None:
    answer = post(bot_url, message(f"len-{length}", "a" * length))
    assert answer.status == status
    if status == 413:
        assert answer.body == {
            "error": "message_too_long",
            "message": "The message is longer than 1000 characters.",
            "max_chars": 1000,
        }
        assert answer.seconds < 1.0


@pytest.mark.parametrize(
    ("payload", "status"),
    [(b"[1, 2]", 400), (b'"opningstider"', 400), (message("ok", "hei"), 200)],
)
def test_body_must_be_a_json_object(bot_url: str, payload: bytes, status: int) -> None:
    assert post(bot_url, payload).status == status


@pytest.mark.parametrize("header", ["X-Forwarded-For", "Forwarded", "X-Real-IP"])
def test_request_through_a_proxy_is_refused(bot_url: str, header: str) -> None:
    answer = post(bot_url, message("proxied", "hei"), headers={header: "203.0.113.7"})
    assert answer.status == 403
    assert answer.body["error"] == "forbidden"


def fake_request(ip: str, headers: dict[str, str] | None = None) -> Any:
    return SimpleNamespace(
        ip=ip, headers=headers or {}, method="POST", json={"sender": "s", "message": "hei"}
    )


@pytest.mark.parametrize(
    ("ip", "headers", "local"),
    [
        ("127.0.0.1", {}, True),
        ("127.8.9.10", {}, True),
        ("::1", {}, True),
        ("::ffff:127.0.0.1", {}, True),
        ("10.0.0.5", {}, False),
        ("192.168.1.20", {}, False),
        ("203.0.113.7", {}, False),
        ("2001:db8::1", {}, False),
        ("::ffff:10.0.0.5", {}, False),
        ("", {}, False),
        ("127.0.0.1", {"x-forwarded-for": "203.0.113.7"}, False),
        ("127.0.0.1", {"forwarded": "for=203.0.113.7"}, False),
    ],
)
def test_only_local_clients_get_through(ip: str, headers: dict[str, str], local: bool) -> None:
    channel = LocalRestInput()
    assert is_local_request(ip, headers) is local
    refusal = channel.refusal(fake_request(ip, headers))  # type: ignore[arg-type]
    if local:
        assert refusal is None
    else:
        assert refusal is not None and refusal.status == 403
        assert json.loads(refusal.body or b"")["error"] == "forbidden"


def test_public_setting_lets_remote_clients_through() -> None:
    channel = LocalRestInput(public=True)
    assert channel.refusal(fake_request("203.0.113.7")) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("env", "public", "max_chars"),
    [
        ({}, False, 1000),
        ({"REST_CHANNEL_PUBLIC": "1", "MAX_MESSAGE_CHARS": "200"}, True, 200),
        ({"REST_CHANNEL_PUBLIC": "0"}, False, 1000),
    ],
)
def test_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], public: bool, max_chars: int
) -> None:
    for name in ("REST_CHANNEL_PUBLIC", "MAX_MESSAGE_CHARS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    channel = LocalRestInput.from_credentials({})
    assert isinstance(channel, LocalRestInput)
    assert (channel.public, channel.max_message_chars) == (public, max_chars)


@pytest.mark.parametrize(
    ("name", "value"),
    [("REST_CHANNEL_PUBLIC", "kanskje"), ("MAX_MESSAGE_CHARS", "0"), ("MAX_MESSAGE_CHARS", "x")],
)
def test_bad_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        LocalRestInput.from_credentials({})


def channels(path: Path) -> set[str]:
    return set(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_production_credentials_have_no_rest_channel() -> None:
    production = channels(ROOT / "credentials.production.yml")
    assert not any("rest" in name.lower() for name in production)
    assert production == channels(ROOT / "credentials.yml") - {
        "bot.channels.rest_channel.LocalRestInput"
    }


def test_development_credentials_use_the_local_rest_channel() -> None:
    development = channels(ROOT / "credentials.yml")
    assert "bot.channels.rest_channel.LocalRestInput" in development
    assert "rest" not in development


def test_production_credentials_start_without_rest(tmp_path: Path) -> None:
    env = {
        "CREDENTIALS": "credentials.production.yml",
        "HANDOFF_DATABASE_URL": f"sqlite:///{tmp_path}/handoff.sqlite3",
    }
    with make_run(env) as running:
        assert any("Chat over HTTP:           off" in line for line in running.log)
        assert post(running.url, message("prod", "hei")).status == 404
        request = urllib.request.Request(
            f"{running.url}/webhooks/alver/conversations",
            data=b"{}",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 201 and "token" in json.load(answer)
        # The widget's labels come from the texts channel: production serves them too.
        with urllib.request.urlopen(
            f"{running.url}/texts/widget.json?lang=nn", timeout=10
        ) as texts:
            assert texts.status == 200 and json.load(texts)["texts"]
