"""Where a batch's rows get their PDFs: the register (issued) or ``batch_files`` (preview).

The PDF phase (service.batches.pdfphase) is one mechanism for both kinds of
batch: rows go ``pending``, chunks go to the pdf queue ``link``ed to
``batches.pdf_done``, which settles each row from what is stored. Only these
few things differ, so they are all a source has to say:

- ``key``: how a row is named to its conversion task (and in the task's
  ``failed`` map): the document id of an issued row, the row index (as text,
  like any JSON object key) of a preview row;
- ``task`` and ``args``: the pdf task converting a chunk of keys
  (``pdf.convert_documents`` for documents of the register,
  ``pdf.convert_batch_files`` for the DOCX of a preview batch);
- ``stored``: which keys have their PDF stored; ``content``: one stored PDF.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.batches.models import Batch, BatchFile
from service.register.models import FileRow
from service.register.storage import DEFAULT_STORAGE


class PdfSource(ABC):
    """The source-specific half of a batch's PDF phase (see the module docstring)."""

    task: ClassVar[str]

    @abstractmethod
    def key(self, row_index: int, document_id: str | None) -> str | None:
        """The row's name in its task (None: the row has nothing to convert)."""

    @abstractmethod
    def args(self, batch_id: str, keys: Sequence[str], pdfa: bool) -> tuple[Any, ...]:
        """The arguments of ``task`` converting ``keys`` (ids only, never file bytes)."""

    @abstractmethod
    def stored(self, session: Session, batch_id: str, keys: Sequence[str], fmt: str) -> set[str]:
        """The ``keys`` whose ``fmt`` file is stored."""

    @abstractmethod
    def content(self, session: Session, batch_id: str, key: str, fmt: str) -> bytes | None:
        """The stored ``fmt`` file of ``key``, None when there is none."""


class RegisterSource(PdfSource):
    """Issued rows: their documents' files in the register (``files``)."""

    task = "pdf.convert_documents"

    def key(self, row_index: int, document_id: str | None) -> str | None:
        return document_id

    def args(self, batch_id: str, keys: Sequence[str], pdfa: bool) -> tuple[Any, ...]:
        return list(keys), pdfa

    def stored(self, session: Session, batch_id: str, keys: Sequence[str], fmt: str) -> set[str]:
        query = select(FileRow.document_id).where(
            FileRow.document_id.in_(list(keys)), FileRow.format == fmt
        )
        return set(session.scalars(query))

    def content(self, session: Session, batch_id: str, key: str, fmt: str) -> bytes | None:
        return DEFAULT_STORAGE.get(session, key, fmt)


class DraftSource(PdfSource):
    """Preview rows: no number, no document; their files live in ``batch_files``."""

    task = "pdf.convert_batch_files"

    def key(self, row_index: int, document_id: str | None) -> str | None:
        return str(row_index)

    def args(self, batch_id: str, keys: Sequence[str], pdfa: bool) -> tuple[Any, ...]:
        return batch_id, [int(k) for k in keys], pdfa

    def stored(self, session: Session, batch_id: str, keys: Sequence[str], fmt: str) -> set[str]:
        query = select(BatchFile.row_index).where(
            BatchFile.batch_id == batch_id,
            BatchFile.row_index.in_([int(k) for k in keys]),
            BatchFile.format == fmt,
        )
        return {str(i) for i in session.scalars(query)}

    def content(self, session: Session, batch_id: str, key: str, fmt: str) -> bytes | None:
        content = session.scalar(
            select(BatchFile.content).where(
                BatchFile.batch_id == batch_id,
                BatchFile.row_index == int(key),
                BatchFile.format == fmt,
            )
        )
        return bytes(content) if content is not None else None


REGISTER = RegisterSource()
DRAFTS = DraftSource()


def source_for(batch: Batch) -> PdfSource:
    """The source of ``batch``'s PDFs."""
    return REGISTER if batch.issue else DRAFTS
