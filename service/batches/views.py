"""The JSON shape of a batch (GET /api/v1/batches/{id} and the callback body)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.batches.expiry import expires_at
from service.batches.models import Batch, BatchRow
from service.batches.pdfphase import pdf_format
from service.errors import BatchNotFound
from service.register.audit import iso

URL = "/api/v1/batches/{id}"


def get_batch(session: Session, batch_id: str) -> Batch:
    """The batch ``batch_id``; BatchNotFound (404) when there is none."""
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise BatchNotFound(f"Không có đợt phát hành mã {batch_id!r}")
    return batch


def _preview_days() -> int | None:
    """BATCH_PREVIEW_DAYS of the running app (API, worker, CLI), else None."""
    from flask import current_app, has_app_context

    return int(current_app.config["BATCH_PREVIEW_DAYS"]) if has_app_context() else None


def batch_dict(session: Session, batch: Batch, *, with_rows: bool = False) -> dict[str, Any]:
    """api.md's batch object, plus numbers, timestamps and (on request) every row.

    A finished preview says when it will be deleted (``expires_at``, service.batches.expiry).
    """
    rows = session.execute(
        select(
            BatchRow.row_index,
            BatchRow.line,
            BatchRow.number,
            BatchRow.status,
            BatchRow.document_id,
            BatchRow.error,
            BatchRow.pdf_status,
            BatchRow.pdf_error,
        )
        .where(BatchRow.batch_id == batch.id)
        .order_by(BatchRow.row_index)
    ).all()
    done = sum(1 for r in rows if r.status == "done")
    failed = sum(1 for r in rows if r.status == "failed")
    url = URL.format(id=batch.id)
    fmt = pdf_format(batch.formats)
    body: dict[str, Any] = {
        "id": batch.id,
        "status": batch.status,
        "total": batch.total,
        "done": done,
        "failed": failed,
        "pending": len(rows) - done - failed,
        # Issued rows and the failed register entries that keep their numbers, in row order.
        "documents": [r.document_id for r in rows if r.document_id and r.status != "pending"],
        "errors": [
            {
                "loc": ["rows", r.row_index],
                "row": r.line,
                "number": r.number,
                "document": r.document_id,
                "msg": r.error,
            }
            for r in rows
            if r.status == "failed"
        ]
        + [
            {
                "loc": ["rows", r.row_index],
                "row": r.line,
                "number": r.number,
                "document": r.document_id,
                "msg": r.pdf_error,
                "format": fmt,
            }
            for r in rows
            if r.pdf_status == "failed"
        ],
        "template": batch.template,
        "issue": batch.issue,
        "formats": list(batch.formats),
        "agency": batch.agency_id,
        "book": batch.book_id,
        "year": batch.year,
        "first_number": batch.first_number,
        "last_number": (
            batch.first_number + batch.total - 1 if batch.first_number is not None else None
        ),
        "parent": batch.parent_id,
        "source": batch.source,
        "created_at": iso(batch.created_at),
        "created_by": batch.created_by,
        "finished_at": iso(batch.finished_at),
        "expires_at": iso(expires_at(batch, keep)) if (keep := _preview_days()) else None,
        "archive": f"{url}/archive",
        "url": url,
    }
    if fmt is not None:
        # The PDF phase: the batch stays "running" until every done row's PDF is settled.
        pdf = [r.pdf_status for r in rows]
        body["pdf_done"] = pdf.count("done")
        body["pdf_failed"] = pdf.count("failed")
        body["pdf_pending"] = body["done"] - body["pdf_done"] - body["pdf_failed"]
        body["phase"] = _phase(batch.status, body["pending"], body["pdf_pending"])
        body["merged_pdf"] = f"{url}/merged.pdf"
    if batch.callback_url:
        body["callback"] = {
            "url": batch.callback_url,
            "sent_at": iso(batch.callback_sent_at),
            "error": batch.callback_error,
        }
    if with_rows:
        body["rows"] = [
            {
                "index": r.row_index,
                "row": r.line,
                "number": r.number,
                "status": r.status,
                "document": r.document_id,
                "error": r.error,
            }
            for r in rows
        ]
        if fmt is not None:
            for out, r in zip(body["rows"], rows, strict=True):
                out["pdf"], out["pdf_error"] = r.pdf_status, r.pdf_error
    return body


def _phase(status: str, pending: int, pdf_pending: int) -> str | None:
    """``render`` while rows are pending, then ``pdf`` until the PDFs are settled."""
    if status not in ("queued", "running"):
        return None
    return "render" if pending or not pdf_pending else "pdf"
