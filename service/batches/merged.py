"""merged.pdf of a finished batch: the stored PDF of every row, in row order, joined by pypdf.

No LibreOffice is needed: the per-row PDFs made in the PDF phase are read
back from where the batch's source keeps them (the register for an issued
batch, ``batch_files`` for a preview; service.batches.pdfsource), in the
caller's session, and joined. Rows without a PDF (a failed row, or a PDF that
failed) are left out and listed, so one bad row cannot hold back the others;
``POST …/retry`` makes the missing ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.batches.archive import archive_name
from service.batches.models import Batch, BatchRow
from service.batches.pdfphase import pdf_format
from service.batches.pdfsource import source_for
from service.errors import BatchNotFinished, NotFound
from service.pdf import jobs
from service.pdf.pdfparts import PdfMetadata
from service.register.agencies import get_agency


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
    source = source_for(batch)
    keys = [source.key(r.row_index, r.document_id) for r in rows if r.pdf_status == "done"]
    missing = [r.line for r in rows if r.pdf_status != "done"]
    pdfs = [source.content(session, batch.id, key, fmt) if key else None for key in keys]
    found = [pdf for pdf in pdfs if pdf is not None]
    if not found or len(found) != len(keys):
        raise BatchNotFinished(
            f"Đợt chưa có PDF của {len(rows) - len(found)} văn bản; "
            "chạy lại bằng POST /api/v1/batches/{id}/retry".replace("{id}", batch.id)
        )
    agency = get_agency(session, batch.agency_id) if batch.agency_id else None
    name = archive_name(batch).removesuffix(".zip")
    meta = PdfMetadata(title=name, author=agency.name if agency else None)
    return MergedPdf(jobs.merged_pdf(found, meta, pdfa=fmt == "pdfa"), f"{name}.pdf", missing)
