"""The fuzz test's table of routes: what to send to each, and which routes are left out.

``ROUTES`` maps ``"METHOD /path"`` (the path template of Sanic's router) to the body
fields that route reads (each with a generator of near-valid values) and its query
parameters. :func:`fuzz_route` picks one entry, fills the path parameters (real ids
most of the time, junk otherwise), signs in the way the route needs, and sends it.
The test fails when the app has a route that is in neither ``ROUTES``, the older
hand-written fuzzers of ``test_fuzz.py`` (``HAND_FUZZED``) nor ``EXCLUDED``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .fullapp import AppRoute

if TYPE_CHECKING:
    from .test_fuzz import Fuzzer, Gen

Field = Callable[["Gen"], Any]


@dataclass(frozen=True)
class Spec:
    """What one route reads: body fields (with near-valid values) and query parameters."""

    fields: dict[str, Field] = field(default_factory=dict)
    query: tuple[str, ...] = ()
    weight: int = 1


def _pick(*options: Any) -> Field:
    return lambda g: g.r.choice(options)


def _texts(g: Gen) -> Any:
    if g.chance(0.7):
        return {lang: g.text() for lang in ("nn", "nb", "en") if g.chance(0.8)}
    return g.value()


def _list_of_text(g: Gen) -> Any:
    if g.chance(0.7):
        return [g.text() for _ in range(g.r.randint(0, 4))]
    return g.value()


def _date(g: Gen) -> Any:
    return g.r.choice(["2026-12-24", "2026-02-30", "24.12.2026", "2026-12-01", g.text(), 20261224])


def _hours(g: Gen) -> Any:
    if g.chance(0.7):
        days = ("monday", "tuesday", "friday", "sunday", "blursday")
        return {g.r.choice(days): g.r.choice(["09:00-15:00", "25:00-26:00", g.text()])}
    return g.value()


def _csv(g: Gen) -> Any:
    header = "id;question_nn;answer_nn\n"
    return g.r.choice(
        [header + f"x;{g.text()};{g.text()}\n", g.text(), header, "\ufeff" + header, g.value()]
    )


_TEXT: Field = lambda g: g.text()  # noqa: E731 - a table of small generators
_VERSION: Field = _pick("", "abc", "0" * 64, None, 1)
_EDITOR = "/console/api/editor"
_ADMIN = "/console/api/admin"
_INSIGHT = "/console/insight/api"
_BOOKINGS = "/console/bookings/api/bookings"
_CONV = "/webhooks/alver/conversations/<conversation_id:str>"

ROUTES: dict[str, Spec] = {
    # ----- editor (issue 8) -----
    f"GET {_EDITOR}/faq": Spec(query=("q",)),
    f"POST {_EDITOR}/faq": Spec(
        {
            "id": _pick("ny_faq", "kortare_opningstid", "", "Å b", "x" * 200),
            "questions": _list_of_text,
            "answer": _texts,
            "link": _pick("https://www.alver.kommune.no/", "javascript:alert(1)", ""),
            "checked": _pick(True, False, "yes"),
        }
    ),
    f"GET {_EDITOR}/faq.csv": Spec(),
    f"POST {_EDITOR}/faq/import": Spec(
        {"csv": _csv, "apply": _pick(True, False, 1), "version": _VERSION}
    ),
    f"GET {_EDITOR}/faq/<ident:str>": Spec(),
    f"PUT {_EDITOR}/faq/<ident:str>": Spec(
        {"questions": _list_of_text, "answer": _texts, "link": _TEXT, "version": _VERSION}
    ),
    f"POST {_EDITOR}/faq/<ident:str>/phrasings": Spec({"phrasing": _TEXT, "version": _VERSION}),
    f"POST {_EDITOR}/faq/<ident:str>/retire": Spec({"version": _VERSION}),
    f"GET {_EDITOR}/desks": Spec(),
    f"PUT {_EDITOR}/desks/<ident:str>": Spec(
        {
            "opening_hours": _hours,
            "address": lambda g: {"text": _texts(g), "map_url": g.text()},
            "version": _VERSION,
        }
    ),
    f"GET {_EDITOR}/closures": Spec(),
    f"POST {_EDITOR}/closures": Spec(
        {
            "from": _date,
            "to": _date,
            "hours": _pick("", "10:00-12:00", "x"),
            "reason": _texts,
            "locations": lambda g: g.r.choice([["manger"], ["nowhere"], [1], g.value()]),
            "version": _VERSION,
        }
    ),
    f"POST {_EDITOR}/closures/<index:int>/remove": Spec({"version": _VERSION}),
    f"GET {_EDITOR}/contact": Spec(),
    f"PUT {_EDITOR}/contact": Spec(
        {
            "phone": lambda g: {"number": g.text(), "hours": g.text()},
            "email": _pick("post@alver.kommune.no", "<b>@x", ""),
            "web": _TEXT,
            "version": _VERSION,
        }
    ),
    f"PUT {_EDITOR}/municipality": Spec(
        {"privacy_url": _TEXT, "search_url": _TEXT, "checked": _pick(True, 1), "version": _VERSION}
    ),
    f"GET {_EDITOR}/texts": Spec(query=("section",)),
    f"PUT {_EDITOR}/texts/<name:str>/<key:str>": Spec(
        {"nn": _TEXT, "nb": _TEXT, "en": _TEXT, "version": _VERSION}
    ),
    f"GET {_EDITOR}/history": Spec(query=("limit",)),
    f"GET {_EDITOR}/history/<change_id:int>": Spec(),
    f"POST {_EDITOR}/history/<change_id:int>/undo": Spec({"version": _VERSION}),
    f"POST {_EDITOR}/preview": Spec(
        {
            "questions": _list_of_text,
            "kind": _pick("faq_update", "faq_create", "nope", ""),
            "id": _pick("kortare_opningstid", "x"),
            "change": lambda g: {"answer": _texts(g), "questions": _list_of_text(g)},
        },
        weight=2,
    ),
    # ----- admin: users (issue 8; ids of the spare accounts, never the fuzzer's own) -----
    f"GET {_ADMIN}/users": Spec(),
    f"POST {_ADMIN}/users": Spec(
        {
            "username": _pick("ny", "kari", "", "<b>"),
            "first_name": _TEXT,
            "password": _pick("kort", "eit-langt-passord-1", "\ud800" * 12),
            "role": _pick("staff", "editor", "admin", "root"),
        }
    ),
    f"POST {_ADMIN}/users/<user_id:int>/active": Spec({"active": _pick(True, False, "no", None)}),
    f"POST {_ADMIN}/users/<user_id:int>/password": Spec(
        {"password": _pick("kort", "eit-langt-passord-2", "")}
    ),
    f"POST {_ADMIN}/users/<user_id:int>/role": Spec(
        {"role": _pick("staff", "editor", "admin", "", "root")}
    ),
    # ----- insight (issue 9) -----
    f"GET {_INSIGHT}/inbox": Spec(),
    f"POST {_INSIGHT}/inbox/resolve": Spec(
        {
            "message_ids": lambda g: g.r.choice([[1], [1, 2], [], [2**63], ["1"], g.value()]),
            "action": _pick("phrasing", "entry", "ignore", "x"),
            "entry_id": _pick("kortare_opningstid", "nope"),
            "phrasing": _TEXT,
            "entry": lambda g: {"id": g.text(), "questions": _list_of_text(g), "answer": _texts(g)},
        }
    ),
    f"GET {_INSIGHT}/faq": Spec(),
    f"GET {_INSIGHT}/report": Spec(query=("from", "to")),
    f"GET {_INSIGHT}/report.html": Spec(query=("from", "to")),
    f"GET {_INSIGHT}/report/<name:str>": Spec(query=("from", "to")),
    f"POST {_CONV}/rating": Spec(
        {"value": _pick("yes", "partly", "no", "kanskje", 1), "comment": _TEXT}, weight=2
    ),
    # ----- bookings (issue 10) -----
    f"GET {_BOOKINGS}": Spec(query=("all",)),
    f"POST {_BOOKINGS}/<booking_id:int>/booked": Spec(
        {"date": _date, "time": _pick("10:30", "25:99")}
    ),
    f"POST {_BOOKINGS}/<booking_id:int>/answered": Spec({"note": _TEXT}),
    f"POST {_CONV}/bookings/<booking_id:int>/contact": Spec(
        {"contact": _pick("ola@example.no", "912 34 567", "<b>x</b>", "")}, weight=2
    ),
    "GET /console/bookings/texts.json": Spec(query=("lang",)),
    # ----- pages and files -----
    "GET /console/editor": Spec(),
    "GET /console/admin": Spec(),
    "GET /console/editor/<name:str>": Spec(),
    "GET /console/insight": Spec(),
    "GET /console/insight/": Spec(),
    "GET /console/insight/<name:str>": Spec(),
    "GET /console/bookings": Spec(),
    "GET /console/bookings/<name:str>": Spec(),
    "GET /console": Spec(),
    "GET /console/<name:str>": Spec(),
    "GET /webhooks/alver": Spec(),
    "GET /webhooks/alver/health": Spec(),
    "GET /console/api/status": Spec(),
    # ----- Rasa's REST channel (development only; answers local clients) -----
    "GET /webhooks/rest": Spec(),
    "POST /webhooks/rest/webhook": Spec(
        {"sender": _pick("fuzz-1", "", None, 1, "x" * 300), "message": _TEXT}, weight=3
    ),
}

_CITIZEN = "/webhooks/alver/conversations"
_CONSOLE_CONV = "/console/api/conversations/<conversation_id:str>"
HAND_FUZZED = {
    # fuzz_citizen, fuzz_staff and fuzz_workday in test_fuzz.py (field-aware, older)
    f"POST {_CITIZEN}",
    f"DELETE {_CONV}",
    f"POST {_CONV}/cancel-waiting",
    f"GET {_CONV}/events",
    f"POST {_CONV}/feedback",
    f"POST {_CONV}/leave",
    f"POST {_CONV}/messages",
    f"POST {_CONV}/offline-request",
    f"GET {_CONV}/transcript",
    f"POST {_CONV}/typing",
    "POST /console/api/login",
    "POST /console/api/logout",
    "GET /console/api/me",
    "GET /console/api/queue",
    "GET /console/api/canned-replies",
    "GET /console/api/offline-requests",
    "POST /console/api/offline-requests/<request_id:int>/answered",
    f"GET {_CONSOLE_CONV}",
    f"POST {_CONSOLE_CONV}/claim",
    f"POST {_CONSOLE_CONV}/close",
    f"POST {_CONSOLE_CONV}/hand-back",
    f"POST {_CONSOLE_CONV}/messages",
    f"POST {_CONSOLE_CONV}/notes",
    f"POST {_CONSOLE_CONV}/typing",
    f"POST {_CONSOLE_CONV}/transfer",
    f"POST {_CONSOLE_CONV}/requeue",
    f"GET {_CONSOLE_CONV}/export.txt",
    f"GET {_CONSOLE_CONV}/export.pdf",
    "POST /console/api/status",
    "GET /console/api/history",
    "GET /console/api/own-replies",
    "POST /console/api/own-replies",
    "PUT /console/api/own-replies/<reply_id:int>",
    "DELETE /console/api/own-replies/<reply_id:int>",
    "GET /texts/<name:str>",
    "GET /widget/<name:str>",
}

EXCLUDED: dict[str, str] = {
    # "METHOD /path": "the reason it is not fuzzed" (none today: every route is)
}


REPORT_FILES = ["per_dag.png", "tema.png", "samandrag.csv", "samandrag.png", "x.csv", "tema.pdf"]

# ----- sending ---------------------------------------------------------------------------


def _param(f: Fuzzer, route: AppRoute, name: str, citizen_id: str) -> str:
    g = f.gen
    if g.chance(0.1):
        return g.path_part()
    if name == "conversation_id":
        return citizen_id
    if name == "ident":
        if "/desks/" in route.path:
            return g.r.choice(["knarvik", "manger", "frekhaug", "nowhere"])
        return g.r.choice(f.faq_ids + ["finst_ikkje"])
    if name == "user_id":
        return g.r.choice([str(i) for i in f.spare_user_ids] + ["0", "999", str(2**63)])
    if name == "booking_id":
        return g.r.choice([str(i) for i in f.booking_ids] + ["0", "999", str(2**63)])
    if name in ("index", "change_id"):
        return g.r.choice(["0", "1", "2", "3", "40", str(2**64)])
    if name == "name" and "/texts/" in route.path and "<key" in route.path:
        return g.r.choice(["messages", "widget", "console", "nope"])
    if name == "key":
        return g.r.choice(["greet", "handoff_offer", "nope"])
    if name == "name" and "/report/" in route.path:
        return g.r.choice(REPORT_FILES)
    if name == "name":
        return g.r.choice(["index.html", "app.js", "style.css", "widget.js", "nope.js", ".env"])
    return g.path_part()


def fuzz_route(f: Fuzzer) -> None:
    """One request to a random entry of :data:`ROUTES` (weighted)."""
    g = f.gen
    key = g.r.choice(f.route_choices)
    method, _, template = key.partition(" ")
    spec = ROUTES[key]
    route = AppRoute(template, frozenset({method}))
    citizen = f.citizen()
    path = route.fill(
        **{name: _param(f, route, name, citizen.conversation_id) for name in route.params}
    )
    if spec.query:
        query = "&".join(f"{n}={g.query_value()}" for n in spec.query if g.chance(0.7))
        path += "?" + query if query else ""
    fields = {name: functools.partial(make, g) for name, make in spec.fields.items()}
    body = None if method == "GET" else g.body(fields)
    if path.startswith("/webhooks/alver"):
        headers = f.citizen_headers(citizen)
    elif path.startswith("/webhooks/rest"):
        headers = {"Content-Type": "application/json"}
    else:
        headers = f.staff_headers()
    if g.chance(0.03):
        method = g.r.choice(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
    f.send(method, path, body, headers)


def warm_up(f: Fuzzer) -> None:
    """Each GET of the table once, signed in, so one-time imports and caches (matplotlib's
    fonts for the report's charts, the preview's parser) are in place before memory is
    measured."""
    for key in ROUTES:
        method, _, template = key.partition(" ")
        if method != "GET":
            continue
        route = AppRoute(template, frozenset({method}))
        names = {"name": REPORT_FILES[0], "ident": (f.faq_ids or ["x"])[0], "change_id": "1"}
        f.send("GET", route.fill(**names), None, f.staff_headers_of(f.staff))
    for chart in REPORT_FILES:
        f.send("GET", "/console/insight/api/report/" + chart, None, f.staff_headers_of(f.staff))
    body = json.dumps({"questions": ["når er det ope på Manger?"]}).encode()
    f.send("POST", _EDITOR + "/preview", body, f.staff_headers_of(f.staff))


def route_choices() -> list[str]:
    """The keys of :data:`ROUTES`, each as often as its weight."""
    return [key for key, spec in ROUTES.items() for _ in range(spec.weight)]


def describe(keys: set[str]) -> str:
    """One line per key, for an assertion message."""
    return json.dumps(sorted(keys), indent=1, ensure_ascii=False)
