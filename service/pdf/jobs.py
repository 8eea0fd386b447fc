"""PDFs of issued documents: convert the stored .docx, store the PDF as the document's file.

These run in a pdf worker (they need a ConverterPool). They take the
``Database`` rather than a session because a conversion takes seconds and must
happen outside any transaction: on SQLite every transaction takes the write
lock (``BEGIN IMMEDIATE``), so reading the .docx, converting and storing the
PDF are three steps, the first and last each a short transaction of its own.

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
from sqlalchemy.exc import IntegrityError

from service.db import Database
from service.errors import Conflict, NotFound, VanbanError
from service.pdf import pdfparts
from service.pdf.batch import BatchResult, convert_many
from service.pdf.pdfparts import Part, PdfMetadata
from service.pdf.pool import ConverterPool
from service.register import audit
from service.register.agencies import get_agency
from service.register.records import get_document
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


Loader = Callable[[str], Source]  # raises a VanbanError when the key has nothing to convert
Storer = Callable[[str, bytes], bytes]  # stores a key's PDF; returns the one kept


def _check_format(fmt: str) -> None:
    if fmt not in PDF_FORMATS:
        raise ValueError(f"not a PDF format: {fmt!r}")


def load_source(database: Database, document_id: str, fmt: str = "pdf") -> Source:
    """The stored PDF of ``fmt`` if any, else the .docx to convert, with the metadata."""
    _check_format(fmt)
    with database.session() as session:
        doc = get_document(session, document_id)
        stored = DEFAULT_STORAGE.get(session, document_id, fmt)
        agency = get_agency(session, doc.agency_id)
        meta = metadata(doc.summary, agency.name if agency else None, doc.symbol)
        if stored is not None:
            return Source(document_id, None, stored, meta)
        docx = DEFAULT_STORAGE.get(session, document_id, "docx")
        if docx is None:
            if doc.status == "failed":
                raise Conflict(f"Văn bản {doc.symbol} không được ban hành (lỗi): không có tệp PDF")
            raise NotFound(f"Văn bản {doc.symbol} không có tệp .docx để chuyển sang PDF")
        return Source(document_id, docx, None, meta)


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
    _check_format(fmt)
    try:
        with database.session() as session:
            existing = storage.get(session, document_id, fmt)
            if existing is not None:
                return existing
            digest = storage.put(session, document_id, fmt, PDF_MEDIA_TYPE, pdf)
            session.flush()
            doc = get_document(session, document_id)
            audit.record(
                session,
                actor,
                "pdf",
                agency_id=doc.agency_id,
                document_id=document_id,
                detail={"format": fmt, "sha256": digest, "size": len(pdf)},
            )
    except IntegrityError:  # another worker stored it between our read and our write
        with database.session() as session:
            existing = storage.get(session, document_id, fmt)
        if existing is None:
            raise
        return existing
    log.info("stored %s of document %s (%s bytes)", fmt, document_id, len(pdf))
    return pdf


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


def _part(pdf: bytes) -> Part:
    reader = PdfReader(io.BytesIO(pdf))
    return Part(reader, 0, len(reader.pages) - 1)


def merged_pdf(
    pdfs: Sequence[bytes], meta: PdfMetadata | None = None, *, pdfa: bool = False
) -> bytes:
    """One PDF of ``pdfs`` in order (pypdf only: no LibreOffice needed, e.g. for merged.pdf)."""
    return pdfparts.join([_part(pdf) for pdf in pdfs], meta, pdfa=pdfa)


def stored_pdfs(
    database: Database, document_ids: Sequence[str], fmt: str = "pdf"
) -> list[bytes | None]:
    """The stored ``fmt`` file of each document, None where it has none (yet)."""
    _check_format(fmt)
    with database.session() as session:
        return [DEFAULT_STORAGE.get(session, doc_id, fmt) for doc_id in document_ids]


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
        lambda doc_id: load_source(database, doc_id, fmt),
        lambda doc_id, pdf: store_pdf(database, doc_id, fmt, pdf),
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
    """PDFs of ``keys`` in order, wherever they are kept: ``load`` reads each (a stored PDF
    is reused), the rest are converted in merged chunks (``convert_many``) and ``store``d.

    A key that cannot be loaded or converted fails alone (``errors`` by index).
    """
    pdfs: list[bytes | None] = [None] * len(keys)
    errors: dict[int, VanbanError] = {}
    todo: list[tuple[int, Source]] = []
    for index, key in enumerate(keys):
        try:
            source = load(key)
        except VanbanError as exc:
            errors[index] = exc
            continue
        if source.pdf is not None:
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
        for (index, source), pdf in zip(todo, result.pdfs, strict=True):
            if pdf is not None:
                pdfs[index] = store(source.key, pdf)
        for position, error in result.errors.items():
            errors[todo[position][0]] = error
        if result.ok:
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
