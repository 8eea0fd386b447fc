"""POST /api/v1/render: stateless rendering, nothing written to the register.

DOCX is rendered here; PDF (and PDF/A-2b) is converted from that very .docx
by a pdf worker (``service.pdf.client``), so both look the same.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g

from service import agencies, db, documents
from service.api import auth
from service.api.body import json_body
from service.api.files import file_response
from service.api.schemas import RenderRequest
from service.errors import InvalidData, VanbanError
from service.pdf import jobs, wiring
from service.pdf.pdfparts import PdfMetadata
from service.validation import validate

bp = Blueprint("render", __name__, url_prefix="/api/v1")

PDF_MEDIA_TYPE = "application/pdf"


@bp.post("/render")
@db.read_only
def render() -> Response:
    """Render ``data`` with ``template`` and return the file itself (PDF via the pdf queue)."""
    request_ = parse_request()
    prepared = prepare(request_)
    doc = documents.render_prepared(prepared)
    if request_.output == "docx":
        return file_response(doc.content, doc.filename, doc.media_type)
    end_transaction()
    pdf = wiring.client().convert(doc.content, fmt=request_.output, metadata=pdf_metadata(prepared))
    stem = doc.filename.rpartition(".")[0]
    suffix = "-pdfa" if request_.output == "pdfa" else ""
    return file_response(pdf, f"{stem}{suffix}.pdf", PDF_MEDIA_TYPE)


def end_transaction() -> None:
    """Commit the request's session, if it has one, before waiting on a pdf worker.

    On SQLite a writing request's transaction holds the write lock, and a worker
    may need to write while we wait; a reader's (``db.read_only``) holds no lock,
    but its open snapshot would keep SQLite from checkpointing the WAL past it.
    """
    session = g.get("vanban_session")
    if session is not None:
        session.commit()


def prepare(request_: RenderRequest) -> documents.Prepared:
    """The validated document of a render request (the caller may read its agency)."""
    agency_id = request_.data.get("agency")
    if isinstance(agency_id, str):
        auth.require_agency(agency_id)
    return documents.prepare(request_.template, request_.data, agencies.current())


def pdf_metadata(prepared: documents.Prepared) -> PdfMetadata:
    """title = trích yếu, author = issuing body, subject = số và ký hiệu."""
    return jobs.metadata(prepared.data.summary, prepared.issuer.name, prepared.symbol)


def parse_request() -> RenderRequest:
    """The envelope; when it is invalid, the data's own problems are listed too."""
    body = json_body()
    try:
        return validate(RenderRequest, body)
    except InvalidData as exc:
        listed = {tuple(e["loc"]) for e in exc.errors}
        extra = [e for e in _data_problems(body) if tuple(e["loc"]) not in listed]
        raise InvalidData([*exc.errors, *extra]) from None


def _data_problems(body: Any) -> list[dict[str, Any]]:
    """The problems of ``body['data']`` if its template is known, else none."""
    if not isinstance(body, dict):
        return []
    template, data = body.get("template"), body.get("data")
    if not isinstance(template, str) or not isinstance(data, dict):
        return []
    try:
        documents.prepare(template, data, agencies.current())
    except InvalidData as exc:
        return list(exc.errors)
    except VanbanError:
        return []  # unknown template or agency: the envelope's problems come first
    return []
