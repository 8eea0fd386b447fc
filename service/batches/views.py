"""The JSON shape of a batch (GET /api/v1/batches/{id} and the callback body)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
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


@dataclass(frozen=True)
class _Counts:
    """How many rows are done, failed, pending, and (with PDF) how their PDFs stand."""

    done: int = 0
    failed: int = 0
    pending: int = 0
    pdf_done: int = 0
    pdf_failed: int = 0


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
    statuses = [r.status for r in rows]
    pdf = [r.pdf_status for r in rows]
    counts = _Counts(
        done=statuses.count("done"),
        failed=statuses.count("failed"),
        pending=len(rows) - statuses.count("done") - statuses.count("failed"),
        pdf_done=pdf.count("done"),
        pdf_failed=pdf.count("failed"),
    )
    fmt = pdf_format(batch.formats)
    body = _summary(batch, counts)
    # Issued rows and the failed register entries that keep their numbers, in row order.
    body["documents"] = [r.document_id for r in rows if r.document_id and r.status != "pending"]
    body["errors"] = [
        {
            "loc": ["rows", r.row_index],
            "row": r.line,
            "number": r.number,
            "document": r.document_id,
            "msg": r.error,
        }
        for r in rows
        if r.status == "failed"
    ] + [
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
    ]
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


def _summary(batch: Batch, counts: _Counts) -> dict[str, Any]:
    """The batch object without its lists of documents and errors (a listing's item)."""
    url = URL.format(id=batch.id)
    body: dict[str, Any] = {
        "id": batch.id,
        "status": batch.status,
        "total": batch.total,
        "done": counts.done,
        "failed": counts.failed,
        "pending": counts.pending,
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
    if pdf_format(batch.formats) is not None:
        # The PDF phase: the batch stays "running" until every done row's PDF is settled.
        body["pdf_done"] = counts.pdf_done
        body["pdf_failed"] = counts.pdf_failed
        body["pdf_pending"] = counts.done - counts.pdf_done - counts.pdf_failed
        body["phase"] = _phase(batch.status, counts.pending, body["pdf_pending"])
        body["merged_pdf"] = f"{url}/merged.pdf"
    if batch.callback_url:
        body["callback"] = {
            "url": batch.callback_url,
            "sent_at": iso(batch.callback_sent_at),
            "error": batch.callback_error,
        }
    return body


def batch_page(
    session: Session,
    *,
    visible: ColumnElement[bool] | None = None,
    agency: str | None = None,
    status: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> dict[str, Any]:
    """Batches newest first, a page at a time: ``{"items", "page", "per_page", "total"}``.

    ``visible`` limits them to what the caller may see; each item is the batch
    object without its lists of documents and errors (``url`` has them).
    """
    where = [
        c
        for c in (visible, _eq(Batch.agency_id, agency), _eq(Batch.status, status))
        if c is not None
    ]
    total = session.scalar(select(func.count(Batch.id)).where(*where))
    batches = session.scalars(
        select(Batch)
        .where(*where)
        .order_by(Batch.created_at.desc(), Batch.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    counts = _counts(session, [b.id for b in batches])
    return {
        "items": [_summary(b, counts.get(b.id, _Counts())) for b in batches],
        "page": page,
        "per_page": per_page,
        "total": total or 0,
    }


def _eq(column: Any, value: str | None) -> ColumnElement[bool] | None:
    return None if value is None else column == value


def _counts(session: Session, batch_ids: list[str]) -> dict[str, _Counts]:
    """The row counts of these batches, in one query."""
    if not batch_ids:
        return {}

    def count(column: Any, value: str) -> Any:
        return func.sum(case((column == value, 1), else_=0))

    found = session.execute(
        select(
            BatchRow.batch_id,
            func.count(),
            count(BatchRow.status, "done"),
            count(BatchRow.status, "failed"),
            count(BatchRow.pdf_status, "done"),
            count(BatchRow.pdf_status, "failed"),
        )
        .where(BatchRow.batch_id.in_(batch_ids))
        .group_by(BatchRow.batch_id)
    ).all()
    return {
        batch_id: _Counts(
            done=int(done),
            failed=int(failed),
            pending=int(rows - done - failed),
            pdf_done=int(pdf_done),
            pdf_failed=int(pdf_failed),
        )
        for batch_id, rows, done, failed, pdf_done, pdf_failed in found
    }


def _phase(status: str, pending: int, pdf_pending: int) -> str | None:
    """``render`` while rows are pending, then ``pdf`` until the PDFs are settled."""
    if status not in ("queued", "running"):
        return None
    return "render" if pending or not pdf_pending else "pdf"
