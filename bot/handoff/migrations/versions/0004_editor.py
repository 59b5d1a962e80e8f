"""The editor's history of knowledge-base and staff-account changes (issue 8).

Revision ID: 0004_editor
Revises: 0003_booking
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_editor"
down_revision = "0003_booking"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``kb_changes``."""
    op.create_table(
        "kb_changes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", UTC, nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("file", sa.String(100), nullable=False),
        sa.Column("entry", sa.String(200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("diff", sa.Text(), nullable=False),
        sa.Column("previous", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("undoes", sa.Integer(), nullable=True),
    )
    op.create_index("ix_kb_changes_at", "kb_changes", ["at"])


def downgrade() -> None:
    """Drop ``kb_changes`` (and the history in it)."""
    op.drop_index("ix_kb_changes_at", table_name="kb_changes")
    op.drop_table("kb_changes")
