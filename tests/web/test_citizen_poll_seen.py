"""The citizen long-poll compares against the status the widget shows (``seen``).

On a loaded server a poll answer read before the bot's turn ended can reach the widget
after the answer to the citizen's own message. The widget keeps the newer status and sends
its ``view_tag`` back as ``seen``: the poll answers at once when that is not the server's
status, instead of waiting for the next change (docs/chat-api.md).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from .conftest import Citizen, Server


def _poll(citizen: Citizen, after: int, wait: int, seen: str) -> tuple[int, dict[str, Any], float]:
    started = time.monotonic()
    resp = citizen.call("GET", f"/events?after={after}&wait={wait}&seen={seen}")
    return resp.status, resp.json, time.monotonic() - started


def test_answers_carry_the_tag_of_the_status(server: Server) -> None:
    citizen = server.new_conversation()
    said = citizen.say("hei")
    polled = citizen.events(after=said["messages"][-1]["id"], wait=0)
    assert said["view_tag"] == polled["view_tag"]
    assert len(said["view_tag"]) == 16
    assert said["staff"] is None  # the answer to a message has the whole status too


def test_a_poll_that_saw_the_current_status_waits(server: Server) -> None:
    citizen = server.new_conversation()
    said = citizen.say("hei")
    status, data, took = _poll(citizen, said["messages"][-1]["id"], 1, said["view_tag"])
    assert status == 200 and data["messages"] == [] and took >= 0.9


def test_a_poll_that_saw_an_older_status_answers_at_once(server: Server) -> None:
    """The CI race: the widget was left with the status from before "Ja, takk"."""
    server.add_staff("kari", "Kari")
    server.login("kari").queue()  # polling marks her present
    citizen = server.new_conversation()
    offered = citizen.say("snakke")
    assert offered["state"] == "bot"
    queued = citizen.say("Ja", payload="/affirm")
    assert queued["state"] == "waiting" and queued["view_tag"] != offered["view_tag"]
    last_id = queued["messages"][-1]["id"]
    status, data, took = _poll(citizen, last_id, 5, offered["view_tag"])
    assert status == 200 and took < 3
    assert data["messages"] == [] and data["state"] == "waiting"
    assert data["queue"]["position"] == 1 and data["view_tag"] == queued["view_tag"]


@pytest.mark.parametrize("seen", ["XYZ", "a" * 65, "tag;drop", "%00", "ABCDEF"])
def test_a_seen_that_is_not_a_tag_is_refused(server: Server, seen: str) -> None:
    citizen = server.new_conversation()
    resp = citizen.call("GET", f"/events?after=0&wait=0&seen={seen}")
    assert resp.status == 400
    assert resp.json["error"] == "invalid_field" and resp.json["field"] == "seen"
