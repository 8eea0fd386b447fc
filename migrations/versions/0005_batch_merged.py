"""merged.pdf of a batch is kept once built: batch_merged.

Joining a thousand certificates with pypdf takes seconds and tens of
megabytes; a batch whose rows all have their PDF cannot change any more
(``POST …/retry`` only runs failed rows, and drops the kept file), so the
joined file is built on the first download and read back afterwards. Deleted
with its batch (preview expiry). Contents are stored uncompressed out of line
on PostgreSQL, like the other files (see 0004).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create batch_merged."""
    op.create_table(
        "batch_merged",
        sa.Column("batch_id", sa.String(32), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name="fk_batch_merged_batch", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("batch_id", "format", name="pk_batch_merged"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE batch_merged ALTER COLUMN content SET STORAGE EXTERNAL")


def downgrade() -> None:
    """Drop batch_merged."""
    op.drop_table("batch_merged")
