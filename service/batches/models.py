"""Tables of bulk issuing: a batch, its rows in order, and the files of non-issued rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Mapped, Session, mapped_column

from service.db import Base
from service.register.models import JSONType, new_id, utcnow

BATCH_STATUSES = ("queued", "running", "done", "failed")
ROW_STATUSES = ("pending", "done", "failed")
PDF_STATUSES = ("pending", "done", "failed")


class Batch(Base):
    """One bulk request: template, common data, the reserved block and its progress."""

    __tablename__ = "batches"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name="ck_batches_status"
        ),
        Index("ix_batches_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    agency_id: Mapped[str | None] = mapped_column(String(63))
    book_id: Mapped[str | None] = mapped_column(String(63))
    template: Mapped[str] = mapped_column(String(63))
    year: Mapped[int | None] = mapped_column(Integer)
    issue: Mapped[bool] = mapped_column(Boolean, default=False)
    formats: Mapped[list[str]] = mapped_column(JSONType)
    common: Mapped[dict[str, Any]] = mapped_column(JSONType)
    parent_id: Mapped[str | None] = mapped_column(String(32))
    callback_url: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    total: Mapped[int] = mapped_column(Integer)
    first_number: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    progress_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    callback_claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    callback_sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    callback_error: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    # Set while one process joins merged.pdf (service.batches.merged).
    merged_claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class BatchRow(Base):
    """One row of a batch: its merged data, its reserved number and what became of it."""

    __tablename__ = "batch_rows"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'done', 'failed')", name="ck_batch_rows_status"),
        Index("ix_batch_rows_status", "batch_id", "status"),
        Index("ix_batch_rows_pdf_status", "batch_id", "pdf_status"),
    )

    batch_id: Mapped[str] = mapped_column(
        ForeignKey("batches.id", ondelete="CASCADE", name="fk_batch_rows_batch"), primary_key=True
    )
    row_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    line: Mapped[int] = mapped_column(Integer)  # the row as the clerk sees it (Excel row)
    number: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    document_id: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The PDF phase (batches with a pdf format): NULL until the row is done and queued for
    # conversion, then pending, done or failed (the .docx and the number stay either way).
    pdf_status: Mapped[str | None] = mapped_column(String(10))
    pdf_error: Mapped[str | None] = mapped_column(Text)


class BatchFile(Base):
    """A file rendered for a row of a non-issued batch (issued rows live in ``files``)."""

    __tablename__ = "batch_files"
    __table_args__ = (
        ForeignKeyConstraint(
            ["batch_id", "row_index"],
            ["batch_rows.batch_id", "batch_rows.row_index"],
            ondelete="CASCADE",
            name="fk_batch_files_row",
        ),
    )

    batch_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    row_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    format: Mapped[str] = mapped_column(String(10), primary_key=True)
    filename: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)


class BatchMerged(Base):
    """merged.pdf of a batch, kept once built; only when every row of the batch has its PDF."""

    __tablename__ = "batch_merged"

    batch_id: Mapped[str] = mapped_column(
        ForeignKey("batches.id", ondelete="CASCADE", name="fk_batch_merged_batch"),
        primary_key=True,
    )
    format: Mapped[str] = mapped_column(String(10), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def pending_rows(
    session: Session,
    batch_id: str,
    start: int,
    stop: int,
    *,
    column: InstrumentedAttribute[Any],
    skip_locked: bool = False,
) -> Sequence[BatchRow]:
    """Rows ``start`` ≤ index < ``stop`` still pending in ``column``, locked, in row order.

    ``column`` is the phase: BatchRow.status (rendering) or BatchRow.pdf_status (PDFs).
    With ``skip_locked`` rows another worker holds are left to it.
    """
    return session.scalars(
        select(BatchRow)
        .where(
            BatchRow.batch_id == batch_id,
            BatchRow.row_index >= start,
            BatchRow.row_index < stop,
            column == "pending",
        )
        .order_by(BatchRow.row_index)
        .with_for_update(skip_locked=skip_locked)
    ).all()
