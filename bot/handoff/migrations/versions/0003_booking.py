"""Booking requests: meetings with a saksbehandlar asked for in the chat (issue 10).

Revision ID: 0003_booking
Revises: 0002_insight
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_booking"
down_revision = "0002_insight"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``booking_requests``."""
    op.create_table(
        "booking_requests",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id",
            sa.String(64),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("place", sa.String(64), nullable=False),
        sa.Column("days", sa.Text(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(254), nullable=True),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("meeting_at", UTC, nullable=True),
        sa.Column("handled_at", UTC, nullable=True),
        sa.Column("handled_by", sa.Integer(), sa.ForeignKey("staff_users.id"), nullable=True),
        sa.Column("staff_note", sa.Text(), nullable=True),
        sa.CheckConstraint("language IN ('nn', 'nb', 'en')", name="ck_booking_requests_language"),
        sa.CheckConstraint(
            "status IN ('open', 'booked', 'answered')", name="ck_booking_requests_status"
        ),
    )
    op.create_index("ix_booking_requests_conversation_id", "booking_requests", ["conversation_id"])
    op.create_index(
        "ix_booking_requests_status_created_at", "booking_requests", ["status", "created_at"]
    )


def downgrade() -> None:
    """Drop ``booking_requests``."""
    op.drop_index("ix_booking_requests_status_created_at", table_name="booking_requests")
    op.drop_index("ix_booking_requests_conversation_id", table_name="booking_requests")
    op.drop_table("booking_requests")
