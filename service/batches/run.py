"""Render a chunk of a batch's rows, idempotently, and finish the batch when none is pending.

A chunk is one transaction: its pending rows are locked (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL, so a duplicate task skips rows a twin is rendering;
SQLite's ``BEGIN IMMEDIATE`` serialises writers anyway), each row is issued
under its reserved number inside a savepoint, and the row is marked done in
the same transaction as its document. A re-run therefore skips done rows and
never takes a second number or writes a second file.

A data or template error that validation could not see fails the row alone:
its savepoint is rolled back, the number is kept in the register as a
``failed`` document with the reason, and the row is marked failed. Transient
errors (lost connections) propagate, so the task is retried with backoff.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from service import documents
from service.agencies import AgencyDirectory
from service.batches import pdfphase
from service.batches.models import Batch, BatchFile, BatchRow, pending_rows
from service.db import Database
from service.errors import TemplateError, VanbanError
from service.register import audit
from service.register.agencies import load_directory
from service.register.issuing import issue_reserved, record_failed
from service.register.models import Document, utcnow

log = logging.getLogger(__name__)

# Worth retrying: the database or the network went away; the data is not at fault.
TRANSIENT: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    DisconnectionError,
    ConnectionError,
    TimeoutError,
)
ROW_FORMATS = ("docx",)  # rows render DOCX; PDFs are a phase after them (pdfphase)


@dataclass(frozen=True)
class ChunkResult:
    """What one chunk did."""

    done: int
    failed: int
    skipped: int


# The reason stored for a row that failed for a reason the service did not foresee
# (a bug): the exception itself, often in English, goes to the log, not to the clerk.
UNEXPECTED = "Lỗi khi tạo văn bản; lỗi đã được ghi lại"


def explained(exc: BaseException) -> bool:
    """Whether ``exc`` carries a reason for the clerk: the service's own errors do.

    A TemplateError does not: it is a bug of a template, and quotes Jinja's English.
    """
    return isinstance(exc, VanbanError) and not isinstance(exc, TemplateError)


def row_message(exc: BaseException, line: int) -> str:
    """The Vietnamese reason of a failed row, prefixed with its sheet row.

    The service's errors give their message and items; anything else (a bug: a
    pydantic ValidationError, a ValueError deep in rendering) gives UNEXPECTED,
    and the caller logs the exception.
    """
    if isinstance(exc, VanbanError) and explained(exc):
        text = exc.detail
        if exc.errors:
            text += ": " + "; ".join(str(e.get("msg", "")) for e in exc.errors)
    else:
        text = UNEXPECTED
    return f"Dòng {line}: {text}"


def render_rows(database: Database, batch_id: str, start: int, stop: int) -> ChunkResult:
    """Render the pending rows ``start`` ≤ index < ``stop`` of a batch in one transaction."""
    with database.session() as session:
        batch = session.get(Batch, batch_id)
        if batch is None or batch.status not in ("queued", "running"):
            log.info("batch %s: chunk %d-%d skipped (batch not running)", batch_id, start, stop)
            return ChunkResult(0, 0, stop - start)
        rows = pending_rows(
            session, batch_id, start, stop, column=BatchRow.status, skip_locked=True
        )
        directory = load_directory(session)
        done = failed = 0
        for row in rows:
            if _render_row(session, batch, row, directory):
                done += 1
            else:
                failed += 1
        if rows:
            session.execute(
                update(Batch)
                .where(Batch.id == batch_id, Batch.status.in_(("queued", "running")))
                .values(status="running", progress_at=utcnow())
            )
    log.info(
        "batch %s: rows %d-%d rendered (%d done, %d failed)", batch_id, start, stop, done, failed
    )
    return ChunkResult(done, failed, (stop - start) - len(rows))


def _render_row(session: Session, batch: Batch, row: BatchRow, directory: AgencyDirectory) -> bool:
    """Issue (or render) one row inside a savepoint; True when it succeeded."""
    savepoint = session.begin_nested()
    try:
        if batch.issue:
            document_id = _issue_row(session, batch, row, directory)
        else:
            document_id = None
            _render_draft(session, batch, row, directory)
        savepoint.commit()
    except TRANSIENT:
        savepoint.rollback()
        raise
    except Exception as exc:  # a data or template error: the row fails alone, with its reason
        savepoint.rollback()
        log.warning(
            "batch %s row %d (number %s) failed: %s",
            batch.id,
            row.row_index,
            row.number,
            exc,
            exc_info=not explained(exc),
        )
        _fail_row(session, batch, row, row_message(exc, row.line))
        return False
    row.status, row.document_id, row.error, row.updated_at = "done", document_id, None, utcnow()
    return True


def _placeholder(session: Session, batch: Batch, number: int) -> Document | None:
    """The failed register entry holding ``number`` from an earlier attempt, if any."""
    return session.scalar(
        select(Document).where(
            Document.agency_id == batch.agency_id,
            Document.book_id == batch.book_id,
            Document.year == batch.year,
            Document.number == number,
            Document.status == "failed",
        )
    )


def _issue_row(session: Session, batch: Batch, row: BatchRow, directory: AgencyDirectory) -> str:
    assert row.number is not None
    old = _placeholder(session, batch, row.number) if row.error or row.document_id else None
    if old is not None:
        # A retry: the failed entry gives its number to the issued document in this
        # same transaction, so the number is never free; the audit keeps the failure.
        session.delete(old)
        session.flush()
    result = issue_reserved(
        session,
        number=row.number,
        template_id=batch.template,
        data=row.data,
        formats=ROW_FORMATS,
        actor=batch.created_by,
        batch_id=batch.id,
        directory=directory,
    )
    if old is not None:
        audit.record(
            session,
            batch.created_by,
            "batch.retry",
            agency_id=batch.agency_id,
            document_id=result.document.id,
            detail={"batch": batch.id, "number": row.number, "replaces": old.id},
        )
    return result.document.id


def _render_draft(
    session: Session, batch: Batch, row: BatchRow, directory: AgencyDirectory
) -> None:
    """A non-issued row: render it like /render (no number taken) and keep the file."""
    rendered = documents.render(batch.template, row.data, directory)
    session.merge(
        BatchFile(
            batch_id=batch.id,
            row_index=row.row_index,
            format="docx",
            filename=rendered.filename,
            media_type=rendered.media_type,
            content=rendered.content,
            sha256=hashlib.sha256(rendered.content).hexdigest(),
            size=len(rendered.content),
        )
    )


def _fail_row(session: Session, batch: Batch, row: BatchRow, message: str) -> None:
    """Mark the row failed; an issued batch keeps its number as a failed register entry."""
    if batch.issue:
        assert row.number is not None and batch.agency_id and batch.book_id and batch.year
        old = _placeholder(session, batch, row.number)
        if old is not None:
            old.reason = message
            audit.record(
                session,
                batch.created_by,
                "fail",
                agency_id=batch.agency_id,
                document_id=old.id,
                detail={"number": row.number, "reason": message, "batch": batch.id},
            )
            row.document_id = old.id
        else:
            row.document_id = record_failed(
                session,
                agency_id=batch.agency_id,
                book_id=batch.book_id,
                year=batch.year,
                number=row.number,
                template_id=batch.template,
                reason=message,
                actor=batch.created_by,
                data=row.data,
                batch_id=batch.id,
            ).id
    row.status, row.error, row.updated_at = "failed", message, utcnow()


def counts(session: Session, batch_id: str) -> dict[str, int]:
    """Rows of a batch by status."""
    result = session.execute(
        select(BatchRow.status, func.count())
        .where(BatchRow.batch_id == batch_id)
        .group_by(BatchRow.status)
    )
    found = {status: int(n) for status, n in result}
    return {s: found.get(s, 0) for s in ("pending", "done", "failed")}


@dataclass(frozen=True)
class Finish:
    """What a finisher found: the final status if it closed the batch, or PDFs to send."""

    status: str | None = None
    send_pdf: bool = False
    # Closed as done with a PDF phase: merged.pdf can be joined once now.
    merge_pdf: bool = False


def finish_if_complete(database: Database, batch_id: str, *, resend: bool = False) -> Finish:
    """Close the batch when no row (and no PDF) is pending, or start its PDF phase.

    The guarded ``UPDATE … WHERE status IN ('queued', 'running')`` lets exactly
    one of several concurrent finishers win, so the callback is enqueued once.
    A batch with a PDF format stays running while rows wait for their PDF
    (service.batches.pdfphase); ``send_pdf`` tells the caller to enqueue the
    chunks: when this call queued rows for conversion, or with ``resend``
    (a sweep) when rows are still waiting.
    """
    with database.session() as session:
        found = counts(session, batch_id)
        batch = session.get(Batch, batch_id)
        if found["pending"] or batch is None or batch.status not in ("queued", "running"):
            return Finish()
        if pdfphase.wants_pdf(batch):
            started = pdfphase.start(session, batch)
            waiting = pdfphase.counts(session, batch_id)["pending"]
            if waiting:
                if started:
                    batch.progress_at = utcnow()
                    log.info("batch %s: rows rendered, %d PDFs to make", batch_id, started)
                return Finish(send_pdf=bool(started) or resend)
        # Every number is issued (or failed with its reason) and every PDF settled.
        final = "failed" if found["done"] == 0 else "done"
        result = session.execute(
            update(Batch)
            .where(Batch.id == batch_id, Batch.status.in_(("queued", "running")))
            .values(status=final, finished_at=utcnow(), progress_at=utcnow())
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return Finish()
        merge_pdf = final == "done" and pdfphase.wants_pdf(batch)
    log.info("batch %s finished: %s (%d done, %d failed)", batch_id, final, *_pair(found))
    return Finish(status=final, merge_pdf=merge_pdf)


def _pair(found: dict[str, int]) -> tuple[int, int]:
    return found["done"], found["failed"]
