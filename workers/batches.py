"""Bulk issuing tasks: thin, named, idempotent, ids as arguments; the work is in service.batches.

``batches.dispatch`` fans a batch out into ``batches.render_rows`` chunks;
each chunk closes the batch when no row is left pending and then enqueues
``batches.callback``. A batch with a PDF format first goes through its PDF
phase: chunks on the pdf queue (``pdf.convert_documents`` for an issued
batch, ``pdf.convert_batch_files`` for a preview), each ``link``ed to
``batches.pdf_done``, which records them; the last one closes the batch
(service.batches.pdfphase) and sends ``batches.keep_merged``, which joins
merged.pdf once and keeps it for the downloads (service.batches.merged). No
task waits on another's result.
``maintenance.sweep_batches`` (beat, every 10 s) re-dispatches batches that
stopped making progress, in either phase; ``maintenance.expire_previews``
(hourly) deletes old previews (service.batches.expiry). Only transient failures
are retried, with exponential backoff; a row's data or template error fails
that row at once (service.batches.run).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from flask import current_app

from service import db
from service import queue as celery_queue
from service.batches import callback, dispatch, expiry, merged, pdfphase, run
from service.batches.models import Batch

log = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": run.TRANSIENT,
    "retry_backoff": True,
    "retry_backoff_max": 30,
    "retry_jitter": True,
    "max_retries": 8,
}
CALLBACK_MAX_RETRIES = 8


def _finish(batch_id: str, *, resend: bool = False) -> None:
    """Close the batch when nothing is pending (the closer sends the callback), or send PDFs."""
    database = db.current()
    found = run.finish_if_complete(database, batch_id, resend=resend)
    if found.status is not None:
        dispatch.enqueue("batches.callback", batch_id, queue="maintenance")
        if found.merge_pdf:
            dispatch.enqueue("batches.keep_merged", batch_id, queue="bulk")
    elif found.send_pdf:
        _send_pdf(batch_id)


def _send_pdf(batch_id: str) -> None:
    """One pdf task per chunk of rows (its source decides which), each linked to pdf_done."""
    size = int(current_app.config["BATCH_PDF_CHUNK"])
    chunks = pdfphase.plan(db.current(), batch_id, size)
    celery_app = celery_queue.current()
    for chunk in chunks:
        done = celery_app.signature(
            "batches.pdf_done", args=(batch_id, chunk.start, chunk.stop), queue="bulk"
        )
        dispatch.enqueue(chunk.task, *chunk.args, queue="pdf", link=done)
    log.info("batch %s: %d PDF chunks sent to the pdf queue", batch_id, len(chunks))


@shared_task(name="batches.dispatch", bind=True, **RETRY)
def dispatch_batch(self: Task, batch_id: str) -> int:
    """Enqueue one render_rows task per chunk of the batch's pending rows."""
    size = int(current_app.config["BATCH_CHUNK_ROWS"])
    chunks = dispatch.plan(db.current(), batch_id, size)
    if chunks is None:
        return 0
    log.info("batch %s: dispatching %d chunks (task %s)", batch_id, len(chunks), self.request.id)
    if not chunks:
        _finish(batch_id, resend=True)  # rows all rendered: PDFs may still be waiting
    for start, stop in chunks:
        dispatch.enqueue("batches.render_rows", batch_id, start, stop)
    return len(chunks)


@shared_task(name="batches.render_rows", bind=True, **RETRY)
def render_rows(self: Task, batch_id: str, start: int, stop: int) -> int:
    """Render rows ``start`` ≤ i < ``stop`` of the batch (done rows are skipped)."""
    log.debug("batch %s: chunk %d-%d in task %s", batch_id, start, stop, self.request.id)
    result = run.render_rows(db.current(), batch_id, start, stop)
    _finish(batch_id)
    return result.done


@shared_task(name="batches.pdf_done", bind=True, **RETRY)
def pdf_done(self: Task, outcome: dict[str, Any], batch_id: str, start: int, stop: int) -> int:
    """Linked after a chunk's pdf task: record its rows, then try to finish."""
    failed = dict((outcome or {}).get("failed") or {})
    log.debug("batch %s: PDFs of rows %d-%d in task %s", batch_id, start, stop, self.request.id)
    done, _ = pdfphase.record(db.current(), batch_id, start, stop, failed)
    _finish(batch_id)
    return done


@shared_task(name="batches.keep_merged", bind=True, **RETRY)
def keep_merged(self: Task, batch_id: str) -> bool:
    """Join and keep merged.pdf of a batch that just closed with every row's PDF."""
    with db.current().session() as session:
        batch = session.get(Batch, batch_id)
        kept = batch is not None and merged.keep(session, batch)
    log.debug("batch %s: merged.pdf kept: %s (task %s)", batch_id, kept, self.request.id)
    return kept


@shared_task(name="batches.callback", bind=True, max_retries=CALLBACK_MAX_RETRIES)
def send_callback(self: Task, batch_id: str) -> int | None:
    """POST the finished batch to its callback_url, once."""
    database = db.current()
    claimed = callback.claim(database, batch_id)
    if claimed is None:
        return None
    url, body = claimed
    try:
        status = callback.post(url, body, batch_id)
    except callback.CallbackUnusable as exc:
        callback.give_up(database, batch_id, str(exc))
        return None
    except callback.CallbackFailed as exc:
        callback.settle(database, batch_id, None, str(exc))
        if self.request.retries >= CALLBACK_MAX_RETRIES:
            callback.give_up(database, batch_id, str(exc))
            return None
        countdown = min(2**self.request.retries, 300)
        log.warning("batch %s: callback failed (%s), retry in %ss", batch_id, exc, countdown)
        raise self.retry(exc=exc, countdown=countdown) from None
    callback.settle(database, batch_id, status, None)
    return status


@shared_task(name="maintenance.expire_previews")
def expire_previews() -> int:
    """Delete previews finished more than BATCH_PREVIEW_DAYS ago; returns how many."""
    keep = int(current_app.config["BATCH_PREVIEW_DAYS"])
    return len(expiry.expire_previews(db.current(), keep))


@shared_task(name="maintenance.sweep_batches")
def sweep_batches() -> int:
    """Re-dispatch stalled batches and re-send unsent callbacks; returns how many."""
    stall = float(current_app.config["BATCH_STALL_SECONDS"])
    revived, unsent = dispatch.stalled(db.current(), stall)
    for batch_id in revived:
        dispatch.enqueue("batches.dispatch", batch_id)
    for batch_id in unsent:
        dispatch.enqueue("batches.callback", batch_id, queue="maintenance")
    return len(revived) + len(unsent)
