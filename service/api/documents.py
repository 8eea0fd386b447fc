"""Issuing into the register: POST /api/v1/documents, read, download, revoke."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from service import db
from service.api import auth
from service.api.body import parse
from service.api.files import file_response
from service.api.pdf import make_pdfs
from service.api.schemas import IssueRequest, RevokeRequest
from service.errors import InvalidData
from service.pdf import wiring
from service.register import audit_for, document_dict, get_document, get_file, issue, revoke
from service.register.issuing import PDF_FORMATS
from service.register.models import Document

bp = Blueprint("documents", __name__, url_prefix="/api/v1/documents")


@bp.post("")
def create() -> Response:
    """Take the next number of the book, render, store; 201 (or 200 for a replay)."""
    body = parse(IssueRequest)
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key.strip()) <= 200:
        raise InvalidData(
            [{"loc": ["header", "Idempotency-Key"], "msg": "Khóa phải có 1–200 ký tự"}]
        )
    pdf_formats = [f for f in body.formats if f in PDF_FORMATS]
    if pdf_formats:
        wiring.client().require()  # 503 before a number is taken when no worker can convert
    session = db.request_session()
    result = issue(
        session,
        template_id=body.template,
        data=body.data,
        formats=tuple(body.formats),
        actor=auth.actor(),
        idempotency_key=key.strip() if key else None,
        key=auth.current_key(),
        # Without PDFs the answer is known once the document is: it is built while
        # the database commits it, and sent once the commit is acknowledged.
        reply=None if pdf_formats else _created,
    )
    session.commit()
    if result.reply is not None:
        reply: Response = result.reply
        return reply
    # The number and the .docx are committed: a PDF failure now is reported, not raised.
    pdf_error = make_pdfs(session, result.document, tuple(pdf_formats)) if pdf_formats else None
    payload = document_dict(result.document)
    if pdf_error is not None:
        payload["pdf_error"] = pdf_error
    return _answer(result.document, payload, 201 if result.created else 200)


def _created(doc: Document) -> Response:
    return _answer(doc, document_dict(doc), 201)


def _answer(doc: Document, payload: dict[str, Any], status: int) -> Response:
    response = jsonify(payload)
    response.status_code = status
    response.headers["Location"] = url_for("documents.read", doc_id=doc.id)
    return response


def _visible(doc_id: str, *, for_update: bool = False):
    doc = get_document(db.request_session(), doc_id, for_update=for_update)
    auth.require_agency(doc.agency_id)
    return doc


@bp.get("/<doc_id>")
@db.read_only
def read(doc_id: str) -> Response:
    """The register entry of one document, with its audit trail."""
    doc = _visible(doc_id)
    return jsonify(document_dict(doc, audit_rows=audit_for(db.request_session(), doc.id)))


@bp.get("/<doc_id>/file")
@db.read_only
def download(doc_id: str) -> Response:
    """The stored file, byte-identical every time (``?format=docx|pdf|pdfa``)."""
    doc = _visible(doc_id)
    fmt = request.args.get("format", "docx")
    stored = get_file(db.request_session(), doc.id, fmt)
    return file_response(stored.content, stored.filename, stored.media_type)


@bp.post("/<doc_id>/revoke")
def revoke_view(doc_id: str) -> Response:
    """Mark the document revoked; its number stays taken."""
    body = parse(RevokeRequest)
    _visible(doc_id, for_update=True)
    session = db.request_session()
    doc = revoke(session, doc_id, body.reason, auth.actor())
    session.commit()
    return jsonify(document_dict(doc, audit_rows=audit_for(session, doc.id)))
