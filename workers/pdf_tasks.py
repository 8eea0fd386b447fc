"""The pdf queue's tasks: thin, named, idempotent, ids as arguments (never file bytes).

Routed to the ``pdf`` queue by name (``pdf.*``); they run only in workers that
consume it, each of which owns one ConverterPool (``service.pdf.runner``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery import shared_task

from service import db
from service.batches import draftpdf
from service.errors import ConverterUnavailable
from service.pdf import jobs, wiring
from service.pdf.batch import BatchResult
from service.pdf.pool import ConverterPool

log = logging.getLogger(__name__)


@shared_task(name="pdf.convert")
def convert(job_id: str) -> None:
    """Do conversion job ``job_id`` (a render, a stored document or a page preview)."""
    wiring.runner().run_job(job_id)


@shared_task(name="pdf.convert_documents")
def convert_documents(document_ids: list[str], pdfa: bool = False) -> dict[str, Any]:
    """Convert and store the PDF of every issued document in ``document_ids`` (a batch).

    Stored PDFs are kept as they are, so a re-run converts only what is missing.
    Returns ``{"converted", "failed": {document_id: detail}}`` for a ``link``ed
    callback (e.g. a batch's finishing task); merged.pdf is built on demand
    from the stored files (``service.batches.merged``).
    """
    return _convert(
        "pdf.convert_documents",
        document_ids,
        lambda pool, chunk_size: jobs.convert_documents(
            db.current(), document_ids, pool=pool, pdfa=pdfa, chunk_size=chunk_size, merged=False
        ),
    )


@shared_task(name="pdf.convert_batch_files")
def convert_batch_files(
    batch_id: str, row_indexes: list[int], pdfa: bool = False
) -> dict[str, Any]:
    """Convert and store the PDF of rows ``row_indexes`` of preview batch ``batch_id``.

    The preview counterpart of ``pdf.convert_documents`` (service.batches.draftpdf):
    the DOCX is read from ``batch_files`` and the PDF stored there beside it.
    ``failed`` is keyed by row index (as text, like any JSON object key).
    """
    return _convert(
        "pdf.convert_batch_files",
        [str(i) for i in row_indexes],
        lambda pool, chunk_size: draftpdf.convert_batch_files(
            db.current(), batch_id, row_indexes, pool=pool, pdfa=pdfa, chunk_size=chunk_size
        ),
    )


def _convert(
    name: str, keys: list[str], run: Callable[[ConverterPool, int], BatchResult]
) -> dict[str, Any]:
    """Run a conversion on this worker's pool: ``{"converted", "failed": {key: detail}}``."""
    runner = wiring.runner()
    try:
        pool = runner.pool()
    except ConverterUnavailable as exc:  # not transient: report it, so the callback still runs
        log.warning("%s: no converter: %s", name, exc.detail)
        return {"converted": 0, "failed": dict.fromkeys(keys, exc.detail)}
    result = run(pool, runner.conf.chunk_size)
    failed = {keys[i]: exc.detail for i, exc in result.errors.items()}
    log.info("%s: %s files, %s failed", name, len(keys), len(failed))
    return {"converted": len(keys) - len(failed), "failed": failed}
