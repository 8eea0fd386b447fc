"""merged.pdf of a finished batch: the stored PDF of every row, in row order, joined by pypdf.

No LibreOffice is needed: the per-document PDFs made in the PDF phase are
read back (a few at a time, in the caller's session) and joined. Rows without
a PDF (a failed row, or a PDF that failed) are left out and listed, so one bad
row cannot hold back the others; ``POST …/retry`` makes the missing ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.batches.archive import archive_name
from service.batches.models import Batch, BatchRow
from service.batches.pdfphase import pdf_format
from service.errors import BatchNotFinished, NotFound
from service.pdf import jobs
from service.pdf.pdfparts import PdfMetadata
from service.register.agencies import get_agency
from service.register.storage import DEFAULT_STORAGE


@dataclass(frozen=True)
class MergedPdf:
    """The joined PDF, its download name and the sheet rows left out."""

    content: bytes
    filename: str
    missing: list[int]


def build_merged(session: Session, batch: Batch) -> MergedPdf:
    """merged.pdf of ``batch``; NotFound without a PDF format, BatchNotFinished (409) until done."""
    fmt = pdf_format(batch.formats) if batch.issue else None
    if fmt is None:
        raise NotFound("Đợt này không xuất PDF (formats không có pdf hoặc pdfa)")
    if batch.status in ("queued", "running"):
        raise BatchNotFinished("PDF của đợt chưa xong; tải merged.pdf khi trạng thái là done")
    rows = session.execute(
        select(BatchRow.line, BatchRow.document_id, BatchRow.pdf_status)
        .where(BatchRow.batch_id == batch.id)
        .order_by(BatchRow.row_index)
    ).all()
    ids = [r.document_id for r in rows if r.pdf_status == "done" and r.document_id]
    missing = [r.line for r in rows if r.pdf_status != "done"]
    pdfs = [DEFAULT_STORAGE.get(session, doc_id, fmt) for doc_id in ids]
    found = [pdf for pdf in pdfs if pdf is not None]
    if not found or len(found) != len(ids):
        raise BatchNotFinished(
            f"Đợt chưa có PDF của {len(rows) - len(found)} văn bản; "
            "chạy lại bằng POST /api/v1/batches/{id}/retry".replace("{id}", batch.id)
        )
    agency = get_agency(session, batch.agency_id) if batch.agency_id else None
    name = archive_name(batch).removesuffix(".zip")
    meta = PdfMetadata(title=name, author=agency.name if agency else None)
    return MergedPdf(jobs.merged_pdf(found, meta, pdfa=fmt == "pdfa"), f"{name}.pdf", missing)
