"""Faults: the handoff database unreachable, read-only or its file gone (issue 11).

Each fault is real for the app: new connections are refused by the driver (unreachable),
or every connection is read-only (SQLite ``PRAGMA query_only``, PostgreSQL
``default_transaction_read_only``), or the SQLite file is deleted. Every route then answers
a JSON 503 with a reason and ``Retry-After`` (never Sanic's HTML 500, never a silent empty
answer), one clear log line names the fault without any citizen text, and the chat works
again once the database is back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.handoff.database import FILE_CHECK_SECONDS

from .conftest import Citizen, Server, Staff

SECRET = "Fødselsnummer 01017012345 og hemmeleg ord blåbærsyltetøy"


@contextmanager
def _refused(engine: Engine) -> Iterator[None]:
    """Every new connection fails as if the database server were down."""

    def refuse(*_: Any) -> None:
        raise sa.exc.OperationalError("connect", {}, ConnectionRefusedError("connection refused"))

    engine.dispose()
    sa.event.listen(engine, "do_connect", refuse)
    try:
        yield
    finally:
        sa.event.remove(engine, "do_connect", refuse)
        engine.dispose()


@contextmanager
def _read_only(engine: Engine) -> Iterator[None]:
    """Every new connection is read-only (writes fail in the driver)."""
    sqlite = engine.dialect.name == "sqlite"

    def read_only(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        if sqlite:
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("SET default_transaction_read_only = on")
        cursor.close()
        connection.commit()  # PostgreSQL: a SET in a rolled-back transaction is undone

    engine.dispose()
    sa.event.listen(engine, "connect", read_only)
    try:
        yield
    finally:
        sa.event.remove(engine, "connect", read_only)
        engine.dispose()


FAULTS: dict[str, Callable[[Engine], Any]] = {"unreachable": _refused, "read-only": _read_only}


def _setup(server: Server) -> tuple[Citizen, Staff, Citizen]:
    server.add_staff("kari", "Kari", "staff")
    kari = server.login("kari")
    kari.queue()
    citizen, held = server.new_conversation(), server.new_conversation()
    assert held.say("menneske")["state"] == "waiting"
    assert kari.call("POST", f"/conversations/{held.conversation_id}/claim").status == 200
    return citizen, kari, held


def _assert_503(resp: Any) -> None:
    assert resp.status == 503, (resp.status, resp.body)
    assert resp.json["error"] == "unavailable"
    assert "phone" in resp.json["message"]
    assert int(resp.headers["Retry-After"]) > 0


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_database_fault_is_a_503_with_a_clear_log_line_and_recovers(
    server: Server, fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    citizen, kari, held = _setup(server)
    engine = server.store.engine
    caplog.set_level(logging.INFO)
    with FAULTS[fault](engine):
        _assert_503(citizen.call("POST", "/messages", {"text": SECRET}))
        _assert_503(held.call("POST", "/messages", {"text": SECRET}))
        _assert_503(
            kari.call("POST", f"/conversations/{held.conversation_id}/messages", {"text": "Hei"})
        )
        if fault == "unreachable":  # reads fail too
            _assert_503(citizen.call("GET", "/events?after=0&wait=0"))
            _assert_503(server.request("POST", "/webhooks/alver/conversations", {}))
    lines = [r.getMessage() for r in caplog.records if "Database unavailable" in r.getMessage()]
    assert lines, [r.getMessage() for r in caplog.records]
    expected = "connection refused" if fault == "unreachable" else "readonly"
    assert all(expected in line.replace("read-only", "readonly") for line in lines), lines
    logged = "\n".join(r.getMessage() + str(r.exc_text or "") for r in caplog.records)
    assert "01017012345" not in logged and "blåbærsyltetøy" not in logged
    # The database is back: the same conversations go on, nothing half-written is shown.
    reply = citizen.say("hei igjen")
    assert [m["text"] for m in reply["messages"] if m["sender"] == "citizen"] == ["hei igjen"]
    assert held.say("er du der?")["state"] == "with_human"
    texts = [m.text for m in server.store.messages.after(held.conversation_id)]
    assert "01017012345" not in " ".join(texts)


def test_deleted_database_file_is_a_503_not_an_empty_new_database(
    server: Server, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("only a SQLite database is a file")
    citizen = server.new_conversation()
    citizen.say("hei")
    path = Path(sa.engine.make_url(database_url).database or "")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    # A pooled connection looks at the file at most once per FILE_CHECK_SECONDS (the cost of a
    # stat per transaction); a new connection and the health check always look.
    time.sleep(FILE_CHECK_SECONDS + 0.2)
    _assert_503(citizen.call("POST", "/messages", {"text": "hei"}))
    _assert_503(server.request("POST", "/webhooks/alver/conversations", {}))
    assert not path.exists()


@pytest.mark.parametrize(
    ("fault", "reason"), [("unreachable", "unreachable"), ("read-only", "read-only")]
)
def test_health_names_an_unreachable_or_read_only_database(
    server: Server, fault: str, reason: str
) -> None:
    with FAULTS[fault](server.store.engine):
        resp = server.request("GET", "/webhooks/alver/health")
    assert resp.status == 503
    assert "database" in resp.json["failing"]
    assert resp.json["checks"]["database"] == reason
    after = server.request("GET", "/webhooks/alver/health").json["checks"]["database"]
    assert after == "ok"
