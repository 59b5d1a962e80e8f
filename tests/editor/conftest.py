"""The test server of tests/web with the editor channel too, editing a COPY of the fixture KB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.channels.console_channel import ConsoleChannel
from bot.channels.editor_channel import EditorChannel
from bot.kb import KnowledgeBase
from bot.kb.changelog import MemoryChangeLog, configure_change_log
from bot.web.settings import WebSettings
from tests.web.conftest import (  # noqa: F401 - fixtures shared with the web tests
    FakeClock,
    Server,
    Staff,
    clock,
    database_url,
    settings,
)

ROLES = ("staff", "editor", "admin")


class ConsoleAndEditor(ConsoleChannel):
    """The console's blueprint and the editor's, both under /console as in `make run`."""

    def blueprint(self, on_new_message: Any) -> Any:
        return [super().blueprint(on_new_message), EditorChannel().blueprint(on_new_message)]


@pytest.fixture
def editor_server(
    settings: WebSettings,  # noqa: F811
    clock: FakeClock,  # noqa: F811
    kb: KnowledgeBase,
    kb_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Server]:
    monkeypatch.setattr("tests.web.conftest.ConsoleChannel", ConsoleAndEditor)
    running = Server(settings, clock, kb)
    running.app.ctx.alver_editor_kb_dir = str(kb_dir)
    for role in ROLES:
        running.add_staff(f"{role}1", role.capitalize(), role)
    try:
        yield running
    finally:
        running.stop()
        configure_change_log(MemoryChangeLog())


@pytest.fixture
def as_role(editor_server: Server) -> dict[str, Staff]:
    """A signed-in session per role."""
    return {role: editor_server.login(f"{role}1") for role in ROLES}
