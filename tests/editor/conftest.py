"""The test server of tests/web with the editor channel too, editing a COPY of the fixture KB."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.channels.console_channel import ConsoleChannel
from bot.channels.editor_channel import EditorChannel
from bot.kb import KnowledgeBase
from bot.kb.changelog import MemoryChangeLog, configure_change_log
from bot.web.settings import WebSettings
from tests.conftest import KB_DIR
from tests.web.conftest import (  # noqa: F401 - fixtures shared with the web tests
    OPEN_TIME,
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


@pytest.fixture(scope="module")
def role_server(
    tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase
) -> Iterator[tuple[Server, dict[str, Staff]]]:
    """One server and a session per role for the whole role table (nothing is saved:
    every write gets an empty body and is refused before it writes)."""
    folder = tmp_path_factory.mktemp("editor-roles")
    kb_copy = folder / "knowledge_base"
    shutil.copytree(KB_DIR, kb_copy)
    base = WebSettings.from_env(
        {
            "HANDOFF_DATABASE_URL": f"sqlite:///{folder / 'h.sqlite3'}",
            "BOT_SECRET_KEY": "test-secret-" + "x" * 40,
            "RATE_LIMIT_IP_PER_MIN": "100000",
        },
        root=folder,
    )
    patch = pytest.MonkeyPatch()
    patch.setattr("tests.web.conftest.ConsoleChannel", ConsoleAndEditor)
    running = Server(base, FakeClock(OPEN_TIME), kb)
    patch.undo()
    running.app.ctx.alver_editor_kb_dir = str(kb_copy)
    for role in ROLES:
        running.add_staff(f"{role}1", role.capitalize(), role)
    try:
        yield running, {role: running.login(f"{role}1") for role in ROLES}
    finally:
        running.stop()
        configure_change_log(MemoryChangeLog())
