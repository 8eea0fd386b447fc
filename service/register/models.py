"""Tables of the register: agencies, books, sequences, documents, files, keys, audit."""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base

# JSON everywhere, stored as JSONB on PostgreSQL.
JSONType = JSON().with_variant(postgresql.JSONB(), "postgresql")

STATUSES = ("issued", "revoked", "failed")
ROLES = ("clerk", "admin")


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


def new_id() -> str:
    """A new document or batch id: 32 hex digits of a UUIDv7 (RFC 9562).

    48 bits of Unix milliseconds, then 74 random bits: as unguessable as a
    random UUID, but ids made one after another sort together, so the primary
    key indexes grow at their right edge instead of splitting pages all over
    (and PostgreSQL writes fewer full-page images to its WAL).
    """
    millis = time.time_ns() // 1_000_000
    value = (millis & ((1 << 48) - 1)) << 80 | int.from_bytes(os.urandom(10), "big")
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # variant 10
    return uuid.UUID(int=value).hex


class AgencyRow(Base):
    """A configured agency; ``data`` is the Agency JSON without its books."""

    __tablename__ = "agencies"

    id: Mapped[str] = mapped_column(String(63), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    books: Mapped[list[BookRow]] = relationship(
        back_populates="agency",
        order_by="BookRow.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class BookRow(Base):
    """A register (sổ) of an agency with the type codes it takes."""

    __tablename__ = "books"

    agency_id: Mapped[str] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE", name="fk_books_agency"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(63), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(300))
    types: Mapped[list[str]] = mapped_column(JSONType)

    agency: Mapped[AgencyRow] = relationship(back_populates="books")


class SequenceRow(Base):
    """The last number taken in one book for one year (no foreign key: never deleted)."""

    __tablename__ = "sequences"

    agency_id: Mapped[str] = mapped_column(String(63), primary_key=True)
    book_id: Mapped[str] = mapped_column(String(63), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Document(Base):
    """One numbered entry of the register: issued, revoked, or failed (number kept)."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("agency_id", "book_id", "year", "number", name="uq_documents_number"),
        UniqueConstraint("idempotency_scope", "idempotency_key", name="uq_documents_idempotency"),
        CheckConstraint("status IN ('issued', 'revoked', 'failed')", name="ck_documents_status"),
        Index("ix_documents_batch", "batch_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id", name="fk_documents_agency"))
    book_id: Mapped[str] = mapped_column(String(63))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    symbol: Mapped[str] = mapped_column(String(100), default="")
    template: Mapped[str] = mapped_column(String(63))
    doc_type: Mapped[str] = mapped_column(String(20), default="")
    date: Mapped[dt.date | None] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")
    signer_name: Mapped[str] = mapped_column(String(300), default="")
    recipients: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(10), default="issued")
    reason: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    idempotency_scope: Mapped[str | None] = mapped_column(String(100))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    batch_id: Mapped[str | None] = mapped_column(String(32))
    search_text: Mapped[str] = mapped_column(Text, default="")

    files: Mapped[list[FileRow]] = relationship(
        back_populates="document",
        order_by="FileRow.format",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class FileRow(Base):
    """A stored file of a document; ``content`` is None when kept by another Storage."""

    __tablename__ = "files"

    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE", name="fk_files_document"), primary_key=True
    )
    format: Mapped[str] = mapped_column(String(10), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    document: Mapped[Document] = relationship(back_populates="files")


class ApiKey(Base):
    """An API key: only the SHA-256 of the secret is stored."""

    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint("role IN ('clerk', 'admin')", name="ck_api_keys_role"),
        UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(20), index=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(10))
    agencies: Mapped[list[str]] = mapped_column(JSONType, default=list)
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """Who did what, when: issue, revoke, export, agency and key changes."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    agency_id: Mapped[str | None] = mapped_column(String(63), index=True)
    document_id: Mapped[str | None] = mapped_column(String(32), index=True)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
