"""PDF output: a pool of warm LibreOffice workers, batches, PDF/A and page previews.

Importing this package starts nothing; ``get_pool()`` builds the process-wide
pool from the environment on first use and starts its workers.

In the service, conversions run only in Celery workers of the ``pdf`` queue:
``wiring`` attaches ``client`` (the web side: a job in ``jobstore``, the task,
the wait) and ``runner`` (the worker side: its pool, the jobs, the heartbeats)
to the app; ``jobs`` converts and stores the PDFs of issued documents.
"""

from __future__ import annotations

import atexit
import threading

from service.pdf.batch import BatchResult, convert_many
from service.pdf.pdfparts import PdfMetadata
from service.pdf.pool import ConverterPool
from service.pdf.preview import page_png
from service.pdf.settings import PoolSettings, available, check

__all__ = [
    "BatchResult",
    "ConverterPool",
    "PdfMetadata",
    "PoolSettings",
    "available",
    "check",
    "convert_many",
    "get_pool",
    "page_png",
    "shutdown_pool",
]

_lock = threading.Lock()
_pool: ConverterPool | None = None


def get_pool(conf: PoolSettings | None = None) -> ConverterPool:
    """The process-wide pool, created from ``conf`` or the environment and started once."""
    global _pool
    with _lock:
        if _pool is None:
            pool = ConverterPool.from_settings(conf or PoolSettings.from_env())
            pool.start()
            _pool = pool
            atexit.register(shutdown_pool)
        return _pool


def shutdown_pool() -> None:
    """Stop the process-wide pool, if any (e.g. in a forked worker or at exit)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.close()
