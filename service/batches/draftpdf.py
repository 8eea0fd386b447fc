"""PDFs of a preview batch's rows: convert the DOCX in ``batch_files``, store the PDF beside it.

The counterpart of ``service.pdf.jobs.convert_documents`` for rows that have
no register document (``"issue": false``): the same conversion core
(``jobs.convert_sources``: stored PDFs reused, the rest converted many at a
time), with a row of ``batch_files`` (format ``pdf`` or ``pdfa``) as the
store. Runs in a pdf worker (``pdf.convert_batch_files``); reading the DOCX,
converting and storing are separate steps, the first and last each a short
transaction per chunk of rows (a few queries for the chunk; its PDFs inserted
together, or one savepoint each when that fails), for the reasons given in
``service.pdf.jobs``.

A row's PDF is made once: a stored one is returned as is, and of two workers
racing to store it the first one's bytes are kept. The metadata is that of a
draft: title = the row's trích yếu, author = the issuing body, no subject
(no number, no symbol).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import documents
from service.batches.models import Batch, BatchFile, BatchRow
from service.db import Database
from service.errors import NotFound, VanbanError
from service.pdf import jobs
from service.pdf.batch import BatchResult
from service.pdf.pool import ConverterPool
from service.register.agencies import load_directory

log = logging.getLogger(__name__)


def _files(
    session: Session, batch_id: str, row_indexes: Sequence[int], fmt: str
) -> dict[int, bytes]:
    """The rows' stored ``fmt`` files (one query)."""
    found = session.execute(
        select(BatchFile.row_index, BatchFile.content).where(
            BatchFile.batch_id == batch_id,
            BatchFile.row_index.in_(list(dict.fromkeys(row_indexes))),
            BatchFile.format == fmt,
        )
    )
    return {i: bytes(content) for i, content in found}


def load_rows(
    database: Database, batch_id: str, row_indexes: Sequence[int], fmt: str = "pdf"
) -> list[jobs.Source | VanbanError]:
    """For each row: its stored PDF of ``fmt`` if any, else its DOCX to convert, with the
    metadata; or why there is nothing to convert. One reader's transaction (no lock on
    SQLite), a few queries."""
    with database.read_sessions() as session:
        stored = _files(session, batch_id, row_indexes, fmt)
        missing = [i for i in row_indexes if i not in stored]
        batch = session.get(Batch, batch_id) if missing else None
        rows: dict[int, BatchRow] = {}
        docx: dict[int, bytes] = {}
        if batch is not None:
            found = session.scalars(
                select(BatchRow).where(
                    BatchRow.batch_id == batch_id, BatchRow.row_index.in_(missing)
                )
            )
            rows = {row.row_index: row for row in found}
            docx = _files(session, batch_id, missing, "docx")
        directory = load_directory(session) if docx else None
    sources: list[jobs.Source | VanbanError] = []
    for row_index in row_indexes:
        key = str(row_index)
        if row_index in stored:
            sources.append(jobs.Source(key, None, stored[row_index], jobs.metadata("", None, None)))
            continue
        row = rows.get(row_index)
        if batch is None or row is None or row_index not in docx or directory is None:
            line = row.line if row is not None else row_index + 1
            sources.append(NotFound(f"Dòng {line} của đợt không có tệp .docx để chuyển sang PDF"))
            continue
        try:
            # The row's data was validated when the batch was accepted and when it was rendered.
            prepared = documents.prepare(batch.template, row.data, directory)
        except VanbanError as exc:
            sources.append(exc)
            continue
        meta = jobs.metadata(prepared.data.summary, prepared.issuer.name, None)
        sources.append(jobs.Source(key, docx[row_index], None, meta))
    return sources


def load_row(database: Database, batch_id: str, row_index: int, fmt: str = "pdf") -> jobs.Source:
    """The row's stored PDF of ``fmt`` if any, else its DOCX to convert, with the metadata."""
    source = load_rows(database, batch_id, [row_index], fmt)[0]
    if isinstance(source, VanbanError):
        raise source
    return source


def store_row_pdfs(
    database: Database, batch_id: str, fmt: str, pdfs: Sequence[tuple[int, bytes]]
) -> list[bytes | VanbanError]:
    """Store each ``(row_index, pdf)`` as the row's ``fmt`` file, in one transaction; where one
    is there already, keep it. Answers the PDF kept for each, or why it could not be stored
    (that row alone: the others are stored)."""
    if fmt not in jobs.PDF_FORMATS:
        raise ValueError(f"not a PDF format: {fmt!r}")
    if not pdfs:
        return []
    indexes = [i for i, _ in pdfs]
    kept: list[bytes | VanbanError | None] = [None] * len(pdfs)
    with database.session() as session:
        existing = _files(session, batch_id, indexes, fmt)
        named = session.execute(
            select(BatchFile.row_index, BatchFile.filename).where(
                BatchFile.batch_id == batch_id,
                BatchFile.row_index.in_(indexes),
                BatchFile.format == "docx",
            )
        )
        stems = {row_index: filename for row_index, filename in named}
        todo: list[int] = []
        adds: list[Callable[[], None]] = []
        for n, (row_index, pdf) in enumerate(pdfs):
            if row_index in existing:
                kept[n] = existing[row_index]
                continue
            stem = stems[row_index].rpartition(".")[0] if row_index in stems else ""
            fields = {
                "batch_id": batch_id,
                "row_index": row_index,
                "format": fmt,
                "filename": f"{stem or f'du-thao-{row_index + 1:04d}'}.pdf",
                "media_type": jobs.PDF_MEDIA_TYPE,
                "content": pdf,
                "sha256": hashlib.sha256(pdf).hexdigest(),
                "size": len(pdf),
            }
            todo.append(n)
            adds.append(_adder(session, fields))
        for n, error in zip(todo, jobs.add_each(session, adds), strict=True):
            row_index, pdf = pdfs[n]
            if error is None:
                kept[n] = pdf
                continue
            # e.g. another worker stored it between our read and our write: keep theirs
            found = (
                _files(session, batch_id, [row_index], fmt).get(row_index)
                if isinstance(error, IntegrityError)
                else None
            )
            if found is None:
                log.warning(
                    "batch %s: could not store %s of row %d: %s", batch_id, fmt, row_index, error
                )
            kept[n] = found if found is not None else VanbanError(jobs.STORE_FAILED)
    log.info("batch %s: stored %s of %d rows (%d given)", batch_id, fmt, len(todo), len(pdfs))
    return [cast("bytes | VanbanError", k) for k in kept]


def _adder(session: Session, fields: dict[str, Any]) -> Callable[[], None]:
    return lambda: session.add(BatchFile(**fields))  # a new row each try


def store_row_pdf(database: Database, batch_id: str, row_index: int, fmt: str, pdf: bytes) -> bytes:
    """Store ``pdf`` as the row's ``fmt`` file; if one is there already, keep and return it."""
    kept = store_row_pdfs(database, batch_id, fmt, [(row_index, pdf)])[0]
    if isinstance(kept, VanbanError):
        raise kept
    return kept


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
        lambda keys: load_rows(database, batch_id, [int(k) for k in keys], fmt),
        lambda pdfs: store_row_pdfs(database, batch_id, fmt, [(int(k), pdf) for k, pdf in pdfs]),
        pool=pool,
        pdfa=pdfa,
        chunk_size=chunk_size,
        merged=False,
    )
