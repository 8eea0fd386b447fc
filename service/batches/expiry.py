"""Previews are kept for ``BATCH_PREVIEW_DAYS`` after they finish, then deleted.

A batch without ``issue`` renders previews only: its files live in
``batch_files`` and nowhere else, and nothing in the register refers to them.
Left alone, every preview of a few hundred certificates would stay in the
database for good. ``maintenance.expire_previews`` (beat, hourly) deletes
finished previews older than the setting, with their rows and files (the
foreign keys cascade); the batch object says when (``expires_at``). Issued
batches are never deleted: their rows record which number each document got.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, select

from service.batches.models import Batch
from service.db import Database
from service.register.models import utcnow

log = logging.getLogger(__name__)

FINISHED = ("done", "failed")


def expires_at(batch: Batch, keep_days: int) -> dt.datetime | None:
    """When a finished preview will be deleted; None for issued or unfinished batches."""
    if batch.issue or batch.status not in FINISHED or batch.finished_at is None:
        return None
    return batch.finished_at + dt.timedelta(days=keep_days)


def expire_previews(
    database: Database, keep_days: int, *, now: dt.datetime | None = None, limit: int = 100
) -> list[str]:
    """Delete up to ``limit`` previews finished more than ``keep_days`` ago; their ids."""
    cutoff = (now or utcnow()) - dt.timedelta(days=keep_days)
    with database.session() as session:
        ids = list(
            session.scalars(
                select(Batch.id)
                .where(
                    Batch.issue.is_(False),
                    Batch.status.in_(FINISHED),
                    Batch.finished_at < cutoff,
                )
                .order_by(Batch.finished_at)
                .limit(limit)
            )
        )
        if ids:
            session.execute(delete(Batch).where(Batch.id.in_(ids)))
    for batch_id in ids:
        log.info("preview batch %s finished over %d days ago: deleted", batch_id, keep_days)
    return ids
