"""Where issued files live: the files table by default, so every host sees them."""

from __future__ import annotations

import hashlib
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.register.models import FileRow


class Storage(Protocol):
    """Keeps the bytes of a document's files.

    ``put`` also adds the ``files`` row (format, media type, sha256, size) in the
    caller's session, with ``content`` None when the bytes live elsewhere, so the
    document's JSON and a second host know the file exists.
    """

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

    def put(
        self, session: Session, document_id: str, fmt: str, media_type: str, content: bytes
    ) -> str:
        """Insert the file row; return its SHA-256 (hex)."""
        digest = hashlib.sha256(content).hexdigest()
        session.add(
            FileRow(
                document_id=document_id,
                format=fmt,
                media_type=media_type,
                content=content,
                sha256=digest,
                size=len(content),
            )
        )
        return digest

    def get(self, session: Session, document_id: str, fmt: str) -> bytes | None:
        """The bytes stored for ``fmt`` of the document, or None."""
        content: bytes | None = session.scalar(
            select(FileRow.content).where(FileRow.document_id == document_id, FileRow.format == fmt)
        )
        return bytes(content) if content is not None else None


DEFAULT_STORAGE = DatabaseStorage()
