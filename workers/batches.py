"""Bulk issuing tasks: thin, named, idempotent, ids as arguments; the work is in service.batches.

``batches.dispatch`` fans a batch out into ``batches.render_rows`` chunks;
each chunk closes the batch when no row is left pending and then enqueues
``batches.callback``. ``maintenance.sweep_batches`` (beat, every 10 s)
re-dispatches batches that stopped making progress. Only transient failures
are retried, with exponential backoff; a row's data or template error fails
that row at once (service.batches.run).
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from flask import current_app

from service import db
from service.batches import callback, dispatch, run

log = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": run.TRANSIENT,
    "retry_backoff": True,
    "retry_backoff_max": 30,
    "retry_jitter": True,
    "max_retries": 8,
}
CALLBACK_MAX_RETRIES = 8


def _finish(batch_id: str) -> None:
    """Close the batch if nothing is pending; the closer alone enqueues the callback."""
    final = run.finish_if_complete(db.current(), batch_id)
    if final is None:
        return
    pdf = run.pdf_step(db.current(), batch_id)
    if pdf is not None and pdf[0]:
        dispatch.enqueue("pdf.convert_documents", pdf[0], pdf[1], queue="pdf")
    dispatch.enqueue("batches.callback", batch_id, queue="maintenance")


@shared_task(name="batches.dispatch", bind=True, **RETRY)
def dispatch_batch(self: Task, batch_id: str) -> int:
    """Enqueue one render_rows task per chunk of the batch's pending rows."""
    size = int(current_app.config["BATCH_CHUNK_ROWS"])
    chunks = dispatch.plan(db.current(), batch_id, size)
    if chunks is None:
        return 0
    log.info("batch %s: dispatching %d chunks (task %s)", batch_id, len(chunks), self.request.id)
    if not chunks:
        _finish(batch_id)
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
