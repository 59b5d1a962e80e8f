"""Fuzz test: over 10,000 generated requests to every public endpoint, never a 5xx or a hang.

A seeded generator (deterministic: a failure is reproduced by running the test again) sends
bad input to every route of the in-process server with EVERY channel of ``credentials.yml``
(citizen API, console, editor and admin, insight, rating, bookings, widget files, texts and
Rasa's REST channel) and the scripted fake bot: long text, invalid UTF-8,
control characters, emoji, HTML, lone surrogates, NUL, JSON of the wrong shape (lists,
numbers, null, strings for objects, extra keys, wrong types), bodies close to the body cap,
deeply nested bodies, bad query strings, ids and tokens, and every HTTP method on every path.

Every answer must be a 2xx or a 4xx (API errors as JSON with ``error`` and ``message``),
within a per-request timeout, and the process's memory must be flat afterwards.

The routes are read from the app's router: every route must be fuzzed (``fuzz_routes.ROUTES``
or the hand-written fuzzers below) or excluded with a reason, and every fuzzed route must
have been reached past its sign-in checks, so a new route cannot slip past.
"""

from __future__ import annotations

import gc
import http.client
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sanic.exceptions import MethodNotSupported, NotFound

from bot.handoff.booking_service import submit
from bot.kb import KnowledgeBase
from bot.web.http import MAX_BODY_BYTES
from bot.web.settings import WebSettings

from . import fuzz_routes
from .conftest import STAFF_PASSWORD, Citizen, FakeClock, Server, Staff
from .fullapp import FullServer, full_server, route_keys

SEED = 20261127
TOTAL_REQUESTS = 10_500
TIMEOUT_SECONDS = 5.0
MAX_RSS_GROWTH_BYTES = 40 * 1024 * 1024
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD")


# ----- generators ---------------------------------------------------------------------------

WORDS = ["opningstider", "Manger", "Knarvik", "kva", "når", "ope", "åpent", "hei", "takk"]
SPECIAL = [
    "\x00",
    "\ud800",  # a lone surrogate: json.dumps writes it as the escape \ud800
    "\udfff",
    "\u202e",  # right-to-left override
    "\u200b",
    "\ufeff",
    "\ufffd",
    "😀",
    "👩🏽‍💻",
    "🇳🇴",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(1)",
    "'; DROP TABLE conversations; --",
    "%s%s%n{0}{}",
    "../../etc/passwd",
    "/restart",
    "/session_start",
    '/greet{"language":{"a":1}}',
    "menneske",
    "snakke",
    "\r\n",
    "\t",
    "\x1b[31m",
    "\x7f",
    "\u0085",
    "ø" * 50,
]


class Gen:
    """Random inputs from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def text(self) -> str:
        kind = self.r.randrange(9)
        if kind == 0:
            return " ".join(self.r.choice(WORDS) for _ in range(self.r.randint(1, 8)))
        if kind == 1:  # long: around the 1000-character limit and beyond
            return "a" * self.r.choice([999, 1000, 1001, 5000, 30000])
        if kind == 2:  # control characters
            return "".join(chr(self.r.randrange(0, 32)) for _ in range(self.r.randint(1, 20)))
        if kind == 3:  # any code point, surrogates included
            return "".join(chr(self.r.randrange(0, 0x110000)) for _ in range(self.r.randint(1, 40)))
        if kind == 4:
            return self.r.choice(["", " ", "\n", "\u3000", "\x00"])
        return "".join(self.r.choice(SPECIAL + WORDS) for _ in range(self.r.randint(1, 6)))

    def scalar(self) -> Any:
        return self.r.choice(
            [
                None,
                True,
                False,
                0,
                -1,
                1,
                2**31,
                2**63,
                2**64 + 1,
                -(2**63) - 1,
                10**400,
                1.5,
                -0.0,
                1e308,
                self.text(),
                "1",
                "nn",
                "nb",
            ]
        )

    def value(self, depth: int = 0) -> Any:
        kind = self.r.randrange(10)
        if depth < 4 and kind == 0:
            return [self.value(depth + 1) for _ in range(self.r.randint(0, 4))]
        if depth < 4 and kind == 1:
            return {self.text(): self.value(depth + 1) for _ in range(self.r.randint(0, 4))}
        return self.scalar()

    def body(self, fields: dict[str, Callable[[], Any]]) -> bytes | None:
        """A body for a route that expects ``fields``: mostly near-valid, often wrong."""
        kind = self.r.randrange(20)
        if kind == 0:
            return None
        if kind == 1:  # invalid UTF-8 and broken JSON
            return self.r.choice(
                [b'{"text": "\xff\xfe"}', b"\xc3\x28", b'{"text": "a"', b"{", b"nul", b"\x00" * 10]
            )
        if kind == 2:  # JSON, but not an object
            return json.dumps(self.r.choice([[], [1, 2], 3, None, "text", True, 1.5])).encode()
        if kind == 3:  # close to (or over) the body cap
            size = self.r.choice([MAX_BODY_BYTES - 100, MAX_BODY_BYTES + 10, 200_000])
            return json.dumps({name: "x" * size for name in list(fields)[:1] or ["text"]}).encode()
        if kind == 4:  # deeply nested
            depth = self.r.choice([25, 100, 999, 1000, 5000, 30_000])
            return b'{"text": ' + b"[" * depth + b"]" * depth + b"}"
        if kind == 5:
            return json.dumps(self.value()).encode()
        data: dict[str, Any] = {}
        for name, valid in fields.items():
            roll = self.r.random()
            if roll < 0.55:
                data[name] = valid()
            elif roll < 0.9:
                data[name] = self.value()
        if self.chance(0.2):
            data[self.text()] = self.value()
        return json.dumps(data).encode()

    def query_value(self) -> str:
        return self.r.choice(
            [
                "0",
                "1",
                "-1",
                "abc",
                "",
                "99999999999999999999999999",
                "1e3",
                "0x10",
                " 2",
                "١",
                "%ff%fe",
                "%00",
                "1.5",
                "nan",
            ]
        )

    def path_part(self) -> str:
        raw = self.r.choice(
            [
                "x",
                "0",
                "-1",
                str(2**64),
                "a" * 2000,
                "..",
                "%2e%2e",
                "%ff",
                "%00",
                "😀",
                "<b>",
                "con.json",
                "widget.json",
                "index.html",
                "widget.js",
                ".env",
            ]
        )
        return raw if "%" in raw else quote(raw, safe="")


# ----- client -----------------------------------------------------------------------------


@dataclass
class Outcome:
    method: str
    path: str
    status: int
    body: bytes


@dataclass
class Fuzzer:
    server: Server
    gen: Gen
    staff: Staff
    citizens: list[Citizen] = field(default_factory=list)
    claimed: list[Citizen] = field(default_factory=list)
    sent: int = 0
    failures: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    conn: http.client.HTTPConnection | None = None
    hits: dict[str, Counter[int]] = field(default_factory=dict)
    faq_ids: list[str] = field(default_factory=list)
    spare_user_ids: list[int] = field(default_factory=list)
    booking_ids: list[int] = field(default_factory=list)
    plain_staff: Staff | None = None
    route_choices: list[str] = field(default_factory=fuzz_routes.route_choices)

    def send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Outcome:
        self.sent += 1
        path = quote(path, safe="/?&=%;:@!$'()*+,")  # non-ASCII and spaces percent-encoded
        started = time.monotonic()
        outcome = self._exchange(method, path, body, headers)
        if outcome.status == -1:  # the server closed a kept-alive connection: once more
            outcome = self._exchange(method, path, body, headers)
        self.statuses[outcome.status] = self.statuses.get(outcome.status, 0) + 1
        self._record(method, path, outcome.status)
        self._check(outcome, body, time.monotonic() - started)
        return outcome

    def _exchange(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> Outcome:
        """One request on the kept-alive connection (a new one after any error)."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(
                "127.0.0.1", self.server.port, timeout=TIMEOUT_SECONDS
            )
        try:
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
            outcome = Outcome(method, path, resp.status, resp.read())
            if resp.will_close:
                self.close()
        except TimeoutError:
            outcome = Outcome(method, path, 0, b"timeout")
            self.close()
        except (ConnectionError, http.client.HTTPException) as exc:
            outcome = Outcome(method, path, -1, repr(exc).encode())
            self.close()
        return outcome

    def _record(self, method: str, path: str, status: int) -> None:
        """Count the answer under the route (``"METHOD /template"``) the router picks."""
        try:
            route = self.server.app.router.get(path.split("?", 1)[0], method, None)[0]
        except (NotFound, MethodNotSupported):
            return
        key = f"{method} /" + route.path.lstrip("/")
        self.hits.setdefault(key, Counter())[status] += 1

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _check(self, outcome: Outcome, body: bytes | None, seconds: float) -> None:
        ok = 200 <= outcome.status < 500 and outcome.status not in (301, 302)
        api = outcome.path.startswith(
            ("/webhooks/alver", "/console/api", "/console/insight/api", "/console/bookings/api")
            + ("/texts",)
        )  # Rasa's REST channel answers Sanic's JSON errors ("description", "message")
        if ok and api and outcome.status >= 400 and outcome.method != "HEAD":
            try:
                data = json.loads(outcome.body)
                ok = isinstance(data, dict) and bool(data.get("error") and data.get("message"))
            except ValueError:
                ok = False
        if not ok or seconds > TIMEOUT_SECONDS:
            sample = (body or b"")[:120]
            self.failures.append(
                f"{outcome.method} {outcome.path[:120]} body={sample!r} -> "
                f"{outcome.status} {outcome.body[:200]!r} in {seconds:.1f} s"
            )

    # ----- helpers -----

    def citizen(self) -> Citizen:
        return self.gen.r.choice(self.citizens)

    def citizen_headers(self, citizen: Citizen) -> dict[str, str]:
        headers = {"Content-Type": self.gen.r.choice(["application/json", "text/plain", ""])}
        roll = self.gen.r.random()
        if roll < 0.8:
            headers["Authorization"] = f"Bearer {citizen.token}"
        elif roll < 0.85:
            headers["Authorization"] = f"Bearer {self.gen.r.choice(self.citizens).token}"
        elif roll < 0.95:
            headers["Authorization"] = self.gen.r.choice(
                ["Bearer", "Bearer ", "Basic abc", "Bearer \xff\xfe", "Bearer " + "a" * 5000]
            )
        return headers

    @staticmethod
    def staff_headers_of(staff: Staff) -> dict[str, str]:
        """Signed in as ``staff``, with the CSRF token."""
        return {
            "Content-Type": "application/json",
            "Cookie": staff.cookie,
            "X-CSRF-Token": staff.csrf,
        }

    def staff_headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        roll = self.gen.r.random()
        if roll < 0.04 and self.plain_staff is not None:  # a signed-in member of staff role
            headers["Cookie"] = self.plain_staff.cookie
            headers["X-CSRF-Token"] = self.plain_staff.csrf
        elif roll < 0.85:
            headers["Cookie"] = self.staff.cookie
            headers["X-CSRF-Token"] = self.staff.csrf
        elif roll < 0.9:
            headers["Cookie"] = self.staff.cookie
            headers["X-CSRF-Token"] = self.gen.r.choice(["", "x", "\xff" * 10, "a" * 500])
        elif roll < 0.95:
            headers["Cookie"] = self.gen.r.choice(
                ["alver_console=", "alver_console=" + "a" * 300, "alver_console=\xff", "x=y"]
            )
        return headers

    def conversation_path(self, citizen: Citizen) -> str:
        if self.gen.chance(0.9):
            return f"/conversations/{citizen.conversation_id}"
        return "/conversations/" + self.gen.path_part()

    def relogin(self) -> None:
        self.server.state.login_limiter.reset()
        self.staff = self.server.login("kari")

    def book(self, citizen: Citizen) -> None:
        """A meeting request in the citizen's conversation (the bookings routes need some)."""
        booking = submit(
            self.server.store,
            conversation_id=citizen.conversation_id,
            topic="byggesak",
            place="manger",
            days=[date(2026, 11, 30), date(2026, 12, 1)],
            name="Kari Nordmann",
            description="Garasjen",
            language="nn",
        )
        self.booking_ids = [*self.booking_ids[-5:], booking.id]

    def refill(self) -> None:
        """Replace deleted conversations; keep some claimed by the signed-in staff member."""
        alive = []
        for citizen in self.citizens:
            if self.server.store.conversations.get(citizen.conversation_id) is not None:
                alive.append(citizen)
        while len(alive) < 6:
            alive.append(self.server.new_conversation())
            self.book(alive[-1])
        self.citizens = alive
        claimed = self.server.new_conversation()
        if claimed.say("menneske")["state"] == "waiting":
            self.staff.call("POST", f"/conversations/{claimed.conversation_id}/claim")
        self.claimed = [*self.claimed[-3:], claimed]
        self.citizens.append(claimed)


# ----- endpoints ----------------------------------------------------------------------------


def fuzz_citizen(f: Fuzzer) -> None:
    g, citizen = f.gen, f.citizen()
    base = "/webhooks/alver"
    conv = base + f.conversation_path(citizen)
    target = g.r.randrange(12)
    headers = f.citizen_headers(citizen)
    if target == 0:
        body = g.body({"language": lambda: g.r.choice(["nn", "nb", "en", ""])})
        f.send("POST", base + "/conversations", body, headers)
    elif target in (1, 2, 3):
        fields: dict[str, Callable[[], Any]] = {"text": g.text}
        if g.chance(0.3):
            fields["payload"] = lambda: g.r.choice(["/affirm", "/deny", "/restart", g.text()])
        f.send("POST", conv + "/messages", g.body(fields), headers)
    elif target == 4:
        query = "&".join(f"{name}={g.query_value()}" for name in ("after", "wait") if g.chance(0.8))
        f.send("GET", f"{conv}/events?{query}", None, headers)
    elif target == 5:
        f.send("POST", conv + "/typing", g.body({}), headers)
    elif target == 6:
        fields = {"message_id": lambda: g.r.randint(1, 50), "value": lambda: g.r.choice([1, -1])}
        f.send("POST", conv + "/feedback", g.body(fields), headers)
    elif target == 7:
        f.send("GET", conv + "/transcript", None, headers)
    elif target == 8:
        fields = {
            "question": g.text,
            "contact": lambda: g.r.choice(["ola@example.no", "912 34 567", g.text()]),
        }
        f.send("POST", conv + "/offline-request", g.body(fields), headers)
    elif target == 9:
        f.send("POST", conv + "/cancel-waiting", g.body({}), headers)
    elif target == 10 and g.chance(0.2):
        f.send("DELETE", conv, None, headers)
    else:
        suffix = g.r.choice(["", "/", "/messages", "/events", "/x", "/" + g.path_part()])
        f.send(g.r.choice(METHODS), g.r.choice([conv, base]) + suffix, g.body({}), headers)


def fuzz_staff(f: Fuzzer) -> None:
    g = f.gen
    api = "/console/api"
    target_citizen = g.r.choice(f.claimed or f.citizens)
    conv = api + f.conversation_path(target_citizen)
    headers = f.staff_headers()
    target = g.r.randrange(14)
    text_body: dict[str, Callable[[], Any]] = {"text": g.text}
    if target == 0:
        f.server.state.login_limiter.reset()
        fields = {
            "username": lambda: g.r.choice(["kari", "KARI", g.text()]),
            "password": lambda: g.r.choice([STAFF_PASSWORD, g.text()]),
        }
        f.send("POST", api + "/login", g.body(fields), {"Content-Type": "application/json"})
    elif target == 1:
        f.send("GET", api + "/me", None, headers)
    elif target == 2:
        query = "&".join(f"{name}={g.query_value()}" for name in ("wait", "since") if g.chance(0.8))
        f.send("GET", f"{api}/queue?{query}", None, headers)
    elif target == 3:
        query = "&".join(f"{name}={g.query_value()}" for name in ("after", "wait") if g.chance(0.8))
        f.send("GET", f"{conv}?{query}", None, headers)
    elif target in (4, 5):
        f.send("POST", conv + "/messages", g.body(text_body), headers)
    elif target == 6:
        f.send("POST", conv + "/notes", g.body(text_body), headers)
    elif target == 7:
        action = g.r.choice(["/claim", "/typing", "/hand-back", "/close"])
        f.send("POST", conv + action, g.body({}), headers)
    elif target == 8:
        f.send("GET", api + "/canned-replies", None, headers)
    elif target == 9:
        f.send("GET", f"{api}/offline-requests?open={g.query_value()}", None, headers)
    elif target == 10:
        request_id = g.r.choice(["1", "2", "0", "-5", str(2**63), str(2**80), "abc"])
        f.send("POST", f"{api}/offline-requests/{request_id}/answered", g.body({}), headers)
    elif target == 11 and g.chance(0.05):
        outcome = f.send("POST", api + "/logout", g.body({}), headers)
        if outcome.status == 204:
            f.relogin()
    else:
        suffix = g.r.choice(["/me", "/queue", "/x/y", "/" + g.path_part(), ""])
        f.send(g.r.choice(METHODS), g.r.choice([api, conv]) + suffix, g.body({}), headers)


def fuzz_workday(f: Fuzzer) -> None:
    """wp-console: status, transfer, requeue, history, export, own canned replies, leave."""
    g = f.gen
    api = "/console/api"
    target_citizen = g.r.choice(f.claimed or f.citizens)
    conv = api + f.conversation_path(target_citizen)
    headers = f.staff_headers()
    target = g.r.randrange(8)
    ids = ["1", "2", "0", "-5", str(2**63), "abc"]
    if target == 0:
        fields = {
            "status": lambda: g.r.choice(["available", "break", "busy", g.text()]),
            "max_chats": lambda: g.r.choice([1, 3, 0, 21, "3", None, 2**70]),
        }
        f.send("POST", api + "/status", g.body(fields), headers)
    elif target == 1:
        fields = {"to": lambda: g.r.choice([1, 2, 0, -1, "1", 2**70]), "note": g.text}
        f.send("POST", conv + "/transfer", g.body(fields), headers)
    elif target == 2:
        f.send("POST", conv + "/requeue", g.body({"note": g.text}), headers)
    elif target == 3:
        names = ("q", "from", "to", "staff", "topic")
        query = "&".join(f"{name}={g.query_value()}" for name in names if g.chance(0.5))
        f.send("GET", f"{api}/history?{query}", None, headers)
    elif target == 4:
        kind = g.r.choice(["txt", "pdf"])
        f.send("GET", f"{conv}/export.{kind}?lang={g.query_value()}", None, headers)
    elif target == 5:
        fields = {
            "title": g.text,
            "text": g.text,
            "language": lambda: g.r.choice(["nn", "nb", "en", None, g.text()]),
            "team": lambda: g.r.choice([True, False, "yes"]),
        }
        method, path = g.r.choice([("POST", ""), ("PUT", "/" + g.r.choice(ids))])
        f.send(method, api + "/own-replies" + path, g.body(fields), headers)
    elif target == 6 and g.chance(0.3):
        f.send("GET", api + "/own-replies", None, headers)
    elif target == 6:
        f.send(
            g.r.choice(["GET", "DELETE"]), api + "/own-replies/" + g.r.choice(ids), None, headers
        )
    else:
        citizen = g.r.choice(f.citizens)
        body = g.r.choice([{"token": citizen.token}, {"token": g.text()}, {}])
        raw = json.dumps(body).encode()
        f.send("POST", citizen.base + "/leave", raw, {"Content-Type": "text/plain"})


def fuzz_static(f: Fuzzer) -> None:
    g = f.gen
    prefix = g.r.choice(["/widget/", "/console/", "/texts/"])
    name = g.path_part()
    query = f"?lang={g.query_value()}" if g.chance(0.3) else ""
    method = "GET" if g.chance(0.8) else g.r.choice(METHODS)
    f.send(method, prefix + name + query, None, {})


def fuzz_table(f: Fuzzer) -> None:
    """Routes of the editor, admin, insight, bookings, pages and REST (``fuzz_routes``)."""
    fuzz_routes.fuzz_route(f)


# ----- the test -----------------------------------------------------------------------------


def _rss_bytes() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    import resource

    return pages * resource.getpagesize()


@pytest.fixture
def fuzz_server(
    settings: WebSettings, clock: FakeClock, kb: KnowledgeBase, tmp_path: Path
) -> Iterator[FullServer]:
    # No waiting in long-polls (every wait is clamped to 0), no limits but the login limiter.
    quick = replace(
        settings,
        long_poll_seconds=0,
        rate_limit_conversation_per_min=1_000_000,
        rate_limit_ip_per_min=1_000_000,
    )
    yield from full_server(quick, clock, kb, tmp_path)


PAST_SIGN_IN_MIN = 3
"""Answers a fuzzed route must give past its sign-in checks (not 401, 403 or 405)."""


def test_fuzz_tables_name_every_route_of_the_app_once(fuzz_server: FullServer) -> None:
    routes = route_keys(fuzz_server.app)
    tables = [set(fuzz_routes.ROUTES), fuzz_routes.HAND_FUZZED, set(fuzz_routes.EXCLUDED)]
    named = set().union(*tables)
    assert routes - named == set(), "routes neither fuzzed nor excluded (with a reason): " + (
        fuzz_routes.describe(routes - named)
    )
    assert named - routes == set(), "table entries without a route: " + fuzz_routes.describe(
        named - routes
    )
    assert sum(len(t) for t in tables) == len(named), "a route is in more than one table"
    assert all(reason.strip() for reason in fuzz_routes.EXCLUDED.values())


def test_fuzz_every_endpoint(fuzz_server: FullServer) -> None:
    server = fuzz_server
    server.add_staff("kari", "Kari", "admin")
    server.add_staff("ola", "Ola", "staff")
    for spare in ("spare1", "spare2", "spare3"):
        server.add_staff(spare, "Reserve", "editor")
    users = {user.username: user.id for user in server.store.users.list()}
    fuzzer = Fuzzer(server, Gen(SEED), server.login("kari"))
    fuzzer.plain_staff = server.login("ola")
    fuzzer.spare_user_ids = [users[name] for name in ("spare1", "spare2", "spare3")]
    fuzzer.faq_ids = [entry.id for entry in server.state.knowledge_base().faq][:8]
    fuzzer.refill()
    fuzz_routes.warm_up(fuzzer)
    endpoints = (
        [fuzz_citizen] * 4 + [fuzz_staff] * 3 + [fuzz_static] + [fuzz_workday] + [fuzz_table] * 3
    )
    started = time.monotonic()
    baseline = 0
    while fuzzer.sent < TOTAL_REQUESTS:
        if fuzzer.sent % 500 < 1:
            fuzzer.refill()
        if not baseline and fuzzer.sent >= 1500:  # after warm-up: caches, pools, imports
            gc.collect()
            baseline = _rss_bytes()
        fuzzer.gen.r.choice(endpoints)(fuzzer)
    fuzzer.close()
    gc.collect()
    growth = _rss_bytes() - baseline
    seconds = time.monotonic() - started
    print(
        f"\nfuzz: {fuzzer.sent} requests in {seconds:.1f} s, RSS growth "
        f"{growth / 2**20:.1f} MiB, statuses {dict(sorted(fuzzer.statuses.items()))}"
    )
    assert fuzzer.failures == [], "\n".join(fuzzer.failures[:20])
    assert growth < MAX_RSS_GROWTH_BYTES
    # The generator reaches the normal answers too, not only the errors.
    for status in (200, 201, 204, 400, 401, 403, 404, 405, 413):
        assert fuzzer.statuses.get(status, 0) > 0, (status, fuzzer.statuses)
    # Every fuzzed route was reached, and got past its sign-in checks a few times.
    fuzzed = set(fuzz_routes.ROUTES) | fuzz_routes.HAND_FUZZED
    past = {
        key: sum(
            n
            for status, n in fuzzer.hits.get(key, Counter()).items()
            if status not in (401, 403, 405)
        )
        for key in fuzzed
    }
    short = {key: n for key, n in past.items() if n < PAST_SIGN_IN_MIN}
    assert short == {}, f"routes hardly reached past sign-in: {short}"
