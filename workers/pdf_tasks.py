"""The pdf queue's tasks: thin, named, idempotent, ids as arguments (never file bytes).

Routed to the ``pdf`` queue by name (``pdf.*``); they run only in workers that
consume it, each of which owns one ConverterPool (``service.pdf.runner``).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from service import db
from service.errors import ConverterUnavailable
from service.pdf import jobs, wiring

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
    from the stored files (``service.pdf.jobs.merged_pdf``).
    """
    runner = wiring.runner()
    try:
        pool = runner.pool()
    except ConverterUnavailable as exc:  # not transient: report it, so the callback still runs
        log.warning("pdf.convert_documents: no converter: %s", exc.detail)
        return {"converted": 0, "failed": dict.fromkeys(document_ids, exc.detail)}
    result = jobs.convert_documents(
        db.current(),
        document_ids,
        pool=pool,
        pdfa=pdfa,
        chunk_size=runner.conf.chunk_size,
        merged=False,
    )
    failed = {document_ids[i]: exc.detail for i, exc in result.errors.items()}
    log.info("pdf.convert_documents: %s documents, %s failed", len(document_ids), len(failed))
    return {"converted": len(document_ids) - len(failed), "failed": failed}
