"""The report's figures on the seeded week: every figure checked exactly."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.handoff import HandoffStore
from bot.handoff.schema import conversation_stats_table, inbox_marks_table
from bot.insight.facts import ConversationFacts, percentile
from bot.insight.figures import Report, build_report
from tests.insight.seed import (
    END,
    EXPECTED_PER_DAY,
    EXPECTED_PER_HOUR,
    EXPECTED_SUMMARY,
    EXPECTED_TOPICS,
    START,
    fake_sources,
)


@pytest.fixture
def report(store: HandoffStore, seeded: dict[str, str]) -> Report:
    return build_report(store.insight.facts(START, END, fake_sources()), START, END)


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED_SUMMARY.items()))
def test_summary_figure_of_the_seeded_week(report: Report, name: str, expected: Any) -> None:
    assert report.value(name) == expected


def test_every_summary_figure_is_checked(report: Report) -> None:
    assert [row["namn"] for row in report.summary] == list(EXPECTED_SUMMARY)


def test_conversations_and_messages_per_day(report: Report) -> None:
    got = [(r["dato"], r["samtalar"], r["meldingar"]) for r in report.per_day]
    assert got == EXPECTED_PER_DAY


def test_conversations_per_weekday_monday_first(report: Report) -> None:
    got = [(r["vekedag"], r["samtalar"], r["meldingar"]) for r in report.per_weekday]
    assert got == [
        ("måndag", 2, 2),
        ("tysdag", 1, 2),
        ("onsdag", 1, 1),
        ("torsdag", 1, 1),
        ("fredag", 1, 1),
        ("laurdag", 1, 2),
        ("sundag", 1, 1),
    ]


def test_conversations_per_hour_all_24_hours(report: Report) -> None:
    assert [r["time"] for r in report.per_hour] == list(range(24))
    got = {r["time"]: (r["samtalar"], r["meldingar"]) for r in report.per_hour if r["samtalar"]}
    assert got == EXPECTED_PER_HOUR


def test_topics_with_thumbs_and_ratings(report: Report) -> None:
    got = [tuple(r.values()) for r in report.topics]
    assert got == EXPECTED_TOPICS


def test_saving_prints_its_assumptions(report: Report) -> None:
    assert {r["namn"]: r["verdi"] for r in report.saving} == {
        "samtalar løyste av boten": 3,
        "kostnad per telefonkontakt (kr)": 40,
        "kostnad per sjølvbetening (kr)": 3,
        "innsparing per samtale (kr)": 37,
        "estimert innsparing (kr)": 111,
    }


def test_a_deleted_conversation_is_archived_without_text_or_id(
    store: HandoffStore, seeded: dict[str, str]
) -> None:
    with store.engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(select(conversation_stats_table))]
    assert len(rows) == 1
    row = rows[0]
    assert (row["started_on"], row["started_hour"], row["weekday"]) == ("2026-11-06", 10, 4)
    assert json.loads(row["topics"]) == [{"topic": "ask_phone", "up": 0, "down": 0}]
    assert row["resolved_by_bot"] is True
    stored = json.dumps(row, default=str)
    assert seeded["C10"] not in stored
    assert "telefonnummeret" not in stored


def test_the_archived_conversation_is_counted_once_after_retention(
    store: HandoffStore, seeded: dict[str, str], clock: Any
) -> None:
    from datetime import timedelta

    before = build_report(store.insight.facts(START, END, fake_sources()), START, END)
    clock.now = clock.now + timedelta(days=400)
    store.retention.purge_older_than(timedelta(days=30))
    after = build_report(store.insight.facts(START, END, fake_sources()), START, END)
    assert store.conversations.get(seeded["C1"]) is None
    # The live fake hours and the knowledge base's hours agree on the seeded week.
    assert after.summary == before.summary
    assert after.per_day == before.per_day
    assert after.topics == before.topics


def test_a_deleted_conversation_takes_its_rating_and_inbox_marks_along(
    store: HandoffStore, seeded: dict[str, str]
) -> None:
    store.insight.mark([m.message_id for m in store.insight.unanswered()], "not_for_bot", None, "e")
    assert store.insight.rating(seeded["C4"]) is not None
    store.conversations.delete(seeded["C4"])
    assert store.insight.rating(seeded["C4"]) is None
    with store.engine.connect() as connection:
        left = connection.execute(select(inbox_marks_table.c.conversation_id)).scalars().all()
    assert left and seeded["C4"] not in left


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [
        ([], 0.9, None),
        ([5.0], 0.9, 5.0),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9),
        ([3, 1, 2], 0.5, 2),
    ],
)
def test_nearest_rank_percentile(values: list[float], share: float, expected: float | None) -> None:
    assert percentile(values, share) == expected


def test_an_empty_period_has_no_shares_and_no_saving() -> None:
    from datetime import date

    report = build_report([], date(2026, 1, 1), date(2026, 1, 2))
    assert report.value("samtalar") == 0
    assert report.value("del løyst av boten") is None
    assert report.value("estimert innsparing (kr)") == 0
    assert len(report.per_day) == 2


def test_facts_outside_the_period_are_left_out() -> None:
    from datetime import date

    inside = ConversationFacts(date(2026, 1, 1), 10, 3, "nn", citizen_messages=1)
    outside = ConversationFacts(date(2026, 1, 3), 10, 5, "nn", citizen_messages=1)
    report = build_report([inside, outside], date(2026, 1, 1), date(2026, 1, 2))
    assert report.value("samtalar") == 1


def test_a_failing_statistic_never_stops_a_deletion(store: HandoffStore) -> None:
    from bot.handoff.insight import FactSources, archive_conversations

    def broken(_text: str) -> str | None:
        raise RuntimeError("faq matcher broke")

    conv = store.conversations.create("nn")
    store.messages.receive_citizen(conv.id, "hei", intent=None)
    with store._db.session() as session:  # noqa: SLF001 - the deleting transaction
        assert archive_conversations(session, [conv.id], FactSources(broken, lambda _: None)) == 0
    assert store.conversations.delete(conv.id)
    assert store.conversations.get(conv.id) is None
