"""The web test server with EVERY channel of ``credentials.yml``, and its route table.

The fuzz and security tests walk the routes of this server (``app.router``), so a route
added to any channel listed in ``credentials.yml`` is found by them without editing them.
The editor and the insight page edit a COPY of the fixture knowledge base.
"""

from __future__ import annotations

import importlib
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.insight.faq_port import KbWriterAdapter
from bot.kb import KnowledgeBase
from bot.kb.changelog import MemoryChangeLog, configure_change_log
from bot.web.settings import WebSettings
from tests.conftest import KB_DIR

from .conftest import ROOT, FakeClock, Server

CREDENTIALS = ROOT / "credentials.yml"
IGNORED_METHODS = {"HEAD", "OPTIONS"}
"""Answered by every route of ``add_routes`` (CORS preflight or 405); not a handler."""


def credential_channels() -> list[Any]:
    """One instance of every input channel ``credentials.yml`` lists (as Rasa builds them)."""
    config = yaml.safe_load(CREDENTIALS.read_text(encoding="utf-8")) or {}
    channels = []
    for dotted, options in config.items():
        module_name, _, class_name = dotted.rpartition(".")
        cls = getattr(importlib.import_module(module_name), class_name)
        channels.append(cls.from_credentials(options or {}))
    return channels


class FullServer(Server):
    """:class:`tests.web.conftest.Server` with every channel of ``credentials.yml``."""

    def __init__(
        self, settings: WebSettings, clock: FakeClock, kb: KnowledgeBase, kb_copy: Path
    ) -> None:
        base = {cls.__name__ for cls in _base_channel_types()}
        extra = [c for c in credential_channels() if type(c).__name__ not in base]
        super().__init__(
            settings,
            clock,
            kb,
            extra_channels=extra,
            ctx={
                "alver_editor_kb_dir": str(kb_copy),
                "alver_faq_writer": KbWriterAdapter(kb_copy),
            },
        )

    def stop(self) -> None:
        """Stop the server and put back the in-memory change log the editor replaced."""
        super().stop()
        configure_change_log(MemoryChangeLog())


def _base_channel_types() -> list[type]:
    from bot.channels.citizen_presence_channel import CitizenPresenceChannel
    from bot.channels.console_channel import ConsoleChannel
    from bot.channels.texts_channel import TextsChannel
    from bot.channels.widget_channel import WidgetChannel, WidgetStaticChannel

    return [
        WidgetChannel,
        WidgetStaticChannel,
        ConsoleChannel,
        TextsChannel,
        CitizenPresenceChannel,
    ]


def copy_fixture_kb(folder: Path) -> Path:
    """A writable copy of the fixture knowledge base in ``folder``."""
    target = folder / "knowledge_base"
    shutil.copytree(KB_DIR, target)
    return target


@dataclass(frozen=True)
class AppRoute:
    """One route of the app: its path template and the methods a handler answers."""

    path: str
    methods: frozenset[str]

    def keys(self) -> list[str]:
        """``"METHOD /path"`` for each method, the keys of the tests' tables."""
        return [f"{method} {self.path}" for method in sorted(self.methods)]

    def fill(self, **values: str) -> str:
        """The path with each ``<name:type>`` replaced by ``values[name]``."""
        return re.sub(r"<(\w+)(?::[^>]*)?>", lambda m: values[m.group(1)], self.path)

    @property
    def params(self) -> list[str]:
        """Names of the path parameters."""
        return re.findall(r"<(\w+)(?::[^>]*)?>", self.path)


def handled_methods(handler: Any, declared: set[str]) -> frozenset[str]:
    """The methods a route's handler answers (not only the ones it is registered for).

    :func:`bot.web.http.add_routes` registers every method and answers the unsupported
    ones with a JSON 405; its ``dispatch`` keeps the real handlers in ``wrapped``.
    """
    code = getattr(handler, "__code__", None)
    if code is not None and "wrapped" in code.co_freevars:
        cells = dict(zip(code.co_freevars, handler.__closure__ or (), strict=True))
        return frozenset(cells["wrapped"].cell_contents)
    return frozenset(declared - IGNORED_METHODS)


def app_routes(app: Any) -> list[AppRoute]:
    """Every route of the Sanic ``app`` with its handled methods, sorted by path."""
    found: dict[str, set[str]] = {}
    for route in app.router.routes:
        path = "/" + route.path.lstrip("/")
        found.setdefault(path, set()).update(handled_methods(route.handler, set(route.methods)))
    return [AppRoute(path, frozenset(methods)) for path, methods in sorted(found.items())]


def route_keys(app: Any) -> set[str]:
    """Every ``"METHOD /path"`` the app answers with a handler."""
    return {key for route in app_routes(app) for key in route.keys()}


def full_server(
    settings: WebSettings, clock: FakeClock, kb: KnowledgeBase, folder: Path
) -> Iterator[FullServer]:
    """Fixture body: a :class:`FullServer` over a knowledge-base copy in ``folder``."""
    running = FullServer(settings, clock, kb, copy_fixture_kb(folder))
    try:
        yield running
    finally:
        running.stop()
