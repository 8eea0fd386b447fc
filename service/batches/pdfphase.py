"""The PDF phase of a batch: after its rows, their PDFs, then the batch is finished.

Issued and preview batches share it; only the source differs
(service.batches.pdfsource): an issued row's PDF is its register document's
file, made by ``pdf.convert_documents``; a preview row's is a ``batch_files``
row beside its DOCX, made by ``pdf.convert_batch_files``.

State lives in the rows, so every step is idempotent and no task waits on
another: when no row is left pending, the finisher moves the done rows to
``pdf_status = 'pending'`` with one guarded UPDATE (only rows still NULL, so
concurrent finishers promote each row once and exactly one of them enqueues
the chunks). Each chunk is the source's task over a slice of the rows in row
order, ``link``ed to ``batches.pdf_done``, which records the chunk's rows
(done when their PDF is stored, failed with the converter's reason otherwise)
in one transaction and then runs the finisher again: the last chunk to commit
sees no pending row and closes the batch with the guarded
``UPDATE … WHERE status IN ('queued', 'running')``. A chunk whose worker died
leaves its rows pending; the sweeper sends them again (``plan``), and stored
PDFs are reused, so nothing is converted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service.batches.models import Batch, BatchRow, pending_rows
from service.batches.pdfsource import source_for
from service.db import Database
from service.register.models import utcnow

log = logging.getLogger(__name__)

NO_REASON = "Không tạo được PDF"


@dataclass(frozen=True)
class PdfChunk:
    """Rows ``start`` ≤ index < ``stop``, made PDFs of by the task ``task(*args)``."""

    start: int
    stop: int
    task: str
    args: tuple[Any, ...]


def pdf_format(formats: Sequence[str]) -> str | None:
    """The stored format a batch's PDFs take: ``pdfa`` (PDF/A-2b), ``pdf`` or None."""
    if "pdfa" in formats:
        return "pdfa"
    return "pdf" if "pdf" in formats else None


def wants_pdf(batch: Batch) -> bool:
    """Whether the batch has a PDF phase (pdf or pdfa in formats, issued or not)."""
    return pdf_format(batch.formats) is not None


def start(session: Session, batch: Batch) -> int:
    """Queue the done rows not yet queued for conversion; how many this call queued."""
    query = update(BatchRow).where(
        BatchRow.batch_id == batch.id,
        BatchRow.status == "done",
        BatchRow.pdf_status.is_(None),
    )
    if batch.issue:  # an issued row converts its register document
        query = query.where(BatchRow.document_id.is_not(None))
    result = session.execute(query.values(pdf_status="pending", pdf_error=None))
    return int(result.rowcount)  # type: ignore[attr-defined]


def counts(session: Session, batch_id: str) -> dict[str, int]:
    """Rows of a batch by PDF state (rows without one are not counted)."""
    result = session.execute(
        select(BatchRow.pdf_status, func.count())
        .where(BatchRow.batch_id == batch_id, BatchRow.pdf_status.is_not(None))
        .group_by(BatchRow.pdf_status)
    )
    found = {status: int(n) for status, n in result}
    return {s: found.get(s, 0) for s in ("pending", "done", "failed")}


def plan(database: Database, batch_id: str, size: int) -> list[PdfChunk]:
    """The rows waiting for their PDF as tasks of ``size`` rows each, in row order."""
    with database.read_sessions() as session:
        batch = session.get(Batch, batch_id)
        if batch is None or batch.status not in ("queued", "running"):
            return []
        rows = session.execute(
            select(BatchRow.row_index, BatchRow.document_id)
            .where(BatchRow.batch_id == batch_id, BatchRow.pdf_status == "pending")
            .order_by(BatchRow.row_index)
        ).all()
        pdfa = pdf_format(batch.formats) == "pdfa"
        source = source_for(batch)
    keyed = [(i, key) for i, doc_id in rows if (key := source.key(i, doc_id)) is not None]
    chunks = []
    for n in range(0, len(keyed), size):
        part = keyed[n : n + size]
        args = source.args(batch_id, [key for _, key in part], pdfa)
        chunks.append(PdfChunk(part[0][0], part[-1][0] + 1, source.task, args))
    return chunks


def record(
    database: Database, batch_id: str, start: int, stop: int, failed: Mapping[str, str]
) -> tuple[int, int]:
    """Settle the chunk's pending rows from what is stored; (done, failed) this call settled.

    A row is done when its PDF is stored, failed when the task reported it
    failed (``failed`` is keyed like the task's arguments: document ids, or
    row indexes as text); any other row (not part of that task) stays pending.
    """
    with database.session() as session:
        batch = session.get(Batch, batch_id)
        fmt = pdf_format(batch.formats) if batch is not None else None
        if batch is None or fmt is None:
            return 0, 0
        rows = pending_rows(session, batch_id, start, stop, column=BatchRow.pdf_status)
        source = source_for(batch)
        keys = [source.key(r.row_index, r.document_id) for r in rows]
        stored = source.stored(session, batch_id, [k for k in keys if k is not None], fmt)
        done = bad = 0
        now = utcnow()
        for row, key in zip(rows, keys, strict=True):
            if key is None:
                continue
            if key in stored:
                row.pdf_status, row.pdf_error, row.updated_at = "done", None, now
                done += 1
            elif key in failed:
                reason = failed[key] or NO_REASON
                row.pdf_status, row.updated_at = "failed", now
                row.pdf_error = f"Dòng {row.line}: {NO_REASON} ({reason})"
                bad += 1
        session.execute(update(Batch).where(Batch.id == batch_id).values(progress_at=now))
    log.info("batch %s: PDFs of rows %d-%d: %d done, %d failed", batch_id, start, stop, done, bad)
    return done, bad


def reset_failed(session: Session, batch_id: str) -> int:
    """Send the rows whose PDF failed round again (at the next finish); how many."""
    result = session.execute(
        update(BatchRow)
        .where(BatchRow.batch_id == batch_id, BatchRow.pdf_status == "failed")
        .values(pdf_status=None, pdf_error=None, updated_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
