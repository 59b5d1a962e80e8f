"""Client IP behind a reverse proxy (``TRUSTED_PROXIES``) and which requests count per IP."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.web.proxy import parse_trusted_proxies, resolve_client_ip
from bot.web.ratelimit import SlidingWindowLimiter
from bot.web.settings import SettingsError, WebSettings

from .conftest import Server

PROXIES = parse_trusted_proxies("10.0.0.1, 10.1.0.0/16, ::1")
CONSOLE_POLL_PATHS = ["/queue?wait=0"]


@pytest.mark.parametrize(
    ("peer", "headers", "expected"),
    [
        # An untrusted peer: its header is ignored whatever it says.
        ("203.0.113.9", [], "203.0.113.9"),
        ("203.0.113.9", ["198.51.100.7"], "203.0.113.9"),
        ("203.0.113.9", ["10.0.0.1"], "203.0.113.9"),
        ("10.0.0.2", ["198.51.100.7"], "10.0.0.2"),  # next to a proxy, but not one
        # A trusted proxy: the right-most address that is not a proxy.
        ("10.0.0.1", ["198.51.100.7"], "198.51.100.7"),
        ("10.0.0.1", ["1.2.3.4, 198.51.100.7"], "198.51.100.7"),  # 1.2.3.4 is forged
        ("10.0.0.1", ["1.2.3.4, 198.51.100.7, 10.1.2.3"], "198.51.100.7"),  # two proxies
        ("10.0.0.1", ["1.2.3.4", "198.51.100.7"], "198.51.100.7"),  # two header lines
        ("10.1.9.9", [" 198.51.100.7 "], "198.51.100.7"),  # a proxy from the CIDR range
        ("::1", ["2001:db8::5"], "2001:db8::5"),
        ("10.0.0.1", ["2001:db8::5"], "2001:db8::5"),
        # A trusted proxy without a usable header: the peer, never a guess.
        ("10.0.0.1", [], "10.0.0.1"),
        ("10.0.0.1", ["10.1.0.5"], "10.0.0.1"),  # only proxies
        ("10.0.0.1", ["unknown"], "10.0.0.1"),
        ("10.0.0.1", ["198.51.100.7, not-an-ip"], "10.0.0.1"),
        ("10.0.0.1", [""], "10.0.0.1"),
    ],
)
def test_resolve_client_ip(peer: str, headers: list[str], expected: str) -> None:
    assert resolve_client_ip(peer, headers, PROXIES) == expected


def test_without_trusted_proxies_the_header_is_never_read() -> None:
    assert resolve_client_ip("10.0.0.1", ["198.51.100.7"], ()) == "10.0.0.1"


@pytest.mark.parametrize(
    ("raw", "count"), [("", 0), ("127.0.0.1", 1), ("10.0.0.0/8, ::1", 2), (" , 10.0.0.1,", 1)]
)
def test_trusted_proxies_setting(raw: str, count: int) -> None:
    settings = WebSettings.from_env({"BOT_SECRET_KEY": "k" * 40, "TRUSTED_PROXIES": raw})
    assert len(settings.trusted_proxies) == count


@pytest.mark.parametrize("raw", ["proxy.example.org", "10.0.0.300", "10.0.0.0/33"])
def test_bad_trusted_proxies_stop_the_server(raw: str) -> None:
    with pytest.raises(SettingsError, match="TRUSTED_PROXIES"):
        WebSettings.from_env({"BOT_SECRET_KEY": "k" * 40, "TRUSTED_PROXIES": raw})


def _new(server: Server, forwarded_for: str | None = None) -> Any:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return server.request("POST", "/webhooks/alver/conversations", {}, headers=headers)


def test_citizens_behind_a_trusted_proxy_have_their_own_budget(server: Server) -> None:
    server.state.settings = replace(
        server.state.settings, trusted_proxies=parse_trusted_proxies("127.0.0.1")
    )
    server.state.ip_limiter = SlidingWindowLimiter(2)
    assert [_new(server, "198.51.100.7").status for _ in range(3)] == [201, 201, 429]
    assert _new(server, "198.51.100.8").status == 201  # another citizen, same proxy
    assert _new(server, "1.2.3.4, 198.51.100.7").status == 429  # forging a hop is no help


def test_an_untrusted_peer_cannot_pick_its_bucket(server: Server) -> None:
    server.state.ip_limiter = SlidingWindowLimiter(2)
    statuses = [_new(server, f"198.51.100.{n}").status for n in range(3)]
    assert statuses == [201, 201, 429]


def test_long_polls_do_not_use_up_the_ip_budget(server: Server) -> None:
    citizen = server.new_conversation()
    server.state.ip_limiter = SlidingWindowLimiter(3)
    for _ in range(20):
        citizen.events(wait=0)
        assert citizen.call("GET", "/transcript").status == 200
    assert citizen.call("POST", "/messages", {"text": "hei"}).status == 200
    server.add_staff("kari", "Kari")
    kari = server.login("kari")
    for path in CONSOLE_POLL_PATHS * 20:
        assert kari.call("GET", path, csrf=False).status == 200
    # Writes still count: two more, then the budget of three is spent.
    statuses = [citizen.call("POST", "/messages", {"text": "hei"}).status for _ in range(3)]
    assert statuses == [200, 200, 429]
