"""PDFs of issued documents: convert the stored .docx, store the PDF as the document's file.

These run in a pdf worker (they need a ConverterPool). They take the
``Database`` rather than a session because a conversion takes seconds and must
happen outside any transaction: on SQLite a worker's transaction takes the write
lock (``BEGIN IMMEDIATE``), so reading the .docx, converting and storing the
PDF are three steps: a reader's transaction (``Database.reader``, no lock), the
conversion, then a short writing transaction.
Many documents are read a chunk at a time (a few queries for the whole chunk)
and stored a chunk at a time (one transaction: the chunk's file and audit rows
inserted together, or, when that fails, each row in a savepoint of its own, so
a row that cannot be stored fails alone).

A document's PDF is made once: a stored "pdf" (or "pdfa") file is returned as
is, so every download is byte-identical, and two workers racing to store the
same file end with the first one's bytes.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from service.agencies import Agency
from service.db import Database
from service.errors import Conflict, DocumentNotFound, NotFound, VanbanError
from service.pdf import pdfparts
from service.pdf.batch import BatchResult, convert_many
from service.pdf.pdfparts import PdfMetadata
from service.pdf.pool import ConverterPool
from service.register import audit
from service.register.agencies import get_agency
from service.register.models import Document, FileRow
from service.register.storage import DEFAULT_STORAGE, Storage

log = logging.getLogger(__name__)

PDF_MEDIA_TYPE = "application/pdf"
PDF_FORMATS = ("pdf", "pdfa")
PoolSource = Callable[[], ConverterPool]


def metadata(summary: str, author: str | None, symbol: str | None) -> PdfMetadata:
    """title = trích yếu, author = issuing body, subject = số và ký hiệu."""
    subject = (symbol or "").strip().strip("/") or None
    return PdfMetadata(title=summary or None, author=author or None, subject=subject)


@dataclass(frozen=True)
class Source:
    """What converting one document needs, read in one short transaction."""

    key: str  # the document id (or, for a preview batch's file, its row index)
    docx: bytes | None  # None when the PDF is already stored
    pdf: bytes | None
    metadata: PdfMetadata


# Both take a chunk of keys and answer one entry per key, in order; a VanbanError
# is that key's failure (nothing to convert, or its PDF could not be stored).
Loader = Callable[[Sequence[str]], list["Source | VanbanError"]]
Storer = Callable[[Sequence[tuple[str, bytes]]], list["bytes | VanbanError"]]  # the PDFs kept
STORE_FAILED = "Không lưu được tệp PDF"


def _check_format(fmt: str) -> None:
    if fmt not in PDF_FORMATS:
        raise ValueError(f"not a PDF format: {fmt!r}")


def _fatal(exc: SQLAlchemyError) -> bool:
    """Whether ``exc`` ends the transaction (a lost connection), not just one row's insert."""
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def add_each(session: Session, adds: Sequence[Callable[[], None]]) -> list[SQLAlchemyError | None]:
    """Run each of ``adds`` (adding rows to ``session``) and flush, so each row fails alone.

    All are flushed at once in one savepoint; if that fails, each is tried again
    in a savepoint of its own. Answers, for each, the error its rows raised, or
    None when they are in (to be committed with the caller's transaction).
    """
    if not adds:
        return []
    try:
        with session.begin_nested():
            for add in adds:
                add()
            session.flush()
        return [None] * len(adds)
    except SQLAlchemyError as exc:
        if _fatal(exc):
            raise
        log.info("bulk insert of %s rows failed (%s): inserting one at a time", len(adds), exc)
    errors: list[SQLAlchemyError | None] = []
    for add in adds:
        try:
            with session.begin_nested():
                add()
                session.flush()
            errors.append(None)
        except SQLAlchemyError as exc:
            if _fatal(exc):
                raise
            errors.append(exc)
    return errors


def _stored(session: Session, document_ids: Sequence[str], fmt: str) -> dict[str, bytes]:
    """The ``fmt`` files stored in the table for ``document_ids`` (one query)."""
    rows = session.execute(
        select(FileRow.document_id, FileRow.content).where(
            FileRow.document_id.in_(list(dict.fromkeys(document_ids))), FileRow.format == fmt
        )
    )
    return {doc_id: bytes(content) for doc_id, content in rows if content is not None}


def load_sources(
    database: Database, document_ids: Sequence[str], fmt: str = "pdf"
) -> list[Source | VanbanError]:
    """For each document: its stored PDF of ``fmt`` if any, else the .docx to convert, with
    the metadata; or why there is nothing to convert. One reader's transaction (no lock on
    SQLite), a few queries."""
    _check_format(fmt)
    ids = list(dict.fromkeys(document_ids))
    with database.read_sessions() as session:
        docs = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(ids)))}
        files: dict[tuple[str, str], bytes] = {}
        if docs:
            found = session.execute(
                select(FileRow.document_id, FileRow.format, FileRow.content).where(
                    FileRow.document_id.in_(list(docs)), FileRow.format.in_((fmt, "docx"))
                )
            )
            files = {(d, f): bytes(c) for d, f, c in found if c is not None}
        agencies: dict[str, Agency | None] = {}
        for agency_id in {d.agency_id for d in docs.values()}:
            agencies[agency_id] = get_agency(session, agency_id)
    sources: list[Source | VanbanError] = []
    for document_id in document_ids:
        doc = docs.get(document_id)
        if doc is None:
            sources.append(DocumentNotFound(f"Không có văn bản mã {document_id!r}"))
            continue
        agency = agencies[doc.agency_id]
        meta = metadata(doc.summary, agency.name if agency else None, doc.symbol)
        stored = files.get((document_id, fmt))
        docx = files.get((document_id, "docx"))
        if stored is not None:
            sources.append(Source(document_id, None, stored, meta))
        elif docx is not None:
            sources.append(Source(document_id, docx, None, meta))
        elif doc.status == "failed":
            detail = f"Văn bản {doc.symbol} không được ban hành (lỗi): không có tệp PDF"
            sources.append(Conflict(detail))
        else:
            detail = f"Văn bản {doc.symbol} không có tệp .docx để chuyển sang PDF"
            sources.append(NotFound(detail))
    return sources


def load_source(database: Database, document_id: str, fmt: str = "pdf") -> Source:
    """The stored PDF of ``fmt`` if any, else the .docx to convert, with the metadata."""
    source = load_sources(database, [document_id], fmt)[0]
    if isinstance(source, VanbanError):
        raise source
    return source


def store_pdfs(
    database: Database,
    fmt: str,
    pdfs: Sequence[tuple[str, bytes]],
    *,
    actor: str = "pdf-worker",
    storage: Storage = DEFAULT_STORAGE,
) -> list[bytes | VanbanError]:
    """Store each ``(document_id, pdf)`` as the document's ``fmt`` file, with its audit row,
    in one transaction; where one is there already, keep it. Answers the PDF kept for each,
    or why it could not be stored (that row alone: the others are stored)."""
    _check_format(fmt)
    if not pdfs:
        return []
    ids = [doc_id for doc_id, _ in pdfs]
    kept: list[bytes | VanbanError | None] = [None] * len(pdfs)
    with database.session() as session:
        existing = _stored(session, ids, fmt)
        docs = session.execute(select(Document.id, Document.agency_id).where(Document.id.in_(ids)))
        agency_of = {doc_id: agency_id for doc_id, agency_id in docs}
        todo: list[int] = []
        adds: list[Callable[[], None]] = []
        for n, (doc_id, pdf) in enumerate(pdfs):
            if doc_id in existing:
                kept[n] = existing[doc_id]
            elif doc_id not in agency_of:
                kept[n] = DocumentNotFound(f"Không có văn bản mã {doc_id!r}")
            else:
                todo.append(n)
                adds.append(_adder(session, storage, actor, fmt, doc_id, agency_of[doc_id], pdf))
        for n, error in zip(todo, add_each(session, adds), strict=True):
            doc_id, pdf = pdfs[n]
            if error is None:
                kept[n] = pdf
                continue
            # e.g. another worker stored it between our read and our write: keep theirs
            found = storage.get(session, doc_id, fmt) if isinstance(error, IntegrityError) else None
            if found is None:
                log.warning("could not store %s of document %s: %s", fmt, doc_id, error)
            kept[n] = found if found is not None else VanbanError(STORE_FAILED)
    log.info("stored %s of %s documents (%s given)", fmt, len(todo), len(pdfs))
    return [cast("bytes | VanbanError", k) for k in kept]


def _adder(
    session: Session,
    storage: Storage,
    actor: str,
    fmt: str,
    document_id: str,
    agency_id: str,
    pdf: bytes,
) -> Callable[[], None]:
    def add() -> None:
        digest = storage.put(session, document_id, fmt, PDF_MEDIA_TYPE, pdf)
        audit.record(
            session,
            actor,
            "pdf",
            agency_id=agency_id,
            document_id=document_id,
            detail={"format": fmt, "sha256": digest, "size": len(pdf)},
        )

    return add


def store_pdf(
    database: Database,
    document_id: str,
    fmt: str,
    pdf: bytes,
    *,
    actor: str = "pdf-worker",
    storage: Storage = DEFAULT_STORAGE,
) -> bytes:
    """Store ``pdf`` as the document's ``fmt`` file; if one is there already, keep and return it."""
    kept = store_pdfs(database, fmt, [(document_id, pdf)], actor=actor, storage=storage)[0]
    if isinstance(kept, VanbanError):
        raise kept
    return kept


def document_pdf(database: Database, document_id: str, fmt: str, pool: PoolSource) -> bytes:
    """The document's stored PDF of ``fmt``, converting and storing it first when missing."""
    source = load_source(database, document_id, fmt)
    if source.pdf is not None:
        return source.pdf
    assert source.docx is not None
    pdf = pool().convert(source.docx, pdfa=fmt == "pdfa", metadata=source.metadata)
    return store_pdf(database, document_id, fmt, pdf)


def page_count(pdf: bytes) -> int:
    """How many pages ``pdf`` has."""
    return len(PdfReader(io.BytesIO(pdf)).pages)


def merged_pdf(
    pdfs: Sequence[bytes], meta: PdfMetadata | None = None, *, pdfa: bool = False
) -> bytes:
    """One PDF of ``pdfs`` in order (no LibreOffice needed, e.g. for merged.pdf)."""
    return pdfparts.join(pdfs, meta, pdfa=pdfa)


def convert_documents(
    database: Database,
    document_ids: Sequence[str],
    *,
    pool: ConverterPool,
    pdfa: bool = False,
    chunk_size: int = 50,
    merged_metadata: PdfMetadata | None = None,
    merged: bool = True,
) -> BatchResult:
    """PDFs of many issued documents, in order: stored ones reused, the rest converted in
    merged chunks (``convert_many``) and stored; ``merged`` joins them all in order.

    A document that cannot be loaded or converted fails alone (``errors`` by index);
    ``merged=False`` skips the merged file (e.g. when merged.pdf is built on demand).
    """
    fmt = "pdfa" if pdfa else "pdf"
    return convert_sources(
        document_ids,
        lambda ids: load_sources(database, ids, fmt),
        lambda pdfs: store_pdfs(database, fmt, pdfs),
        pool=pool,
        pdfa=pdfa,
        chunk_size=chunk_size,
        merged_metadata=merged_metadata,
        merged=merged,
    )


def convert_sources(
    keys: Sequence[str],
    load: Loader,
    store: Storer,
    *,
    pool: ConverterPool,
    pdfa: bool = False,
    chunk_size: int = 50,
    merged_metadata: PdfMetadata | None = None,
    merged: bool = True,
) -> BatchResult:
    """PDFs of ``keys`` in order, wherever they are kept: ``load`` reads them (a stored PDF
    is reused), the rest are converted in merged chunks (``convert_many``) and ``store``d.
    Both are called a chunk (``chunk_size`` keys) at a time, never during a conversion.

    A key that cannot be loaded, converted or stored fails alone (``errors`` by index).
    """
    pdfs: list[bytes | None] = [None] * len(keys)
    errors: dict[int, VanbanError] = {}
    todo: list[tuple[int, Source]] = []
    for first in range(0, len(keys), chunk_size):
        for index, source in enumerate(load(keys[first : first + chunk_size]), start=first):
            if isinstance(source, VanbanError):
                errors[index] = source
            elif source.pdf is not None:
                pdfs[index] = source.pdf
            else:
                todo.append((index, source))
    conversions, chunk_merged = 0, None
    if todo:
        result = convert_many(
            pool,
            [cast(bytes, s.docx) for _, s in todo],
            chunk_size=chunk_size,
            pdfa=pdfa,
            metadata=[s.metadata for _, s in todo],
            merged_metadata=merged_metadata,
            merged=merged and len(todo) == len(keys),
        )
        conversions = result.conversions
        for position, error in result.errors.items():
            errors[todo[position][0]] = error
        converted = [
            (index, source.key, pdf)
            for (index, source), pdf in zip(todo, result.pdfs, strict=True)
            if pdf is not None
        ]
        for first in range(0, len(converted), chunk_size):
            part = converted[first : first + chunk_size]
            kept = store([(key, pdf) for _, key, pdf in part])
            for (index, _, _), pdf_or_error in zip(part, kept, strict=True):
                if isinstance(pdf_or_error, VanbanError):
                    errors[index] = pdf_or_error
                else:
                    pdfs[index] = pdf_or_error
        if not errors:
            chunk_merged = result.merged  # fonts written once per chunk: the smaller file
    done = [pdf for pdf in pdfs if pdf is not None]
    joined = chunk_merged
    if merged and joined is None and done:
        joined = merged_pdf(done, merged_metadata, pdfa=pdfa)
    log.info(
        "pdf of %s documents: %s converted in %s conversions, %s failed",
        len(keys),
        len(todo),
        conversions,
        len(errors),
    )
    return BatchResult(
        pdfs=pdfs,
        errors=dict(sorted(errors.items())),
        merged=joined,
        conversions=conversions,
        page_counts=[page_count(pdf) if pdf else 0 for pdf in pdfs],
    )
