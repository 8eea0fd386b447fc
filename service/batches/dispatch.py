"""Enqueue a batch's work, recover stalled batches, send failed rows round again.

Everything here commits first and enqueues after. Enqueuing is best effort:
when the broker is down the work stays recorded in the database and
``maintenance.sweep_batches`` enqueues it again, which is also how a batch
recovers from a killed worker or a Redis restart that dropped its queue.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from celery.canvas import Signature
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from service import queue as celery_queue
from service.batches import merged, pdfphase
from service.batches.models import Batch, BatchRow
from service.db import Database
from service.errors import BatchNotFinished, BatchNotFound, Conflict
from service.register import audit
from service.register.models import utcnow

log = logging.getLogger(__name__)

# A web request or a sweep must not hang on a dead broker: fail fast, the sweeper retries.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def enqueue(name: str, *args: Any, queue: str | None = None, link: Signature | None = None) -> bool:
    """Send task ``name`` (then ``link``) through the app's broker; False when it is down."""
    options: dict[str, Any] = {"queue": queue} if queue else {}
    if link is not None:
        options["link"] = link
    try:
        celery_queue.current().send_task(
            name, args=list(args), retry=True, retry_policy=PUBLISH_RETRY, **options
        )
    except (BrokerError, ConnectionError, OSError) as exc:
        log.warning("could not enqueue %s%s: %s (the sweeper will retry)", name, args, exc)
        return False
    return True


def chunks(indexes: list[int], size: int) -> list[tuple[int, int]]:
    """Runs of consecutive row indexes as ``[start, stop)`` ranges of at most ``size``."""
    out: list[tuple[int, int]] = []
    for i in indexes:
        if out and out[-1][1] == i and i - out[-1][0] < size:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out


def plan(database: Database, batch_id: str, size: int) -> list[tuple[int, int]] | None:
    """Mark the batch running and return the chunks of its pending rows (None: not active)."""
    with database.session() as session:
        batch = session.get(Batch, batch_id)
        if batch is None or batch.status not in ("queued", "running"):
            return None
        indexes = list(
            session.scalars(
                select(BatchRow.row_index)
                .where(BatchRow.batch_id == batch_id, BatchRow.status == "pending")
                .order_by(BatchRow.row_index)
            )
        )
        batch.status = "running"
        batch.progress_at = utcnow()
    return chunks(indexes, size)


def stalled(database: Database, stall_seconds: float) -> tuple[list[str], list[str]]:
    """Batches to dispatch again (no progress for ``stall_seconds``) and callbacks to send.

    Claims them by moving ``progress_at`` (or ``callback_claimed_at``) forward,
    so two sweeps running at once do not both re-enqueue the same batch.
    """
    now = utcnow()
    cutoff = now - dt.timedelta(seconds=stall_seconds)
    with database.session() as session:
        active = Batch.status.in_(("queued", "running"))
        ids = list(
            session.scalars(select(Batch.id).where(active, Batch.progress_at < cutoff).limit(100))
        )
        revived = [i for i in ids if _claim(session, i, Batch.progress_at < cutoff, now)]
        unsent = list(
            session.scalars(
                select(Batch.id)
                .where(
                    Batch.status.in_(("done", "failed")),
                    Batch.callback_url.is_not(None),
                    Batch.callback_sent_at.is_(None),
                    Batch.callback_error.is_(None),
                    Batch.finished_at < cutoff,
                    or_(Batch.callback_claimed_at.is_(None), Batch.callback_claimed_at < cutoff),
                )
                .limit(100)
            )
        )
    for batch_id in revived:
        log.warning("batch %s made no progress for %ss: dispatching again", batch_id, stall_seconds)
    return revived, unsent


def _claim(session: Session, batch_id: str, condition: Any, now: dt.datetime) -> bool:
    result = session.execute(
        update(Batch).where(and_(Batch.id == batch_id, condition)).values(progress_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def retry_failed(session: Session, batch_id: str, actor: str) -> Batch:
    """Put a finished batch's failed rows (and failed PDFs) back to pending, keeping numbers."""
    batch = session.scalar(select(Batch).where(Batch.id == batch_id).with_for_update())
    if batch is None:
        raise BatchNotFound(f"Không có đợt phát hành mã {batch_id!r}")
    if batch.status in ("queued", "running"):
        raise BatchNotFinished("Đợt đang chạy; chỉ chạy lại các dòng lỗi khi đợt đã xong")
    result = session.execute(
        update(BatchRow)
        .where(BatchRow.batch_id == batch_id, BatchRow.status == "failed")
        .values(status="pending", updated_at=utcnow())
    )
    count = int(result.rowcount)  # type: ignore[attr-defined]
    pdfs = pdfphase.reset_failed(session, batch_id)
    if not count and not pdfs:
        raise Conflict("Đợt không có dòng lỗi nào để chạy lại")
    merged.forget(session, batch_id)
    batch.status, batch.finished_at, batch.progress_at = "running", None, utcnow()
    batch.callback_claimed_at = batch.callback_sent_at = batch.callback_error = None
    audit.record(
        session,
        actor,
        "batch.retry",
        agency_id=batch.agency_id,
        detail={"batch": batch.id, "rows": count, "pdfs": pdfs},
    )
    log.info("batch %s: %d rows, %d PDFs sent round again by %s", batch_id, count, pdfs, actor)
    return batch
