"""Batches at speed: many documents per LibreOffice conversion, split back with pypdf.

A warm conversion costs a fixed ~50 ms of load/export overhead per call plus
the layout work; for a one-page certificate the overhead dominates. So
consecutive documents of the same package signature (same template: same
styles, headers, settings) are merged into one .docx of ``chunk_size``
sections (``ooxml.merge``), converted once, and cut into one PDF per document
at the pages where each document's bookmark falls (exported as PDF named
destinations, which point at real output pages: LibreOffice's layout may hold
blank parity pages that the PDF leaves out, so UNO page numbers cannot be
trusted; the split is checked to be consistent). Chunks run in parallel, one
per worker. A chunk that fails or times out is retried as two halves, down to
single documents, so one bad row fails alone. merged.pdf is built from the
chunk PDFs (fonts written once per chunk), in row order.
"""

from __future__ import annotations

import logging
import threading
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lxml import etree
from pypdf.errors import PdfReadError

from service.errors import ConversionFailed, ConversionTimeout, ConverterUnavailable, VanbanError
from service.pdf import ooxml, pdfparts
from service.pdf.pdfparts import Part, PdfMetadata
from service.pdf.worker import Job

if TYPE_CHECKING:
    from service.pdf.pool import ConverterPool

log = logging.getLogger(__name__)
# What a malformed .docx raises while being merged or split: that row fails alone.
_BAD_INPUT = (ValueError, KeyError, zipfile.BadZipFile, etree.LxmlError, PdfReadError)


@dataclass
class BatchResult:
    """One PDF (or an error) per input document, in order, and all of them merged."""

    pdfs: list[bytes | None]
    errors: dict[int, VanbanError] = field(default_factory=dict)
    merged: bytes | None = None
    conversions: int = 0
    page_counts: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every document converted."""
        return not self.errors


@dataclass
class _Run:
    pool: ConverterPool
    docs: Sequence[bytes]
    metadata: Sequence[PdfMetadata | None]
    pdfa: bool
    timeout: float
    parts: dict[int, Part] = field(default_factory=dict)
    errors: dict[int, VanbanError] = field(default_factory=dict)
    conversions: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def chunk_timeout(self, n: int) -> float:
        """The hard limit of a merged conversion: the single limit, growing with size."""
        return self.timeout * (1 + (n - 1) // 10)

    def convert(self, indices: list[int]) -> None:
        """Convert ``indices`` as one merged document, halving on failure."""
        try:
            self._convert_once(indices)
        except ConverterUnavailable:
            raise
        except (ConversionFailed, ConversionTimeout, *_BAD_INPUT) as exc:
            if len(indices) == 1:
                err = exc if isinstance(exc, VanbanError) else ConversionFailed(str(exc))
                self.errors[indices[0]] = err
                log.warning("pdf batch: document %s failed: %s", indices[0], exc)
                return
            log.info("pdf batch: chunk of %s failed (%s); retrying halves", len(indices), exc)
            middle = len(indices) // 2
            self.convert(indices[:middle])
            self.convert(indices[middle:])

    def _convert_once(self, indices: list[int]) -> None:
        single = len(indices) == 1
        docx = self.docs[indices[0]] if single else ooxml.merge([self.docs[i] for i in indices])
        marks = [] if single else [ooxml.mark_name(n) for n in range(len(indices))]
        meta = self.metadata[indices[0]] if single else None
        with self.pool.job_files() as (src, dst):
            src.write_bytes(docx)
            job = Job(
                src,
                dst,
                pdfa=self.pdfa,
                tagged=False if self.pdfa else None,  # a split cannot keep a structure tree
                meta=meta.to_json() if meta else None,
                destinations=not single,
            )
            self.pool.run(job, self.chunk_timeout(len(indices)))
            with self.lock:
                self.conversions += 1
            pdf = dst.read_bytes()
        parts = pdfparts.split(pdf, marks)
        if len(parts) != len(indices):
            raise ValueError(f"{len(parts)} parts for {len(indices)} documents")
        for index, part in zip(indices, parts, strict=True):
            self.parts[index] = part


def _chunks(docs: Sequence[bytes], chunk_size: int) -> list[list[int]]:
    """Runs of consecutive mergeable documents with one signature, at most ``chunk_size``."""
    chunks: list[list[int]] = []
    previous: str | None = None
    for index, doc in enumerate(docs):
        sig = ooxml.signature(doc)
        if sig is None or sig != previous or len(chunks[-1]) >= chunk_size:
            chunks.append([index])
        else:
            chunks[-1].append(index)
        previous = sig
    return chunks


def convert_many(
    pool: ConverterPool,
    docs: Sequence[bytes],
    *,
    chunk_size: int = 50,
    pdfa: bool = False,
    metadata: Sequence[PdfMetadata | None] | None = None,
    merged_metadata: PdfMetadata | None = None,
    timeout: float | None = None,
    merged: bool = True,
) -> BatchResult:
    """One PDF per document (None where it failed, see ``errors``) and ``merged``, in order."""
    if metadata is not None and len(metadata) != len(docs):
        raise ValueError("metadata must have one entry per document")
    run = _Run(
        pool,
        docs,
        list(metadata) if metadata is not None else [None] * len(docs),
        pdfa,
        timeout or pool.timeout,
    )
    chunks = _chunks(docs, max(1, chunk_size))
    with ThreadPoolExecutor(max_workers=pool.size, thread_name_prefix="pdf-batch") as ex:
        for future in [ex.submit(run.convert, chunk) for chunk in chunks]:
            future.result()
    pdfs: list[bytes | None] = []
    for index in range(len(docs)):
        part = run.parts.get(index)
        meta = run.metadata[index]
        pdfs.append(None if part is None else pdfparts.part_pdf(part, meta, pdfa=pdfa))
    ordered = [pdf for pdf in pdfs if pdf is not None]
    joined = pdfparts.join(ordered, merged_metadata, pdfa=pdfa) if merged and ordered else None
    log.info(
        "pdf batch: %s documents, %s conversions, %s failed",
        len(docs),
        run.conversions,
        len(run.errors),
    )
    return BatchResult(
        pdfs=pdfs,
        errors=dict(sorted(run.errors.items())),
        merged=joined,
        conversions=run.conversions,
        page_counts=[run.parts[i].pages if i in run.parts else 0 for i in range(len(docs))],
    )
