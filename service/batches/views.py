"""The JSON shape of a batch (GET /api/v1/batches/{id} and the callback body)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.batches.models import Batch, BatchRow
from service.errors import BatchNotFound
from service.register.audit import iso

URL = "/api/v1/batches/{id}"


def get_batch(session: Session, batch_id: str) -> Batch:
    """The batch ``batch_id``; BatchNotFound (404) when there is none."""
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise BatchNotFound(f"Không có đợt phát hành mã {batch_id!r}")
    return batch


def batch_dict(session: Session, batch: Batch, *, with_rows: bool = False) -> dict[str, Any]:
    """api.md's batch object, plus numbers, timestamps and (on request) every row."""
    rows = session.execute(
        select(
            BatchRow.row_index,
            BatchRow.line,
            BatchRow.number,
            BatchRow.status,
            BatchRow.document_id,
            BatchRow.error,
        )
        .where(BatchRow.batch_id == batch.id)
        .order_by(BatchRow.row_index)
    ).all()
    done = sum(1 for r in rows if r.status == "done")
    failed = sum(1 for r in rows if r.status == "failed")
    url = URL.format(id=batch.id)
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
        "archive": f"{url}/archive",
        "url": url,
    }
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
    return body
