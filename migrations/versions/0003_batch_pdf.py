"""PDF phase of batches: each row's PDF state and its error.

Plain ``ADD COLUMN`` (no table copy on SQLite); the allowed values are
checked on PostgreSQL, where a constraint can be added in place.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

CHECK = "pdf_status IS NULL OR pdf_status IN ('pending', 'done', 'failed')"


def upgrade() -> None:
    """Add batch_rows.pdf_status (NULL: no PDF wanted, or not started) and pdf_error."""
    op.add_column("batch_rows", sa.Column("pdf_status", sa.String(10), nullable=True))
    op.add_column("batch_rows", sa.Column("pdf_error", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint("ck_batch_rows_pdf_status", "batch_rows", CHECK)
    op.create_index("ix_batch_rows_pdf_status", "batch_rows", ["batch_id", "pdf_status"])


def downgrade() -> None:
    """Drop the PDF state of batch rows."""
    op.drop_index("ix_batch_rows_pdf_status", table_name="batch_rows")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("ck_batch_rows_pdf_status", "batch_rows", type_="check")
    op.drop_column("batch_rows", "pdf_error")
    op.drop_column("batch_rows", "pdf_status")
