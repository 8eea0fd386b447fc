"""Stored files are kept out of line without compression on PostgreSQL.

A .docx and a PDF are already deflate-compressed: PostgreSQL's TOAST would
try pglz on every file larger than ~2 KB and throw the result away. STORAGE
EXTERNAL skips that attempt (a few percent of an issue's database time for a
7 KB decision). Existing rows are untouched; the setting applies to new ones.
Nothing to do on SQLite.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

COLUMNS = (("files", "content"), ("batch_files", "content"))


def _set(storage: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET STORAGE {storage}")


def upgrade() -> None:
    """Store file contents uncompressed out of line (they are compressed formats)."""
    _set("EXTERNAL")


def downgrade() -> None:
    """Back to PostgreSQL's default for bytea (compress, then out of line)."""
    _set("EXTENDED")
