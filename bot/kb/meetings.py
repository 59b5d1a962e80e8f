"""services.yml ``meetings``: what a citizen can book a meeting about, and when (issue 10).

Kept apart from :mod:`bot.kb.loader` (which calls :func:`meetings`) so that each file
stays small. The loader's checker is passed in; its problems name file, line, entry and
field.
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.kb.models import Interval, Meetings, MeetingTopic, Text

__all__ = ["DIGITAL", "MeetingTopic", "Meetings", "meetings"]

# The place id of a digital meeting (video or phone): not a location in service_desks.yml.
DIGITAL = "digital"


class Checker(Protocol):
    """What this reader uses of the loader's per-file checker."""

    def mapping(self, value: Any, entry: str, field: str) -> dict[str, Any]: ...

    def sequence(self, value: Any, entry: str, field: str) -> list[Any]: ...

    def identifier(self, value: Any, entry: str, seen: set[str]) -> str: ...

    def text(self, value: Any, entry: str, field: str) -> Text: ...

    def words(self, value: Any, entry: str, field: str) -> tuple[str, ...]: ...

    def week(self, value: Any, entry: str, field: str) -> dict[str, Interval]: ...

    def flag(self, value: Any, entry: str, field: str) -> bool: ...


def meetings(data: dict[str, Any], c: Checker) -> Meetings:
    """Reads services.yml's optional ``meetings`` section (empty when it is missing)."""
    if data.get("meetings") is None:
        return Meetings()
    section = c.mapping(data.get("meetings"), "meetings", "(section)")
    seen: set[str] = set()
    topics = []
    for index, raw in enumerate(c.sequence(section.get("topics"), "meetings", "topics")):
        entry = f"meetings.topics[{index}]"
        raw = c.mapping(raw, entry, "(entry)")
        if raw:
            topics.append(
                MeetingTopic(
                    id=c.identifier(raw.get("id"), entry, seen),
                    name=c.text(raw.get("name"), entry, "name"),
                    synonyms=c.words(raw.get("synonyms"), entry, "synonyms"),
                )
            )
    return Meetings(
        topics=tuple(topics),
        hours=c.week(section.get("hours") or {}, "meetings", "hours"),
        sample=c.flag(section.get("sample"), "meetings", "sample"),
    )
