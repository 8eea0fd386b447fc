"""merged.pdf of a finished batch: the stored PDF of every row, in row order, joined by qpdf.

No LibreOffice is needed: the per-row PDFs made in the PDF phase are read
back from where the batch's source keeps them (the register for an issued
batch, ``batch_files`` for a preview; service.batches.pdfsource), in the
caller's session, and joined. Rows without a PDF (a failed row, or a PDF that
failed) are left out and listed, so one bad row cannot hold back the others;
``POST …/retry`` makes the missing ones.

Once every row has its PDF the batch cannot change any more, and the joined
file (seconds of work for a thousand pages) is kept in ``batch_merged``
and read back by every download: a worker joins it as soon as the batch
closes (``keep``, workers.batches.keep_merged), and a download that comes
first joins and keeps it itself. One process joins at a time: the joiner
claims the join (``batches.merged_claimed_at``, a guarded UPDATE), and a
download that finds it claimed waits for the kept file instead of joining the
same PDFs again; a claim older than CLAIM_SECONDS belongs to a process that
died, and is taken over. The join itself runs outside any transaction (on
SQLite a writing transaction holds the database's write lock, and issuing would wait
for the join). A retry drops the kept file and the claim (``forget``);
nothing is kept while rows are missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from service.batches.archive import archive_name
from service.batches.models import Batch, BatchMerged, BatchRow
from service.batches.pdfphase import pdf_format
from service.batches.pdfsource import source_for
from service.db import insert_for
from service.errors import BatchNotFinished, BatchNotFound, NotFound
from service.pdf import jobs
from service.pdf.pdfparts import PdfMetadata
from service.register.agencies import get_agency
from service.register.models import utcnow

# A join claimed longer ago than this belongs to a process that died: taken over.
CLAIM_SECONDS = 60.0
RUNNING = ("queued", "running")
# How often a download waiting for another process's join looks for the kept file.
POLL_SECONDS = 0.2


@dataclass(frozen=True)
class MergedPdf:
    """The joined PDF, its download name and the sheet rows left out."""

    content: bytes
    filename: str
    missing: list[int]


def build_merged(session: Session, batch: Batch) -> MergedPdf:
    """merged.pdf of ``batch``; NotFound without a PDF format, BatchNotFinished (409) until done.

    When every row has its PDF the file is kept, or joined once and kept (see the
    module docstring); this commits the session's transaction, so call it with
    nothing pending.
    """
    fmt = pdf_format(batch.formats)
    if fmt is None:
        raise NotFound("Đợt này không xuất PDF (formats không có pdf hoặc pdfa)")
    if batch.status in RUNNING:
        raise BatchNotFinished("PDF của đợt chưa xong; tải merged.pdf khi trạng thái là done")
    rows = _rows(session, batch.id)
    name = archive_name(batch).removesuffix(".zip")
    missing = [r.line for r in rows if r.pdf_status != "done"]
    if missing:  # joined for this download only: a retry may still add the missing rows
        content = _join(*_sources(session, batch, rows, fmt, name), fmt)
        return MergedPdf(content, f"{name}.pdf", missing)
    kept = _complete(session, batch, rows, fmt, name, wait=True)
    assert kept is not None
    return MergedPdf(kept, f"{name}.pdf", [])


def _rows(session: Session, batch_id: str) -> Sequence[Any]:
    return session.execute(
        select(BatchRow.row_index, BatchRow.line, BatchRow.document_id, BatchRow.pdf_status)
        .where(BatchRow.batch_id == batch_id)
        .order_by(BatchRow.row_index)
    ).all()


def _complete(
    session: Session, batch: Batch, rows: Sequence[Any], fmt: str, name: str, *, wait: bool
) -> bytes | None:
    """The kept merged.pdf of a batch whose every row has its PDF, joined here if need be.

    While another process holds the join: wait for its file, or None without ``wait``.
    """
    while True:
        kept = session.scalar(
            select(BatchMerged.content).where(
                BatchMerged.batch_id == batch.id, BatchMerged.format == fmt
            )
        )
        if kept is not None:
            session.commit()
            return bytes(kept)
        claimed = _claim(session, batch.id)
        session.commit()
        if claimed is not None:
            break
        if not wait:
            return None
        time.sleep(POLL_SECONDS)  # another process is joining it
    try:
        found, meta = _sources(session, batch, rows, fmt, name)
        session.commit()  # the join holds no transaction
        content = _join(found, meta, fmt)
        if _release(session, batch.id, claimed):  # still ours: no retry dropped it meanwhile
            _keep(session, batch.id, fmt, content)
        session.commit()
    except BaseException:
        session.rollback()
        _release(session, batch.id, claimed)
        session.commit()
        raise
    return content


def _claim(session: Session, batch_id: str) -> dt.datetime | None:
    """Claim the join of a finished batch's merged.pdf; the claim's time, None when taken."""
    now = utcnow()
    stale = now - dt.timedelta(seconds=CLAIM_SECONDS)
    result = session.execute(
        update(Batch)
        .where(
            Batch.id == batch_id,
            Batch.status.not_in(RUNNING),
            or_(Batch.merged_claimed_at.is_(None), Batch.merged_claimed_at < stale),
        )
        .values(merged_claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        return now
    status = session.scalar(select(Batch.status).where(Batch.id == batch_id))
    if status is None:  # a preview that expired meanwhile
        raise BatchNotFound(f"Không có đợt phát hành mã {batch_id!r}")
    if status in RUNNING:  # retried meanwhile: its rows run again
        raise BatchNotFinished("PDF của đợt chưa xong; tải merged.pdf khi trạng thái là done")
    return None


def _release(session: Session, batch_id: str, claimed: dt.datetime) -> bool:
    """Drop our claim of the join; False when it is no longer ours."""
    result = session.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.merged_claimed_at == claimed)
        .values(merged_claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _sources(
    session: Session, batch: Batch, rows: Sequence[Any], fmt: str, name: str
) -> tuple[list[bytes], PdfMetadata]:
    """The stored PDF of every row that has one, in row order, and the merged file's metadata."""
    source = source_for(batch)
    keys = [source.key(r.row_index, r.document_id) for r in rows if r.pdf_status == "done"]
    pdfs = [source.content(session, batch.id, key, fmt) if key else None for key in keys]
    found = [pdf for pdf in pdfs if pdf is not None]
    if not found or len(found) != len(keys):
        raise BatchNotFinished(
            f"Đợt chưa có PDF của {len(rows) - len(found)} văn bản; "
            "chạy lại bằng POST /api/v1/batches/{id}/retry".replace("{id}", batch.id)
        )
    agency = get_agency(session, batch.agency_id) if batch.agency_id else None
    return found, PdfMetadata(title=name, author=agency.name if agency else None)


def _join(found: list[bytes], meta: PdfMetadata, fmt: str) -> bytes:
    return jobs.merged_pdf(found, meta, pdfa=fmt == "pdfa")


def keep(session: Session, batch: Batch) -> bool:
    """Join and keep merged.pdf of a closed batch whose every row has its PDF; whether kept.

    Nothing is joined for a batch without a PDF format, one still running, or
    one with a row that has no PDF (its merged.pdf would change with a retry);
    nor while another process joins it (that one keeps it). Commits the
    session's transaction.
    """
    fmt = pdf_format(batch.formats)
    if batch.status != "done" or fmt is None:
        return False
    rows = _rows(session, batch.id)
    if any(r.pdf_status != "done" for r in rows):
        return False
    name = archive_name(batch).removesuffix(".zip")
    return _complete(session, batch, rows, fmt, name, wait=False) is not None


def _keep(session: Session, batch_id: str, fmt: str, content: bytes) -> None:
    """Keep the joined file in the caller's transaction (two first downloads: one wins)."""
    values = {
        "batch_id": batch_id,
        "format": fmt,
        "content": content,
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
        "created_at": utcnow(),
    }
    session.execute(insert_for(session, BatchMerged).values(values).on_conflict_do_nothing())


def forget(session: Session, batch_id: str) -> None:
    """Drop the kept merged.pdf of a batch whose rows run again, and any claim to join it."""
    session.execute(delete(BatchMerged).where(BatchMerged.batch_id == batch_id))
    session.execute(
        update(Batch)
        .where(Batch.id == batch_id)
        .values(merged_claimed_at=None)
        .execution_options(synchronize_session=False)
    )
