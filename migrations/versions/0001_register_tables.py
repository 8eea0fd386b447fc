"""Register tables: agencies, books, sequences, documents, files, api_keys, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create every register table."""
    op.create_table(
        "agencies",
        sa.Column("id", sa.String(63), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agencies"),
    )
    op.create_table(
        "books",
        sa.Column("agency_id", sa.String(63), nullable=False),
        sa.Column("id", sa.String(63), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("types", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_books_agency", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("agency_id", "id", name="pk_books"),
    )
    op.create_table(
        "sequences",
        sa.Column("agency_id", sa.String(63), nullable=False),
        sa.Column("book_id", sa.String(63), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "book_id", "year", name="pk_sequences"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("agency_id", sa.String(63), nullable=False),
        sa.Column("book_id", sa.String(63), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(100), nullable=False),
        sa.Column("template", sa.String(63), nullable=False),
        sa.Column("doc_type", sa.String(20), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("signer_name", sa.String(300), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("data", JSON, nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("idempotency_scope", sa.String(100), nullable=True),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("request_hash", sa.String(64), nullable=True),
        sa.Column("batch_id", sa.String(32), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.CheckConstraint("status IN ('issued', 'revoked', 'failed')", name="ck_documents_status"),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name="fk_documents_agency"),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.UniqueConstraint("agency_id", "book_id", "year", "number", name="uq_documents_number"),
        sa.UniqueConstraint(
            "idempotency_scope", "idempotency_key", name="uq_documents_idempotency"
        ),
    )
    op.create_index("ix_documents_batch", "documents", ["batch_id"])
    op.create_table(
        "files",
        sa.Column("document_id", sa.String(32), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("media_type", sa.String(200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name="fk_files_document", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("document_id", "format", name="pk_files"),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("prefix", sa.String(20), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("agencies", JSON, nullable=False),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.CheckConstraint("role IN ('clerk', 'admin')", name="ck_api_keys_role"),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )
    op.create_index("ix_api_keys_prefix", "api_keys", ["prefix"])
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("agency_id", sa.String(63), nullable=True),
        sa.Column("document_id", sa.String(32), nullable=True),
        sa.Column("detail", JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit"),
    )
    op.create_index("ix_audit_agency_id", "audit", ["agency_id"])
    op.create_index("ix_audit_document_id", "audit", ["document_id"])


def downgrade() -> None:
    """Drop every register table."""
    for index, table in (
        ("ix_audit_document_id", "audit"),
        ("ix_audit_agency_id", "audit"),
        ("ix_api_keys_prefix", "api_keys"),
        ("ix_documents_batch", "documents"),
    ):
        op.drop_index(index, table_name=table)
    for table in ("audit", "api_keys", "files", "documents", "sequences", "books", "agencies"):
        op.drop_table(table)
