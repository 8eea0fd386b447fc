"""Bulk issuing tables: batches, batch_rows, batch_files.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the batch tables."""
    op.create_table(
        "batches",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("agency_id", sa.String(63), nullable=True),
        sa.Column("book_id", sa.String(63), nullable=True),
        sa.Column("template", sa.String(63), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("issue", sa.Boolean(), nullable=False),
        sa.Column("formats", JSON, nullable=False),
        sa.Column("common", JSON, nullable=False),
        sa.Column("parent_id", sa.String(32), nullable=True),
        sa.Column("callback_url", sa.Text(), nullable=True),
        sa.Column("source", sa.String(300), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("first_number", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("progress_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("callback_claimed_at", TIMESTAMP, nullable=True),
        sa.Column("callback_sent_at", TIMESTAMP, nullable=True),
        sa.Column("callback_error", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name="ck_batches_status"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_batches"),
    )
    op.create_index("ix_batches_status", "batches", ["status"])
    op.create_table(
        "batch_rows",
        sa.Column("batch_id", sa.String(32), nullable=False),
        sa.Column("row_index", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("data", JSON, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("document_id", sa.String(32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("status IN ('pending', 'done', 'failed')", name="ck_batch_rows_status"),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name="fk_batch_rows_batch", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("batch_id", "row_index", name="pk_batch_rows"),
    )
    op.create_index("ix_batch_rows_status", "batch_rows", ["batch_id", "status"])
    op.create_table(
        "batch_files",
        sa.Column("batch_id", sa.String(32), nullable=False),
        sa.Column("row_index", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("media_type", sa.String(200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id", "row_index"],
            ["batch_rows.batch_id", "batch_rows.row_index"],
            name="fk_batch_files_row",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("batch_id", "row_index", "format", name="pk_batch_files"),
    )


def downgrade() -> None:
    """Drop the batch tables."""
    op.drop_table("batch_files")
    op.drop_index("ix_batch_rows_status", table_name="batch_rows")
    op.drop_table("batch_rows")
    op.drop_index("ix_batches_status", table_name="batches")
    op.drop_table("batches")
