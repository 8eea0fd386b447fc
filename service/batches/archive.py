"""The ZIP of a finished batch: its files (.docx, .pdf) in row order, named by number (or row).

Files are read a few at a time and written ZIP_STORED (a .docx is already
compressed) into a spooled temporary file: small batches stay in memory,
large ones spill to disk, and memory never holds every document at once.
"""

from __future__ import annotations

import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.batches.models import Batch, BatchFile, BatchRow
from service.batches.pdfphase import pdf_format
from service.errors import BatchNotFinished
from service.register.models import Document, FileRow

SPOOL_BYTES = 32 * 1024 * 1024
READ_CHUNK = 50
# A fixed timestamp: the same batch gives the same archive bytes.
_ZIP_DATE = (2020, 3, 5, 0, 0, 0)
EXTENSIONS = {"pdfa": "pdf"}  # a batch has one PDF format: PDF/A is named like any PDF


def archive_name(batch: Batch) -> str:
    """``giay-cong-nhan-0001-1000.zip`` for issued batches, else by batch id."""
    if batch.first_number is not None:
        last = batch.first_number + batch.total - 1
        return f"{batch.template}-{batch.first_number:04d}-{last:04d}.zip"
    return f"{batch.template}-{batch.id[:8]}.zip"


def member_name(number: int, symbol: str, fmt: str) -> str:
    """``0007-7-GCN-UBND.docx``: the number first, so the files sort in register order."""
    stem = unicodedata.normalize("NFC", symbol.strip().replace("/", "-")) or str(number)
    return f"{number:04d}-{stem}.{EXTENSIONS.get(fmt, fmt)}"


def member_formats(batch: Batch) -> tuple[str, ...]:
    """The stored formats a batch's archive holds: those it asked for (.docx at least)."""
    wanted = tuple(f for f in ("docx", pdf_format(batch.formats)) if f and f in batch.formats)
    return wanted or ("docx",)


def _issued(session: Session, batch: Batch) -> Iterator[tuple[str, bytes]]:
    formats = member_formats(batch)
    ids = list(
        session.execute(
            select(Document.id, Document.number, Document.symbol)
            .join(BatchRow, BatchRow.document_id == Document.id)
            .where(BatchRow.batch_id == batch.id, BatchRow.status == "done")
            .order_by(BatchRow.row_index)
        )
    )
    for i in range(0, len(ids), READ_CHUNK):
        part = ids[i : i + READ_CHUNK]
        names = {doc_id: (number, symbol) for doc_id, number, symbol in part}
        files = session.execute(
            select(FileRow.document_id, FileRow.format, FileRow.content).where(
                FileRow.document_id.in_(list(names)), FileRow.format.in_(formats)
            )
        ).all()
        by_doc: dict[str, list[tuple[str, bytes]]] = {}
        for doc_id, fmt, content in files:
            if content is not None:
                by_doc.setdefault(doc_id, []).append((fmt, bytes(content)))
        for doc_id, number, symbol in part:
            for fmt, content in sorted(by_doc.get(doc_id, [])):
                yield member_name(number, symbol, fmt), content


def draft_name(row_index: int, template: str, fmt: str) -> str:
    """``0007-giay-cong-nhan-du-thao.pdf``: a preview row has no number, so its row first."""
    return f"{row_index + 1:04d}-{template}-du-thao.{EXTENSIONS.get(fmt, fmt)}"


def _drafts(session: Session, batch: Batch) -> Iterator[tuple[str, bytes]]:
    rows = session.execute(
        select(BatchFile.row_index, BatchFile.format, BatchFile.content)
        .where(BatchFile.batch_id == batch.id, BatchFile.format.in_(member_formats(batch)))
        .order_by(BatchFile.row_index, BatchFile.format)
        .execution_options(yield_per=READ_CHUNK)
    )
    for row_index, fmt, content in rows:
        yield draft_name(row_index, batch.template, fmt), bytes(content)


def build_archive(session: Session, batch: Batch) -> IO[bytes]:
    """The ZIP of the batch's files, rewound; BatchNotFinished (409) while it runs."""
    if batch.status in ("queued", "running"):
        raise BatchNotFinished(
            "Đợt chưa xong (kể cả PDF): tải tệp nén khi trạng thái là done hoặc failed"
        )
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    members = _issued(session, batch) if batch.issue else _drafts(session, batch)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    spool.seek(0)
    return spool
