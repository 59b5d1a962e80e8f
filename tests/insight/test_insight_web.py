"""The insight page's API (roles, inbox, report) and the citizen's rating route."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.kb import KnowledgeBase
from bot.web.settings import WebSettings
from tests.insight.webserver import InsightServer
from tests.web.conftest import OPEN_TIME, FakeClock, Staff
from tests.web.conftest import database_url as database_url  # noqa: F401 - fixture
from tests.web.conftest import settings as settings  # noqa: F401 - fixture


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(OPEN_TIME)


@dataclass
class FakeWriter:
    phrasings: list[tuple[str, str, str]] = field(default_factory=list)
    entries: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    fail: bool = False

    def add_phrasing(self, entry_id: str, phrasing: str, *, account: str) -> None:
        if self.fail:
            raise ValueError(f"No FAQ entry {entry_id!r}.")
        self.phrasings.append((entry_id, phrasing, account))

    def create_entry(self, entry: Mapping[str, Any], *, account: str) -> None:
        self.entries.append((dict(entry), account))


@pytest.fixture
def writer() -> FakeWriter:
    return FakeWriter()


@pytest.fixture
def server(
    settings: WebSettings,  # noqa: F811 - the fixture imported above
    clock: FakeClock,
    kb: KnowledgeBase,
    writer: FakeWriter,
) -> Iterator[InsightServer]:
    running = InsightServer(settings, clock, kb, writer)
    try:
        yield running
    finally:
        running.stop()


def _staff(server: InsightServer, role: str) -> Staff:
    server.add_staff(f"{role}-user", role.title(), role)
    return server.login(f"{role}-user")


API = "/console/insight/api"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/inbox"),
        ("GET", "/faq"),
        ("GET", "/report"),
        ("GET", "/report.html"),
        ("GET", "/report/tema.csv"),
        ("GET", "/report/per_time.png"),
        ("POST", "/inbox/resolve"),
    ],
)
@pytest.mark.parametrize(("role", "status"), [(None, 401), ("staff", 403)])
def test_insight_routes_refuse_the_signed_out_and_plain_staff(
    server: InsightServer, method: str, path: str, role: str | None, status: int
) -> None:
    headers: dict[str, str] = {}
    if role is not None:
        staff = _staff(server, role)
        headers = {"Cookie": staff.cookie, "X-CSRF-Token": staff.csrf}
    resp = server.request(method, API + path, {} if method == "POST" else None, headers=headers)
    assert resp.status == status
    assert resp.json["error"] in ("unauthorized", "forbidden")


def _get(server: InsightServer, staff: Staff, path: str) -> Any:
    return server.request("GET", API + path, headers={"Cookie": staff.cookie})


def _post(server: InsightServer, staff: Staff, path: str, body: Any) -> Any:
    headers = {"Cookie": staff.cookie, "X-CSRF-Token": staff.csrf}
    return server.request("POST", API + path, body, headers=headers)


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_editors_and_admins_see_the_page_and_the_report(server: InsightServer, role: str) -> None:
    staff = _staff(server, role)
    page = server.request("GET", "/console/insight/")
    assert page.status == 200 and "insight.js" in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    resp = _get(server, staff, "/report?from=2026-11-01&to=2026-11-30")
    assert resp.status == 200
    assert resp.json["from"] == "2026-11-01"
    assert len(resp.json["tables"]["per_dag"]) == 30
    assert resp.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "query",
    ["?from=2026-13-01", "?from=2026-11-05&to=2026-11-01", "?from=2020-01-01&to=2026-01-01"],
)
def test_a_bad_period_is_a_400_with_a_reason(server: InsightServer, query: str) -> None:
    staff = _staff(server, "editor")
    resp = _get(server, staff, "/report" + query)
    assert resp.status == 400
    assert resp.json["error"] == "invalid_period"


@pytest.mark.parametrize(
    ("name", "status", "content_type"),
    [
        ("tema.csv", 200, "text/csv"),
        ("per_time.png", 200, "image/png"),
        ("samandrag.png", 404, None),
        ("nope.csv", 404, None),
        ("tema.exe", 404, None),
    ],
)
def test_report_files(
    server: InsightServer, name: str, status: int, content_type: str | None
) -> None:
    staff = _staff(server, "editor")
    resp = _get(server, staff, f"/report/{name}?from=2026-11-01&to=2026-11-02")
    assert resp.status == status
    if content_type:
        assert resp.headers["Content-Type"].startswith(content_type)


def test_the_html_report_is_one_self_contained_page(server: InsightServer) -> None:
    staff = _staff(server, "admin")
    resp = _get(server, staff, "/report.html?from=2026-11-01&to=2026-11-02")
    assert resp.status == 200
    assert resp.text.count("data:image/png;base64,") == 4
    assert "Føresetnader" in resp.text and "attachment" in resp.headers["Content-Disposition"]


def _seed_inbox(server: InsightServer) -> list[int]:
    store = server.store
    ids = []
    for text, intent in [
        ("kva kostar parkering ved hamna", "nlu_fallback"),
        ("parkering ved hamna pris", "nlu_fallback"),
        ("kor tid kjem kompostdunken", "nlu_fallback"),
    ]:
        conv = store.conversations.create("nn")
        incoming = store.messages.receive_citizen(conv.id, text, intent=intent, confidence=0.3)
        ids.append(incoming.message.id)
    return ids


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"action": "phrasing", "entry_id": "parkering", "phrasing": "parkering hamna"},
            "phrasing",
        ),
        (
            {"action": "entry", "entry": {"id": "hamn", "questions": ["parkering hamna"]}},
            "entry",
        ),
        ({"action": "not_for_bot"}, None),
    ],
)
def test_a_group_is_resolved_once_and_leaves_the_inbox(
    server: InsightServer, writer: FakeWriter, body: dict[str, Any], expected: str | None
) -> None:
    _seed_inbox(server)
    staff = _staff(server, "editor")
    groups = _get(server, staff, "/inbox").json["groups"]
    assert [g["count"] for g in groups] == [2, 1]
    parking = groups[0]
    resp = _post(server, staff, "/inbox/resolve", {"message_ids": parking["message_ids"], **body})
    assert resp.status == 200, resp.body
    assert resp.json == {"marked": 2}
    assert [g["count"] for g in _get(server, staff, "/inbox").json["groups"]] == [1]
    if expected == "phrasing":
        assert writer.phrasings == [("parkering", "parkering hamna", "editor-user")]
    elif expected == "entry":
        assert writer.entries == [({"id": "hamn", "questions": ["parkering hamna"]}, "editor-user")]
    else:
        assert writer.phrasings == writer.entries == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"message_ids": [], "action": "not_for_bot"},
        {"message_ids": ["1"], "action": "not_for_bot"},
        {"message_ids": [True], "action": "not_for_bot"},
        {"message_ids": [1], "action": "delete"},
        {"message_ids": [1], "action": "phrasing"},
        {"message_ids": [1], "action": "entry", "entry": {"questions": []}},
        {"message_ids": [1], "action": "entry", "entry": "x"},
    ],
)
def test_a_bad_resolve_is_a_400(server: InsightServer, body: dict[str, Any]) -> None:
    staff = _staff(server, "editor")
    resp = _post(server, staff, "/inbox/resolve", body)
    assert resp.status == 400
    assert resp.json["message"]


def test_a_failing_faq_write_marks_nothing(server: InsightServer, writer: FakeWriter) -> None:
    ids = _seed_inbox(server)
    writer.fail = True
    staff = _staff(server, "editor")
    body = {"message_ids": ids[:2], "action": "phrasing", "entry_id": "x", "phrasing": "y"}
    assert _post(server, staff, "/inbox/resolve", body).status == 400
    assert sum(g["count"] for g in _get(server, staff, "/inbox").json["groups"]) == 3


# ----- the citizen's rating ----------------------------------------------------------


@pytest.mark.parametrize("value", ["yes", "partly", "no"])
def test_a_rating_is_stored_and_a_second_replaces_the_first(
    server: InsightServer, value: str
) -> None:
    citizen = server.new_conversation()
    first = citizen.call("POST", "/rating", {"value": "yes"})
    assert first.status == 204
    second = citizen.call("POST", "/rating", {"value": value, "comment": "Takk!"})
    assert second.status == 204
    assert server.store.insight.rating(citizen.conversation_id) == (value, "Takk!")


def test_a_rating_comment_is_masked(server: InsightServer) -> None:
    citizen = server.new_conversation()
    resp = citizen.call("POST", "/rating", {"value": "no", "comment": "fnr 15038510190"})
    assert resp.status == 204
    value, comment = server.store.insight.rating(citizen.conversation_id) or ("", "")
    assert value == "no"
    assert comment is not None and "15038510190" not in comment


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 400),
        ({"value": "maybe"}, 400),
        ({"value": 1}, 400),
        ({"value": "yes", "comment": 5}, 400),
        ({"value": "yes", "comment": "x" * 1001}, 400),
    ],
)
def test_a_bad_rating_is_a_4xx_with_a_reason(
    server: InsightServer, body: dict[str, Any], status: int
) -> None:
    citizen = server.new_conversation()
    resp = citizen.call("POST", "/rating", body)
    assert resp.status == status
    assert resp.json["message"]


def test_a_rating_needs_the_conversations_token(server: InsightServer) -> None:
    citizen = server.new_conversation()
    resp = server.request(
        "POST", citizen.base + "/rating", {"value": "yes"}, headers={"Authorization": "Bearer x"}
    )
    assert resp.status == 401


def test_the_rating_route_answers_cors_like_the_widget_api(server: InsightServer) -> None:
    citizen = server.new_conversation()
    pre = server.request(
        "OPTIONS",
        citizen.base + "/rating",
        headers={
            "Origin": "https://www.alver.kommune.no",
            "Access-Control-Request-Method": "POST",
        },
    )
    assert pre.status == 204
    assert pre.headers.get_all("Access-Control-Allow-Origin") == ["*"]
