"""The initial schema: handoff tables and the web layer's tables.

Written out explicitly (not generated at run time), so it stays what it is when
the models change. It equals what ``create_all`` made before migrations existed.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Timestamps: aware UTC in Python (bot.handoff.schema.UTCDateTime stores this type).
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.CheckConstraint("role IN ('staff', 'editor', 'admin')", name="ck_staff_users_role"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("claimed_by", sa.Integer(), sa.ForeignKey("staff_users.id"), nullable=True),
        sa.Column("waiting_since", UTC, nullable=True),
        sa.CheckConstraint(
            "state IN ('bot', 'waiting', 'with_human', 'closed')", name="ck_conversations_state"
        ),
        sa.CheckConstraint("language IN ('nn', 'nb', 'en')", name="ck_conversations_language"),
    )
    op.create_index(
        "ix_conversations_state_waiting_since", "conversations", ["state", "waiting_since"]
    )
    op.create_index("ix_conversations_updated_at", "conversations", ["updated_at"])
    op.create_table(
        "transitions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id", sa.String(64), sa.ForeignKey("conversations.id"), nullable=False
        ),
        sa.Column("from_state", sa.String(20), nullable=False),
        sa.Column("to_state", sa.String(20), nullable=False),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", UTC, nullable=False),
    )
    op.create_index("ix_transitions_conversation_id", "transitions", ["conversation_id"])
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id", sa.String(64), sa.ForeignKey("conversations.id"), nullable=False
        ),
        sa.Column("sender", sa.String(10), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), sa.ForeignKey("staff_users.id"), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("intent", sa.String(200), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("feedback", sa.SmallInteger(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.CheckConstraint(
            "sender IN ('citizen', 'bot', 'staff', 'system')", name="ck_messages_sender"
        ),
        sa.CheckConstraint("feedback IS NULL OR feedback IN (1, -1)", name="ck_messages_feedback"),
    )
    op.create_index("ix_messages_conversation_id", "messages", ["conversation_id"])
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id", sa.String(64), sa.ForeignKey("conversations.id"), nullable=False
        ),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("staff_users.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
    )
    op.create_index("ix_notes_conversation_id", "notes", ["conversation_id"])
    op.create_table(
        "offline_requests",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id", sa.String(64), sa.ForeignKey("conversations.id"), nullable=True
        ),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(254), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("answered_at", UTC, nullable=True),
        sa.Column("answered_by", sa.Integer(), sa.ForeignKey("staff_users.id"), nullable=True),
        sa.CheckConstraint("language IN ('nn', 'nb', 'en')", name="ck_offline_requests_language"),
    )
    op.create_index("ix_offline_requests_conversation_id", "offline_requests", ["conversation_id"])
    op.create_index("ix_offline_requests_created_at", "offline_requests", ["created_at"])
    op.create_table(
        "web_staff_presence",
        sa.Column("staff_user_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("last_seen", UTC, nullable=False),
    )
    op.create_table(
        "web_conversation_flags",
        sa.Column("conversation_id", sa.String(64), primary_key=True),
        sa.Column("citizen_typing_at", UTC, nullable=True),
        sa.Column("staff_typing_at", UTC, nullable=True),
        sa.Column("offline_offer", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "web_console_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
    )
    op.create_index("ix_web_console_sessions_user_id", "web_console_sessions", ["user_id"])
    op.create_index("ix_web_console_sessions_expires_at", "web_console_sessions", ["expires_at"])


def downgrade() -> None:
    """Drop every table with its indexes (and all data in them)."""
    for table in (
        "web_console_sessions",
        "web_conversation_flags",
        "web_staff_presence",
        "offline_requests",
        "notes",
        "messages",
        "transitions",
        "conversations",
        "staff_users",
    ):
        op.drop_table(table)
