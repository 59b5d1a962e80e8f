"""CORS of the citizen API: exactly one Access-Control-Allow-Origin, whatever Rasa's layer does.

``rasa run`` installs sanic-cors on the whole app (``--cors`` sets its origins); the servers
here are built the same way, so the tests see what a browser on another origin would see.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from bot.kb import KnowledgeBase
from bot.web.cors import CorsPolicy, parse_origins
from bot.web.settings import SettingsError, WebSettings

from .conftest import NO_RASA_CORS, FakeClock, Response, Server

BASE = "/webhooks/alver/conversations"
SITE = "https://www.alver.kommune.no"
OTHER = "https://evil.example"
PREFLIGHT = {
    "Origin": SITE,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization,content-type",
}

# How Rasa's own CORS layer is configured: not at all (plain Sanic), `rasa run` without
# --cors (what `make run` does), `--cors "*"`, and `--cors` with one origin.
RASA_LAYERS = [NO_RASA_CORS, None, "*", [SITE]]
RASA_IDS = ["no-rasa-layer", "rasa-run", "rasa-cors-star", "rasa-cors-site"]


@pytest.fixture(params=RASA_LAYERS, ids=RASA_IDS)
def rasa_layer(request: pytest.FixtureRequest) -> Any:
    return request.param


def _serve(settings: WebSettings, clock: FakeClock, kb: KnowledgeBase, layer: Any) -> Server:
    return Server(settings, clock, kb, rasa_cors=layer)


@pytest.fixture
def any_origin_server(
    settings: WebSettings, clock: FakeClock, kb: KnowledgeBase, rasa_layer: Any
) -> Iterator[Server]:
    running = _serve(settings, clock, kb, rasa_layer)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def allow_list_server(
    settings: WebSettings, clock: FakeClock, kb: KnowledgeBase, rasa_layer: Any
) -> Iterator[Server]:
    narrowed = replace(settings, widget_allowed_origins=(SITE, "https://alver.kommune.no"))
    running = _serve(narrowed, clock, kb, rasa_layer)
    try:
        yield running
    finally:
        running.stop()


def _allow_origin(resp: Response) -> list[str]:
    return resp.headers.get_all("Access-Control-Allow-Origin") or []


def _cors_names(resp: Response) -> list[str]:
    return [k.lower() for k in resp.headers if k.lower().startswith("access-control-")]


def _post_message(server: Server, origin: str) -> Response:
    citizen = server.new_conversation()
    return citizen.call("POST", "/messages", {"text": "hei"}, headers={"Origin": origin})


def test_preflight_default_allows_any_origin(any_origin_server: Server) -> None:
    for path in (BASE, BASE + "/abc/messages", BASE + "/abc/events"):
        resp = any_origin_server.request("OPTIONS", path, headers=PREFLIGHT)
        assert resp.status == 204, path
        assert _allow_origin(resp) == ["*"], path
        assert "Authorization" in resp.headers["Access-Control-Allow-Headers"]
        assert "Content-Type" in resp.headers["Access-Control-Allow-Headers"]
        for method in ("GET", "POST", "DELETE"):
            assert method in resp.headers["Access-Control-Allow-Methods"]
        assert "Access-Control-Allow-Credentials" not in resp.headers
        assert len(_cors_names(resp)) == len(set(_cors_names(resp)))  # no header twice


def test_actual_responses_have_exactly_one_star(any_origin_server: Server) -> None:
    created = any_origin_server.request("POST", BASE, {}, headers={"Origin": SITE})
    assert created.status == 201 and _allow_origin(created) == ["*"]
    said = _post_message(any_origin_server, SITE)
    assert said.status == 200 and _allow_origin(said) == ["*"]
    error = any_origin_server.request("GET", BASE, headers={"Origin": SITE})
    assert error.status == 405 and _allow_origin(error) == ["*"]
    assert "Retry-After" in error.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in said.headers
    script = any_origin_server.request("GET", "/widget/widget.js", headers={"Origin": SITE})
    assert script.status == 200 and _allow_origin(script) == ["*"]


@pytest.mark.parametrize("origin", [SITE, "https://alver.kommune.no"])
def test_allow_list_echoes_a_listed_origin(allow_list_server: Server, origin: str) -> None:
    pre = allow_list_server.request("OPTIONS", BASE, headers={**PREFLIGHT, "Origin": origin})
    assert pre.status == 204 and _allow_origin(pre) == [origin]
    assert "Origin" in (pre.headers.get_all("Vary") or [])
    said = _post_message(allow_list_server, origin)
    assert said.status == 200 and _allow_origin(said) == [origin]
    assert "Origin" in (said.headers.get_all("Vary") or [])


def test_allow_list_gives_no_header_to_other_origins(allow_list_server: Server) -> None:
    pre = allow_list_server.request("OPTIONS", BASE, headers={**PREFLIGHT, "Origin": OTHER})
    assert _allow_origin(pre) == []
    assert "Access-Control-Allow-Headers" not in pre.headers
    said = _post_message(allow_list_server, OTHER)
    assert said.status == 200 and _allow_origin(said) == []


@pytest.mark.parametrize(
    ("origin", "allowed", "expected"),
    [
        (SITE, (), "*"),
        (None, (), "*"),
        (SITE, (SITE,), SITE),
        (SITE + "/", (SITE,), SITE + "/"),
        ("HTTPS://WWW.ALVER.KOMMUNE.NO", (SITE,), "HTTPS://WWW.ALVER.KOMMUNE.NO"),
        (OTHER, (SITE,), None),
        (None, (SITE,), None),
    ],
)
def test_policy_allow_origin(origin: str | None, allowed: tuple[str, ...], expected: Any) -> None:
    assert CorsPolicy(allowed).allow_origin(origin) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ()),
        (" ", ()),
        (SITE, (SITE,)),
        (f"{SITE}/, https://Alver.Kommune.no ,{SITE}", (SITE, "https://alver.kommune.no")),
        ("http://127.0.0.1:8080", ("http://127.0.0.1:8080",)),
    ],
)
def test_parse_origins(raw: str, expected: tuple[str, ...]) -> None:
    assert parse_origins(raw) == expected


@pytest.mark.parametrize("raw", ["www.alver.kommune.no", "https://x.no/chat", "ftp://x.no"])
def test_bad_allowed_origins_name_the_setting(tmp_path: Any, raw: str) -> None:
    with pytest.raises(SettingsError, match="WIDGET_ALLOWED_ORIGINS"):
        WebSettings.from_env(
            {"BOT_SECRET_KEY": "k" * 40, "WIDGET_ALLOWED_ORIGINS": raw}, root=tmp_path
        )


def test_console_gets_no_cors_headers(any_origin_server: Server) -> None:
    any_origin_server.add_staff("kari", "Kari")
    kari = any_origin_server.login("kari")
    for method, path in (("GET", "/me"), ("OPTIONS", "/me"), ("GET", "/queue")):
        resp = any_origin_server.request(
            method,
            "/console/api" + path,
            headers={"Cookie": kari.cookie, **PREFLIGHT, "Origin": OTHER},
        )
        assert _cors_names(resp) == [], (method, path)


def test_texts_have_exactly_one_cors_header(any_origin_server: Server) -> None:
    resp = any_origin_server.request("GET", "/texts/widget.json?lang=nn", headers={"Origin": OTHER})
    assert resp.status == 200
    assert _allow_origin(resp) == ["*"]
    assert "access-control-allow-credentials" not in _cors_names(resp)


@pytest.mark.parametrize(("origin", "expected"), [(SITE, [SITE]), (OTHER, [])])
def test_texts_follow_the_widgets_allow_list(
    allow_list_server: Server, origin: str, expected: list[str]
) -> None:
    resp = allow_list_server.request(
        "GET", "/texts/widget.json?lang=nb", headers={"Origin": origin}
    )
    assert resp.status == 200
    assert _allow_origin(resp) == expected
