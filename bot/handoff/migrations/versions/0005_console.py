"""Console: staff status and capacity, the citizen's start page and presence, canned replies.

Revision ID: 0005_console
Revises: 0004_editor
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_console"
down_revision = "0004_editor"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the console's tables."""
    op.create_table(
        "console_staff_status",
        sa.Column(
            "staff_user_id",
            sa.Integer(),
            sa.ForeignKey("staff_users.id"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("max_chats", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint(
            "status IN ('available', 'break', 'busy')", name="ck_console_staff_status_status"
        ),
    )
    op.create_table(
        "console_conversation_context",
        sa.Column("conversation_id", sa.String(64), primary_key=True),
        sa.Column("page", sa.String(200), nullable=True),
        sa.Column("citizen_seen_at", UTC, nullable=True),
        sa.Column("citizen_left_at", UTC, nullable=True),
    )
    op.create_table(
        "console_canned_replies",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("staff_users.id"), nullable=True),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(5), nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
    )
    op.create_index("ix_console_canned_replies_owner_id", "console_canned_replies", ["owner_id"])


def downgrade() -> None:
    """Drop the console's tables."""
    op.drop_index("ix_console_canned_replies_owner_id", table_name="console_canned_replies")
    op.drop_table("console_canned_replies")
    op.drop_table("console_conversation_context")
    op.drop_table("console_staff_status")
