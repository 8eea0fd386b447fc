"""Where issued files live: the files table by default, so every host sees them."""

from __future__ import annotations

import hashlib
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.register.models import FileRow, utcnow


class Storage(Protocol):
    """Keeps the bytes of a document's files.

    Every file has a ``files`` row (format, media type, sha256, size), with
    ``content`` None when the bytes live elsewhere, so the document's JSON and a
    second host know the file exists. ``file_row`` keeps the bytes and returns
    that row for the caller to write (issuing writes it with its document in
    one statement); ``put`` also adds it to the caller's session.
    """

    def file_row(self, document_id: str, fmt: str, media_type: str, content: bytes) -> FileRow:
        """Keep ``content`` as ``fmt`` of the document; the (transient) files row."""
        ...

    def put(
        self, session: Session, document_id: str, fmt: str, media_type: str, content: bytes
    ) -> str:
        """Store ``content`` as ``fmt`` of the document; return its SHA-256 (hex)."""
        ...

    def get(self, session: Session, document_id: str, fmt: str) -> bytes | None:
        """The stored bytes, or None when the document has no such file."""
        ...


class DatabaseStorage:
    """Files as rows of the ``files`` table, written in the caller's transaction."""

    def file_row(self, document_id: str, fmt: str, media_type: str, content: bytes) -> FileRow:
        """The files row holding ``content`` itself."""
        return FileRow(
            document_id=document_id,
            format=fmt,
            media_type=media_type,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            created_at=utcnow(),
        )

    def put(
        self, session: Session, document_id: str, fmt: str, media_type: str, content: bytes
    ) -> str:
        """Insert the file row; return its SHA-256 (hex)."""
        row = self.file_row(document_id, fmt, media_type, content)
        session.add(row)
        return row.sha256

    def get(self, session: Session, document_id: str, fmt: str) -> bytes | None:
        """The bytes stored for ``fmt`` of the document, or None."""
        content: bytes | None = session.scalar(
            select(FileRow.content).where(FileRow.document_id == document_id, FileRow.format == fmt)
        )
        return bytes(content) if content is not None else None


DEFAULT_STORAGE = DatabaseStorage()
