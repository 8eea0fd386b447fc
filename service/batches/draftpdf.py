"""PDFs of a preview batch's rows: convert the DOCX in ``batch_files``, store the PDF beside it.

The counterpart of ``service.pdf.jobs.convert_documents`` for rows that have
no register document (``"issue": false``): the same conversion core
(``jobs.convert_sources``: stored PDFs reused, the rest converted many at a
time), with a row of ``batch_files`` (format ``pdf`` or ``pdfa``) as the
store. Runs in a pdf worker (``pdf.convert_batch_files``); reading the DOCX,
converting and storing are separate steps, the first and last each a short
transaction, for the reasons given in ``service.pdf.jobs``.

A row's PDF is made once: a stored one is returned as is, and of two workers
racing to store it the first one's bytes are kept. The metadata is that of a
draft: title = the row's trích yếu, author = the issuing body, no subject
(no number, no symbol).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import documents
from service.batches.models import Batch, BatchFile, BatchRow
from service.db import Database
from service.errors import NotFound
from service.pdf import jobs
from service.pdf.batch import BatchResult
from service.pdf.pool import ConverterPool
from service.register.agencies import load_directory

log = logging.getLogger(__name__)


def _file(session: Session, batch_id: str, row_index: int, fmt: str) -> bytes | None:
    found = session.get(BatchFile, (batch_id, row_index, fmt))
    return bytes(found.content) if found is not None else None


def load_row(database: Database, batch_id: str, row_index: int, fmt: str = "pdf") -> jobs.Source:
    """The row's stored PDF of ``fmt`` if any, else its DOCX to convert, with the metadata."""
    key = str(row_index)
    with database.session() as session:
        stored = _file(session, batch_id, row_index, fmt)
        if stored is not None:
            return jobs.Source(key, None, stored, jobs.metadata("", None, None))
        batch = session.get(Batch, batch_id)
        row = session.get(BatchRow, (batch_id, row_index))
        docx = _file(session, batch_id, row_index, "docx")
        if batch is None or row is None or docx is None:
            line = row.line if row is not None else row_index + 1
            raise NotFound(f"Dòng {line} của đợt không có tệp .docx để chuyển sang PDF")
        # The row's data was validated when the batch was accepted and when it was rendered.
        prepared = documents.prepare(batch.template, row.data, load_directory(session))
    meta = jobs.metadata(prepared.data.summary, prepared.issuer.name, None)
    return jobs.Source(key, docx, None, meta)


def store_row_pdf(database: Database, batch_id: str, row_index: int, fmt: str, pdf: bytes) -> bytes:
    """Store ``pdf`` as the row's ``fmt`` file; if one is there already, keep and return it."""
    if fmt not in jobs.PDF_FORMATS:
        raise ValueError(f"not a PDF format: {fmt!r}")
    try:
        with database.session() as session:
            existing = _file(session, batch_id, row_index, fmt)
            if existing is not None:
                return existing
            docx = session.get(BatchFile, (batch_id, row_index, "docx"))
            stem = docx.filename.rpartition(".")[0] if docx is not None else ""
            session.add(
                BatchFile(
                    batch_id=batch_id,
                    row_index=row_index,
                    format=fmt,
                    filename=f"{stem or f'du-thao-{row_index + 1:04d}'}.pdf",
                    media_type=jobs.PDF_MEDIA_TYPE,
                    content=pdf,
                    sha256=hashlib.sha256(pdf).hexdigest(),
                    size=len(pdf),
                )
            )
            session.flush()
    except IntegrityError:  # another worker stored it between our read and our write
        with database.session() as session:
            existing = _file(session, batch_id, row_index, fmt)
        if existing is None:
            raise
        return existing
    log.info("batch %s: stored %s of row %d (%d bytes)", batch_id, fmt, row_index, len(pdf))
    return pdf


def convert_batch_files(
    database: Database,
    batch_id: str,
    row_indexes: Sequence[int],
    *,
    pool: ConverterPool,
    pdfa: bool = False,
    chunk_size: int = 50,
) -> BatchResult:
    """PDFs of the batch's rows ``row_indexes``, in order; a row that fails fails alone."""
    fmt = "pdfa" if pdfa else "pdf"
    return jobs.convert_sources(
        [str(i) for i in row_indexes],
        lambda key: load_row(database, batch_id, int(key), fmt),
        lambda key, pdf: store_row_pdf(database, batch_id, int(key), fmt, pdf),
        pool=pool,
        pdfa=pdfa,
        chunk_size=chunk_size,
        merged=False,
    )
