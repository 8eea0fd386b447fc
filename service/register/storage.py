"""Where issued files live: the files table by default, so every host sees them."""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.register.models import FileRow, utcnow


class Storage(Protocol):
    """Keeps the bytes of a document's files.

    Every file has a ``files`` row (format, media type, sha256, size), with
    ``content`` None when the bytes live elsewhere, so the document's JSON and a
    second host know the file exists. ``file_values`` keeps the bytes and returns
    the column values of that row for the caller to write (issuing writes it
    with its document in one statement); ``put`` adds the row to the caller's
    session.
    """

    def file_values(
        self, document_id: str, fmt: str, media_type: str, content: bytes
    ) -> dict[str, Any]:
        """Keep ``content`` as ``fmt`` of the document; the files row's column values."""
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

    def file_values(
        self, document_id: str, fmt: str, media_type: str, content: bytes
    ) -> dict[str, Any]:
        """The files row holding ``content`` itself."""
        return {
            "document_id": document_id,
            "format": fmt,
            "media_type": media_type,
            "content": content,
            "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content),
            "created_at": utcnow(),
        }

    def put(
        self, session: Session, document_id: str, fmt: str, media_type: str, content: bytes
    ) -> str:
        """Insert the file row; return its SHA-256 (hex)."""
        row = FileRow(**self.file_values(document_id, fmt, media_type, content))
        session.add(row)
        return row.sha256

    def get(self, session: Session, document_id: str, fmt: str) -> bytes | None:
        """The bytes stored for ``fmt`` of the document, or None."""
        content: bytes | None = session.scalar(
            select(FileRow.content).where(FileRow.document_id == document_id, FileRow.format == fmt)
        )
        return bytes(content) if content is not None else None


DEFAULT_STORAGE = DatabaseStorage()
