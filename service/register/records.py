"""Documents in the register: look-up, JSON shape, stored files, revocation."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import documents
from service.errors import AlreadyRevoked, Conflict, DocumentNotFound, InvalidData, NotFound
from service.register import audit
from service.register.models import Document, utcnow
from service.register.storage import DEFAULT_STORAGE, Storage

FILE_URL = "/api/v1/documents/{id}/file?format={fmt}"


@dataclass(frozen=True)
class StoredFile:
    """A stored file with what a download response needs."""

    content: bytes
    media_type: str
    filename: str
    ascii_filename: str
    sha256: str


def get_document(session: Session, document_id: str, *, for_update: bool = False) -> Document:
    """The document ``document_id``; DocumentNotFound (404) when there is none."""
    stmt = select(Document).where(Document.id == document_id)
    doc = session.scalar(stmt.with_for_update() if for_update else stmt)
    if doc is None:
        raise DocumentNotFound(f"Không có văn bản mã {document_id!r}")
    return doc


def document_dict(
    doc: Document, *, audit_rows: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The api.md JSON of a document, plus revocation, creation and audit extensions."""
    body: dict[str, Any] = {
        "id": doc.id,
        "agency": doc.agency_id,
        "book": doc.book_id,
        "year": doc.year,
        "number": doc.number,
        "symbol": doc.symbol,
        "date": doc.date.isoformat() if doc.date else None,
        "template": doc.template,
        "summary": doc.summary,
        "signer": doc.signer_name,
        "status": doc.status,
        "sha256": {f.format: f.sha256 for f in doc.files},
        "files": {f.format: FILE_URL.format(id=doc.id, fmt=f.format) for f in doc.files},
        "created_at": audit.iso(doc.created_at),
        "created_by": doc.created_by,
    }
    if doc.batch_id:
        body["batch"] = doc.batch_id
    if doc.status == "revoked":
        body["revoked_reason"] = doc.reason
        body["revoked_at"] = audit.iso(doc.revoked_at)
    elif doc.status == "failed":
        body["error"] = doc.reason
    if audit_rows is not None:
        body["audit"] = audit_rows
    return body


def file_name(doc: Document, fmt: str) -> str:
    """``149-BC-BCĐ-2018-07-27.docx``: the symbol and date (PDF/A: ``…-pdfa.pdf``)."""
    stem = unicodedata.normalize("NFC", doc.symbol.strip().replace("/", "-")) or doc.id
    date = f"-{doc.date.isoformat()}" if doc.date else ""
    return f"{stem}{date}-pdfa.pdf" if fmt == "pdfa" else f"{stem}{date}.{fmt}"


def get_file(
    session: Session, document_id: str, fmt: str, *, storage: Storage = DEFAULT_STORAGE
) -> StoredFile:
    """The stored bytes of one format of a document, exactly as issued."""
    doc = get_document(session, document_id)
    meta = next((f for f in doc.files if f.format == fmt), None)
    content = storage.get(session, document_id, fmt) if meta is not None else None
    if meta is None or content is None:
        raise NotFound(f"Văn bản {doc.symbol} không có tệp định dạng {fmt}")
    name = file_name(doc, fmt)
    return StoredFile(content, meta.media_type, name, documents.ascii_filename(name), meta.sha256)


def revoke(session: Session, document_id: str, reason: str, actor: str) -> Document:
    """Mark an issued document revoked with its reason; its number is never reused."""
    text = unicodedata.normalize("NFC", reason or "").strip()
    if not text:
        raise InvalidData([{"loc": ["reason"], "msg": "Cần ghi lý do thu hồi văn bản"}])
    if len(text) > 2000:
        raise InvalidData([{"loc": ["reason"], "msg": "Lý do thu hồi dài quá 2000 ký tự"}])
    doc = get_document(session, document_id, for_update=True)
    if doc.status == "revoked":
        raise AlreadyRevoked(f"Văn bản {doc.symbol} đã bị thu hồi trước đó: {doc.reason}")
    if doc.status != "issued":
        raise Conflict(f"Văn bản {doc.symbol} không được ban hành (lỗi), không thể thu hồi")
    doc.status = "revoked"
    doc.reason = text
    doc.revoked_at = utcnow()
    audit.record(
        session,
        actor,
        "revoke",
        agency_id=doc.agency_id,
        document_id=doc.id,
        detail={"reason": text, "symbol": doc.symbol},
    )
    session.flush()
    return doc
