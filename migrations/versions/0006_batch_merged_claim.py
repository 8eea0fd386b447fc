"""merged.pdf of a batch is joined by one process at a time: batches.merged_claimed_at.

The worker joins merged.pdf as soon as a batch closes; a clerk who downloads
it at that moment used to join the same thousand PDFs again in the web
process, both slower for sharing the CPU, one result thrown away. The joiner
now claims the join first (a guarded UPDATE of this column, as
``callback_claimed_at`` does for the callback), and a download that finds it
claimed waits for the kept file instead.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add batches.merged_claimed_at."""
    op.add_column(
        "batches", sa.Column("merged_claimed_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    """Drop batches.merged_claimed_at."""
    op.drop_column("batches", "merged_claimed_at")
