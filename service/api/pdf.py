"""PDF of issued documents and page previews: /documents/{id}/pdf, …/pages/{n}.png, render pages.

Every conversion goes through the pdf queue (``service.pdf.client``). Before
waiting on a worker a view ends its read transaction: the worker stores the
PDF meanwhile, and on SQLite a writing request's transaction holds the write lock
(a reader's, ``db.read_only``, holds no lock but still ends before the wait).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy.orm import Session

from service import db, documents
from service.api import auth
from service.api.render import end_transaction, parse_request, pdf_metadata, prepare
from service.errors import (
    ConversionFailed,
    ConversionTimeout,
    InvalidData,
    NotFound,
    ServiceUnavailable,
)
from service.pdf import wiring
from service.pdf.client import Preview
from service.register import Document, audit_for, document_dict, get_document
from service.register.issuing import PDF_FORMATS

bp = Blueprint("pdf", __name__, url_prefix="/api/v1")

WIDTH = (100, 2000)
DEFAULT_WIDTH = 800
# What a PDF step after issuing may raise: the document stands, the body says what failed.
PDF_FAILURES = (ServiceUnavailable, ConversionTimeout, ConversionFailed)


def _width() -> int:
    raw = request.args.get("width", str(DEFAULT_WIDTH))
    low, high = WIDTH
    try:
        width = int(raw)
    except ValueError:
        width = 0
    if not low <= width <= high:
        msg = f"Chiều rộng ảnh phải là số nguyên từ {low} đến {high} điểm ảnh"
        raise InvalidData([{"loc": ["query", "width"], "msg": msg}])
    return width


# No document of ours comes near it; a larger number is refused here, not by a worker.
MAX_PAGE = 10_000


def _page(page: int) -> int:
    if page < 1:
        raise NotFound("Số trang bắt đầu từ 1.")
    if page > MAX_PAGE:
        raise NotFound(f"Không có trang {page}: văn bản có tối đa {MAX_PAGE} trang.")
    return page


def _png(preview: Preview, headers: dict[str, str] | None = None) -> Response:
    response = Response(preview.png, mimetype="image/png")
    response.headers["X-Page-Count"] = str(preview.pages)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.update(headers or {})
    return response


def _visible(doc_id: str) -> Document:
    doc = get_document(db.request_session(), doc_id)
    auth.require_agency(doc.agency_id)
    return doc


def make_pdfs(session: Session, doc: Document, formats: tuple[str, ...]) -> dict[str, Any] | None:
    """Have the pdf worker store each PDF format the document lacks; the first failure, if any.

    The document and its number are committed already: a failure is reported,
    never raised, and ``POST …/pdf`` tries again.
    """
    have = {f.format for f in doc.files}
    failure: dict[str, Any] | None = None
    for fmt in (f for f in formats if f in PDF_FORMATS and f not in have):
        end_transaction()  # no transaction may be open while the worker writes
        try:
            wiring.client().store_document(doc.id, fmt)
        except PDF_FAILURES as exc:
            if failure is None:
                failure = exc.to_problem()
                failure["format"] = fmt
                failure["retry"] = f"/api/v1/documents/{doc.id}/pdf?format={fmt}"
    session.expire(doc, ["files"])
    return failure


@bp.post("/documents/<doc_id>/pdf")
def document_pdf(doc_id: str) -> Response:
    """Make and store the document's PDF (``?format=pdf|pdfa``) if missing; the document."""
    fmt = request.args.get("format", "pdf")
    if fmt not in PDF_FORMATS:
        msg = "Định dạng phải là pdf hoặc pdfa"
        raise InvalidData([{"loc": ["query", "format"], "msg": msg}])
    session = db.request_session()
    doc = _visible(doc_id)
    if doc.status == "failed":
        detail = f"Văn bản {doc.symbol} không được ban hành (lỗi): không có tệp để chuyển"
        raise NotFound(detail)
    if fmt not in {f.format for f in doc.files}:
        end_transaction()
        wiring.client().store_document(doc.id, fmt)
        session.expire(doc, ["files"])
    return jsonify(document_dict(doc, audit_rows=audit_for(session, doc.id)))


@bp.get("/documents/<doc_id>/pages/<int:page>.png")
@db.read_only
def document_page(doc_id: str, page: int) -> Response:
    """PNG of page ``page`` of the document's PDF, ``?width=`` pixels wide (100–2000)."""
    width, page = _width(), _page(page)
    doc = _visible(doc_id)
    stored = {f.format: f.sha256 for f in doc.files}
    fmt = "pdfa" if "pdfa" in stored and "pdf" not in stored else "pdf"
    sha = stored.get(fmt)
    etag = f"{sha[:32]}-{page}-{width}" if sha else None
    if etag and request.if_none_match.contains(etag):
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    end_transaction()
    preview = wiring.client().document_preview(doc.id, fmt, page=page, width=width)
    headers = {"Cache-Control": "private, max-age=86400"}
    if etag:
        headers["ETag"] = f'"{etag}"'
    return _png(preview, headers)


@bp.post("/render/pages/<int:page>.png")
@db.read_only
def render_page(page: int) -> Response:
    """PNG of page ``page`` of a stateless render (the body of POST /render), ``?width=``."""
    width, page = _width(), _page(page)
    request_ = parse_request()
    prepared = prepare(request_)
    doc = documents.render_prepared(prepared)
    end_transaction()
    preview = wiring.client().preview(
        doc.content, page=page, width=width, metadata=pdf_metadata(prepared)
    )
    return _png(preview, {"Cache-Control": "no-store"})
