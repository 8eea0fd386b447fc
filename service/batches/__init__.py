"""Bulk issuing: one upload or one call becomes a batch of numbered documents.

``create`` validates every row and reserves the block, ``dispatch`` enqueues
and recovers, ``run`` renders chunks of rows, ``callback`` posts the final
state, ``archive`` zips the files, ``upload`` reads .xlsx/.csv, ``sheet``
makes the clerk's Excel template. The Celery tasks are in workers/batches.py.
"""

from __future__ import annotations

from service.batches.models import Batch, BatchFile, BatchRow

__all__ = ["Batch", "BatchFile", "BatchRow"]
