"""Agencies and their books: GET /api/v1/agencies, POST (admin), PUT /{id} (admin)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, url_for

from service import db
from service.agencies import Agency, check_books
from service.api import auth
from service.api.body import json_body
from service.errors import Conflict, InvalidData, UnknownAgency
from service.register import agency_dict, get_agency, list_agencies, put_agency
from service.validation import validate

bp = Blueprint("agencies", __name__, url_prefix="/api/v1/agencies")


@bp.get("")
@db.read_only
def listing() -> Response:
    """The agencies this key may use (all of them for admin or without auth)."""
    key = auth.current_key()
    items = [
        agency_dict(a)
        for a in list_agencies(db.request_session())
        if key is None or key.role == "admin" or a.id in key.agencies
    ]
    return jsonify({"items": items})


@bp.get("/<agency_id>")
@db.read_only
def read(agency_id: str) -> Response:
    """One agency."""
    auth.require_agency(agency_id)
    agency = get_agency(db.request_session(), agency_id)
    if agency is None:
        raise UnknownAgency(f"Không có cơ quan mã {agency_id!r}")
    return jsonify(agency_dict(agency))


@bp.post("")
def create() -> Response:
    """Create an agency (admin); 422 for unusable books, 409 when the id is taken."""
    auth.require_admin()
    agency = validate(Agency, json_body())
    check_books(agency)
    session = db.request_session()
    if get_agency(session, agency.id) is not None:
        raise Conflict(f"Đã có cơ quan mã {agency.id!r}; dùng PUT để thay")
    put_agency(session, agency, auth.actor())
    session.commit()
    response = jsonify(agency_dict(agency))
    response.status_code = 201
    response.headers["Location"] = url_for("agencies.read", agency_id=agency.id)
    return response


@bp.put("/<agency_id>")
def replace(agency_id: str) -> Response:
    """Replace an agency and its books (admin); creates it when missing (201).

    422 for unusable books; 409 when a book that numbered documents would be dropped,
    or a type with documents sent to another book (service.register.agencies).
    """
    auth.require_admin()
    body = json_body()
    if isinstance(body, dict):
        body.setdefault("id", agency_id)
    agency = validate(Agency, body)
    if agency.id != agency_id:
        raise InvalidData([{"loc": ["id"], "msg": "Mã cơ quan phải trùng với địa chỉ"}])
    session = db.request_session()
    created = put_agency(session, agency, auth.actor())
    session.commit()
    response = jsonify(agency_dict(agency))
    response.status_code = 201 if created else 200
    return response
