"""POST /api/v1/render: stateless rendering, nothing written to the register."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app

from service import agencies, documents
from service.api import auth
from service.api.body import json_body
from service.api.files import file_response
from service.api.schemas import RenderRequest
from service.errors import FormatUnavailable, InvalidData, VanbanError
from service.validation import validate

bp = Blueprint("render", __name__, url_prefix="/api/v1")

PDF_MEDIA_TYPE = "application/pdf"
# A PDF subsystem registers a converter here: docx bytes -> pdf bytes.
PDF_EXTENSION = "vanban.pdf"

Converter = Callable[[bytes], bytes]


@bp.post("/render")
def render() -> Response:
    """Render ``data`` with ``template`` and return the file itself."""
    request_ = _parse()
    agency_id = request_.data.get("agency")
    if isinstance(agency_id, str):
        auth.require_agency(agency_id)
    converter = _pdf_converter() if request_.format == "pdf" else None
    doc = documents.render(request_.template, request_.data, agencies.current())
    if converter is None:
        return file_response(doc.content, doc.filename, doc.media_type)
    stem = doc.filename.rpartition(".")[0]
    return file_response(converter(doc.content), f"{stem}.pdf", PDF_MEDIA_TYPE)


def _parse() -> RenderRequest:
    """The envelope; when it is invalid, the data's own problems are listed too."""
    body = json_body()
    try:
        return validate(RenderRequest, body)
    except InvalidData as exc:
        raise InvalidData([*exc.errors, *_data_problems(body)]) from None


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


def _pdf_converter() -> Converter:
    """The PDF converter of this server; 503 when it has none."""
    converter: Converter | None = current_app.extensions.get(PDF_EXTENSION)
    if converter is None:
        raise FormatUnavailable(
            "Máy chủ này chưa hỗ trợ xuất văn bản dạng PDF. "
            'Định dạng DOCX vẫn dùng được: gửi "format": "docx".'
        )
    return converter
