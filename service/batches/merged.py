"""merged.pdf of a finished batch: the stored PDF of every row, in row order, joined by pypdf.

No LibreOffice is needed: the per-row PDFs made in the PDF phase are read
back from where the batch's source keeps them (the register for an issued
batch, ``batch_files`` for a preview; service.batches.pdfsource), in the
caller's session, and joined. Rows without a PDF (a failed row, or a PDF that
failed) are left out and listed, so one bad row cannot hold back the others;
``POST …/retry`` makes the missing ones.

Once every row has its PDF the batch cannot change any more, and the joined
file (seconds of pypdf work for a thousand pages) is kept in ``batch_merged``
and read back by every download: a worker joins it as soon as the batch
closes (``keep``, workers.batches.keep_merged), and a download that comes
first joins and keeps it itself. A retry drops it (``forget``); nothing is
kept while rows are missing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from service.batches.archive import archive_name
from service.batches.models import Batch, BatchMerged, BatchRow
from service.batches.pdfphase import pdf_format
from service.batches.pdfsource import source_for
from service.db import insert_for
from service.errors import BatchNotFinished, NotFound
from service.pdf import jobs
from service.pdf.pdfparts import PdfMetadata
from service.register.agencies import get_agency
from service.register.models import utcnow


@dataclass(frozen=True)
class MergedPdf:
    """The joined PDF, its download name and the sheet rows left out."""

    content: bytes
    filename: str
    missing: list[int]


def build_merged(session: Session, batch: Batch) -> MergedPdf:
    """merged.pdf of ``batch``; NotFound without a PDF format, BatchNotFinished (409) until done."""
    fmt = pdf_format(batch.formats)
    if fmt is None:
        raise NotFound("Đợt này không xuất PDF (formats không có pdf hoặc pdfa)")
    if batch.status in ("queued", "running"):
        raise BatchNotFinished("PDF của đợt chưa xong; tải merged.pdf khi trạng thái là done")
    rows = session.execute(
        select(BatchRow.row_index, BatchRow.line, BatchRow.document_id, BatchRow.pdf_status)
        .where(BatchRow.batch_id == batch.id)
        .order_by(BatchRow.row_index)
    ).all()
    name = archive_name(batch).removesuffix(".zip")
    missing = [r.line for r in rows if r.pdf_status != "done"]
    if not missing:
        kept = session.scalar(
            select(BatchMerged.content).where(
                BatchMerged.batch_id == batch.id, BatchMerged.format == fmt
            )
        )
        if kept is not None:
            return MergedPdf(bytes(kept), f"{name}.pdf", [])
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
    meta = PdfMetadata(title=name, author=agency.name if agency else None)
    content = jobs.merged_pdf(found, meta, pdfa=fmt == "pdfa")
    if not missing:
        _keep(session, batch.id, fmt, content)
    return MergedPdf(content, f"{name}.pdf", missing)


def keep(session: Session, batch: Batch) -> bool:
    """Join and keep merged.pdf of a closed batch whose every row has its PDF; whether kept.

    Nothing is joined for a batch without a PDF format, one still running, or
    one with a row that has no PDF (its merged.pdf would change with a retry).
    """
    if batch.status != "done" or pdf_format(batch.formats) is None:
        return False
    lacking = session.scalar(
        select(func.count())
        .select_from(BatchRow)
        .where(BatchRow.batch_id == batch.id, BatchRow.pdf_status.is_distinct_from("done"))
    )
    if lacking:
        return False
    build_merged(session, batch)  # reads back a kept file, or joins and keeps it
    return True


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
    """Drop the kept merged.pdf of a batch whose rows run again."""
    session.execute(delete(BatchMerged).where(BatchMerged.batch_id == batch_id))
