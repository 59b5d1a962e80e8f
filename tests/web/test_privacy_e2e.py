"""Proof on the real bot (`make run`): personal data sent through the widget channel is
found nowhere afterwards: not in any table or column of the database, not in any file
under the test's folder or var/, not in any log line either server wrote.

Values sent: a fødselsnummer, a D-nummer, an account number, a card number, an e-mail
address and a phone number; with the bot, while a person has the conversation, in an
offline request's question, and through the development REST channel.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.privacy import warning_texts
from tests.server import ROOT, add_staff_user, make_run, staffed_env

from .test_privacy import MESSAGE, VALUES, leaks, needles

STAFF_USER, STAFF_PASSWORD = "personvern", "riktig-hest-batteri-stift"


@dataclass
class Http:
    url: str
    cookie: str = ""
    csrf: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, body: Any = None, token: str = "") -> Any:
        headers = {"Content-Type": "application/json", **self.headers}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if self.cookie:
            headers["Cookie"] = self.cookie
            headers["X-CSRF-Token"] = self.csrf
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data, headers, method=method)
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
            if "Set-Cookie" in response.headers:
                self.cookie = response.headers["Set-Cookie"].split(";", 1)[0]
            return json.loads(raw) if raw else None


@dataclass
class Run:
    folder: Path
    log: list[str]
    answers: dict[str, Any]


def _warnings(messages: list[dict[str, Any]]) -> int:
    return sum(1 for m in messages if m["sender"] == "system" and m["text"] in warning_texts())


def _converse(url: str) -> dict[str, Any]:
    """Everything the proof sends; returns what the API answered."""
    http = Http(url)
    widget = "/webhooks/alver/conversations"
    answers: dict[str, Any] = {}
    # 1. With the bot: the whole message, then a second one (no second warning).
    first = http.call("POST", widget, {"language": "nn"})
    conv, token = f"{widget}/{first['conversation_id']}", first["token"]
    answers["bot_first"] = http.call("POST", conv + "/messages", {"text": MESSAGE}, token)
    answers["bot_second"] = http.call(
        "POST", conv + "/messages", {"text": f"Og D-nummeret {VALUES['d-nummer']}?"}, token
    )
    # 2. An offline request whose question holds the values.
    question = "Kan de hjelpe meg? " + ", ".join(VALUES.values())
    offline = {"question": question, "contact": "kontakt@example.org"}
    http.call("POST", conv + "/offline-request", offline, token)
    answers["bot_events"] = http.call("GET", conv + "/events?after=0&wait=0", None, token)
    # 3. While a person has the conversation.
    staff = Http(url)
    login = staff.call(
        "POST", "/console/api/login", {"username": STAFF_USER, "password": STAFF_PASSWORD}
    )
    staff.csrf = login["csrf_token"]
    staff.call("GET", "/console/api/queue?wait=0")  # present
    second = http.call("POST", widget, {"language": "nn"})
    conv2, token2 = f"{widget}/{second['conversation_id']}", second["token"]
    asked = http.call(
        "POST", conv2 + "/messages", {"text": "eg vil snakke med eit menneske"}, token2
    )
    if asked["state"] != "waiting":  # the bot asks first: press its "yes" button
        yes = asked["messages"][-1]["buttons"][0]
        asked = http.call(
            "POST", conv2 + "/messages", {"text": yes["title"], "payload": yes["payload"]}, token2
        )
    answers["queued"] = asked
    assert asked["state"] == "waiting", asked
    staff.call("POST", f"/console/api/conversations/{second['conversation_id']}/claim")
    answers["human"] = http.call("POST", conv2 + "/messages", {"text": MESSAGE}, token2)
    answers["staff_view"] = staff.call(
        "GET", f"/console/api/conversations/{second['conversation_id']}"
    )
    answers["requests"] = staff.call("GET", "/console/api/offline-requests")
    # 4. The development REST channel.
    answers["rest"] = http.call(
        "POST", "/webhooks/rest/webhook", {"sender": "personvern", "message": MESSAGE}
    )
    return answers


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    folder = tmp_path_factory.mktemp("privacy")
    env = staffed_env(folder, "privacy-tests-secret-key-0123456789abcdef")
    add_staff_user(env, STAFF_USER, STAFF_PASSWORD, "Kari")
    with make_run(env) as running:
        answers = _converse(running.url)
    # The servers have stopped: everything they wrote is on disk and in the log.
    yield Run(folder, running.log, answers)


def test_the_citizen_saw_masked_text_and_one_warning(run: Run) -> None:
    first = run.answers["bot_first"]["messages"]
    assert first[0]["sender"] == "citizen" and "[fødselsnummer fjerna]" in first[0]["text"]
    assert _warnings(first) == 1
    assert any(m["sender"] == "bot" for m in first), "the bot answered the masked message"
    assert _warnings(run.answers["bot_second"]["messages"]) == 0
    assert _warnings(run.answers["bot_events"]["messages"]) == 1
    assert run.answers["queued"]["state"] == "waiting"
    human = run.answers["human"]["messages"]
    assert [m["sender"] for m in human] == ["citizen", "system"]  # masked, warned, no bot
    assert run.answers["rest"], "the REST channel answered"


@pytest.mark.parametrize("answer", ["bot_first", "bot_events", "human", "staff_view", "requests"])
def test_no_answer_of_the_api_has_a_raw_value(run: Run, answer: str) -> None:
    assert leaks(json.dumps(run.answers[answer], ensure_ascii=False), VALUES.values()) == []


def test_no_table_or_column_of_the_database_has_a_raw_value(run: Run) -> None:
    with sqlite3.connect(run.folder / "handoff.sqlite3") as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert {"messages", "offline_requests", "conversations"} <= set(tables)
        dump = "\n".join(
            " | ".join(str(value) for value in row)
            for table in tables
            for row in db.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from sqlite
        )
    assert "[kontonummer fjerna]" in dump and "Kan de hjelpe meg?" in dump
    assert leaks(dump, VALUES.values()) == []
    assert "127.0.0.1" not in dump  # client IPs are used in memory only


def _files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.is_dir() else []


def test_no_file_has_a_raw_value(run: Run) -> None:
    files = _files(run.folder) + _files(ROOT / "var")
    assert run.folder / "handoff.sqlite3" in files
    found = [
        f"{path}: {needle}"
        for path in files
        for needle in needles(VALUES.values())
        if needle.encode() in path.read_bytes().lower()
    ]
    assert found == []


def test_no_log_line_has_a_raw_value(run: Run) -> None:
    assert any("is ready" in line for line in run.log)
    found = [line for line in run.log if leaks(line, VALUES.values())]
    assert found == []
