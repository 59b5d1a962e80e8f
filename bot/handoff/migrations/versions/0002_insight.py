"""Insight (issue 9): ratings, inbox decisions and aggregated statistics.

Revision ID: 0002_insight
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_insight"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the insight tables."""
    op.create_table(
        "insight_ratings",
        sa.Column(
            "conversation_id",
            sa.String(64),
            sa.ForeignKey("conversations.id"),
            primary_key=True,
        ),
        sa.Column("value", sa.String(10), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.CheckConstraint("value IN ('yes', 'partly', 'no')", name="ck_insight_ratings_value"),
    )
    op.create_table(
        "insight_inbox_marks",
        sa.Column("message_id", sa.Integer(), sa.ForeignKey("messages.id"), primary_key=True),
        sa.Column(
            "conversation_id", sa.String(64), sa.ForeignKey("conversations.id"), nullable=False
        ),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("faq_id", sa.String(100), nullable=True),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.CheckConstraint(
            "decision IN ('faq_phrasing', 'faq_entry', 'not_for_bot')",
            name="ck_insight_inbox_marks_decision",
        ),
    )
    op.create_index(
        "ix_insight_inbox_marks_conversation_id", "insight_inbox_marks", ["conversation_id"]
    )
    op.create_table(
        "insight_conversation_stats",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("started_on", sa.String(10), nullable=False),
        sa.Column("started_hour", sa.SmallInteger(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("topics", sa.Text(), nullable=False),
        sa.Column("citizen_messages", sa.Integer(), nullable=False),
        sa.Column("bot_messages", sa.Integer(), nullable=False),
        sa.Column("staff_messages", sa.Integer(), nullable=False),
        sa.Column("fallbacks", sa.Integer(), nullable=False),
        sa.Column("resolved_by_bot", sa.Boolean(), nullable=False),
        sa.Column("handoff", sa.Boolean(), nullable=False),
        sa.Column("queue_wait_s", sa.Float(), nullable=True),
        sa.Column("handling_s", sa.Float(), nullable=True),
        sa.Column("offline_request", sa.Boolean(), nullable=False),
        sa.Column("offline_answer_s", sa.Float(), nullable=True),
        sa.Column("rating", sa.String(10), nullable=True),
        sa.Column("outside_hours", sa.Boolean(), nullable=True),
    )
    op.create_index(
        "ix_insight_conversation_stats_started_on",
        "insight_conversation_stats",
        ["started_on"],
    )


def downgrade() -> None:
    """Drop the insight tables (and the statistics in them)."""
    op.drop_index(
        "ix_insight_conversation_stats_started_on", table_name="insight_conversation_stats"
    )
    op.drop_table("insight_conversation_stats")
    op.drop_index("ix_insight_inbox_marks_conversation_id", table_name="insight_inbox_marks")
    op.drop_table("insight_inbox_marks")
    op.drop_table("insight_ratings")
