"""The register view: GET /api/v1/registers/{agency}, page by page or exported whole."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from service import db
from service.api import auth
from service.api.files import file_response
from service.api.schemas import RegisterQuery
from service.register import export_register, register_page
from service.validation import validate

bp = Blueprint("registers", __name__, url_prefix="/api/v1/registers")


@bp.get("/<agency_id>")
@db.read_only  # an export writes its audit row in a transaction of its own
def read(agency_id: str) -> Response:
    """Oldest number first; ``format=xlsx|csv`` exports the whole register."""
    query = validate(RegisterQuery, request.args.to_dict())
    auth.require_agency(agency_id)
    if query.format == "json":
        page = register_page(
            db.request_session(),
            agency_id,
            year=query.year,
            book=query.book,
            q=query.q,
            page=query.page,
            per_page=query.per_page,
        )
        return jsonify(page)
    export = export_register(
        db.current(),
        agency_id,
        fmt=query.format,
        actor=auth.actor(),
        year=query.year,
        book=query.book,
        q=query.q,
    )
    return file_response(export.content, export.filename, export.media_type)
