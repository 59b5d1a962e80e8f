"""Stored XSS, citizen → staff and staff → citizen, on every page (issue 11).

Three layers, each checked over everything the app serves, so a new page is covered:

* no page script has an HTML sink (``innerHTML``, ``outerHTML``, ``insertAdjacentHTML``,
  ``document.write``, ``eval``, ``new Function``, string ``setTimeout``): text from the
  server only ever becomes text (the browser tests show it for the widget);
* every HTML page of the console, editor, admin, insight and bookings is served with a CSP
  that runs only the site's own files (no ``unsafe-inline``/``unsafe-eval``) and has no inline
  script or ``on…=`` handler, so injected markup could not run even if a sink slipped in;
* markup typed by a citizen or a staff member comes back as the same plain JSON string on
  every API that shows it (queue, conversation, history, events, insight inbox, bookings),
  and the text downloads (transcript, export, report CSV) are ``text/plain``/``text/csv``
  with ``nosniff``, never HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.handoff.booking_service import submit
from bot.kb import KnowledgeBase
from bot.web.settings import WebSettings

from .conftest import ROOT, FakeClock, Server
from .fullapp import FullServer, app_routes, full_server

STATIC = ROOT / "bot" / "web" / "static"
SINKS = re.compile(
    r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\beval\s*\(|new\s+Function\b"
    r"|setTimeout\s*\(\s*['\"`]|setInterval\s*\(\s*['\"`]"
)
MARKUP = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


@pytest.mark.parametrize(
    "script", sorted(STATIC.rglob("*.js")), ids=lambda p: str(p.relative_to(STATIC))
)
def test_no_page_script_turns_text_into_html(script: Path) -> None:
    found = [
        f"{n}: {line.strip()}"
        for n, line in enumerate(script.read_text("utf-8").splitlines(), 1)
        if SINKS.search(line) and not line.lstrip().startswith("//")
    ]
    assert found == []


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.inline.append("inline <script>")
        self.inline += [f"<{tag} {name}=>" for name in names if name.startswith("on")]


@pytest.fixture
def full(
    settings: WebSettings, clock: FakeClock, kb: KnowledgeBase, tmp_path: Path
) -> Iterator[FullServer]:
    yield from full_server(settings, clock, kb, tmp_path)


def _pages(server: FullServer) -> list[str]:
    """Every staff page of the app: the page routes, and each .html file of their folders."""
    pages = []
    for route in app_routes(server.app):
        if "GET" not in route.methods or "/api" in route.path:
            continue
        if not route.path.startswith("/console") or "<" in route.path or ".json" in route.path:
            continue
        pages.append(route.path.rstrip("/") + "/")
    for folder in ("console", "editor", "insight", "bookings"):
        prefix = "/console/" if folder == "console" else f"/console/{folder}/"
        pages += [prefix + p.name for p in sorted((STATIC / folder).glob("*.html"))]
    return sorted(set(pages))


def test_every_staff_page_has_a_strict_csp_and_no_inline_script(full: FullServer) -> None:
    pages = _pages(full)
    assert len(pages) >= 8  # console, editor, admin, insight, bookings (routes and files)
    wrong = []
    for page in pages:
        resp = full.request("GET", page)
        if resp.status != 200:
            wrong.append(f"{page}: {resp.status}")
            continue
        policy = resp.headers.get("Content-Security-Policy", "")
        script_src = re.search(r"script-src ([^;]*)", policy)
        if not script_src or script_src.group(1).strip() != "'self'":
            wrong.append(f"{page}: script-src is {script_src and script_src.group(1)!r}")
        if "unsafe-" in policy or "frame-ancestors 'none'" not in policy:
            wrong.append(f"{page}: weak policy {policy!r}")
        parser = _Page()
        parser.feed(resp.text)
        wrong += [f"{page}: {item}" for item in parser.inline]
    assert wrong == []


def _world(server: Server) -> tuple[str, str, dict[str, str]]:
    server.add_staff("kari", "Kari", "admin")
    kari = server.login("kari")
    kari.queue()
    citizen = server.new_conversation()
    citizen.say(MARKUP)
    assert citizen.say("menneske")["state"] == "waiting"
    cid = citizen.conversation_id
    assert kari.call("POST", f"/conversations/{cid}/claim").status == 200
    assert kari.call("POST", f"/conversations/{cid}/messages", {"text": MARKUP}).status == 201
    assert kari.call("POST", f"/conversations/{cid}/notes", {"text": MARKUP}).status in (200, 201)
    submit(
        server.store,
        conversation_id=cid,
        topic="byggesak",
        place="manger",
        days=[date(2026, 11, 30)],
        name=MARKUP[:40],
        description=MARKUP,
        language="nn",
    )
    headers = {"Cookie": kari.cookie, "X-CSRF-Token": kari.csrf}
    return cid, citizen.token, headers


def test_markup_comes_back_as_the_same_plain_json_string_everywhere(full: FullServer) -> None:
    cid, token, staff = _world(full)
    citizen = {"Authorization": f"Bearer {token}"}
    views = {
        f"/webhooks/alver/conversations/{cid}/events?after=0&wait=0": citizen,
        f"/console/api/conversations/{cid}": staff,
        "/console/api/queue?wait=0": staff,
        "/console/bookings/api/bookings": staff,
        "/console/insight/api/inbox": staff,
    }
    for path, headers in views.items():
        resp = full.request("GET", path, headers=headers)
        assert resp.status == 200, (path, resp.body)
        assert resp.headers["Content-Type"].startswith("application/json"), path
        if "queue" not in path and "inbox" not in path:
            assert MARKUP in resp.json.__repr__() or MARKUP[:40] in repr(resp.json), path
        assert "&lt;" not in resp.text, f"{path}: escaped twice would show as text garbage"


@pytest.mark.parametrize(
    ("path", "who", "kind"),
    [
        ("/webhooks/alver/conversations/{cid}/transcript", "citizen", "text/plain"),
        ("/console/api/conversations/{cid}/export.txt", "staff", "text/plain"),
        ("/console/insight/api/report/samandrag.csv", "staff", "text/csv"),
    ],
)
def test_text_downloads_are_never_html(full: FullServer, path: str, who: str, kind: str) -> None:
    cid, token, staff = _world(full)
    headers = {"Authorization": f"Bearer {token}"} if who == "citizen" else staff
    resp = full.request("GET", path.format(cid=cid), headers=headers)
    assert resp.status == 200, resp.body
    assert resp.headers["Content-Type"].startswith(kind)
    assert resp.headers.get("X-Content-Type-Options") == "nosniff"
