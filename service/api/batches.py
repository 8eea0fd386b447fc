"""Bulk issuing over HTTP: POST /api/v1/batches (JSON or an .xlsx/.csv upload), progress, ZIP."""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from sqlalchemy import ColumnElement, and_, or_
from werkzeug.wsgi import wrap_file

from service import agencies, db, jsonin
from service.api import auth
from service.api.body import parse
from service.api.files import content_disposition, file_response
from service.api.schemas import BatchQuery
from service.batches.archive import SPOOL_BYTES, archive_name, build_archive
from service.batches.create import NewBatch, create_batch
from service.batches.dispatch import enqueue, retry_failed
from service.batches.fields import coerce
from service.batches.merged import build_merged
from service.batches.models import Batch
from service.batches.pdfphase import pdf_format
from service.batches.schema import BatchRequest, check_callback_url
from service.batches.upload import read_upload
from service.batches.views import batch_dict, batch_page, get_batch
from service.errors import BadRequest, Forbidden, InvalidData
from service.pdf import wiring
from service.register.agencies import check_agency
from service.validation import validate

bp = Blueprint("batches", __name__, url_prefix="/api/v1/batches")

_TRUE = {"1", "true", "yes", "on", "có"}
_FALSE = {"", "0", "false", "no", "off", "không"}


@bp.post("")
def create() -> Response:
    """Validate every row, reserve the numbers, store the batch; 202 and enqueue after commit."""
    new = _from_upload() if request.mimetype == "multipart/form-data" else _from_json()
    if pdf_format(new.formats) is not None:
        wiring.client().require()  # 503 before any number is reserved when nothing can convert
    session = db.request_session()
    batch = create_batch(
        session,
        new,
        directory=agencies.current(),
        actor=auth.actor(),
        max_rows=int(current_app.config["BATCH_MAX_ROWS"]),
        key=auth.current_key(),
    )
    session.commit()
    enqueue("batches.dispatch", batch.id)  # after the commit; the sweeper covers a dead broker
    body = {
        "id": batch.id,
        "status": batch.status,
        "total": batch.total,
        "first_number": batch.first_number,
        "url": url_for("batches.read", batch_id=batch.id),
    }
    response = jsonify(body)
    response.status_code = 202
    response.headers["Location"] = body["url"]
    return response


def _from_json() -> NewBatch:
    body = parse(BatchRequest)
    return NewBatch(
        template=body.template,
        rows=body.rows,
        common=body.common,
        issue=body.issue,
        formats=tuple(body.formats),
        parent=body.parent,
        callback_url=body.callback_url,
    )


def _from_upload() -> NewBatch:
    form = request.form
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidData([{"loc": ["file"], "msg": "Cần tệp .xlsx hoặc .csv (trường file)"}])
    template = (form.get("template") or "").strip()
    if not template:
        raise InvalidData([{"loc": ["template"], "msg": "Thiếu mã mẫu văn bản"}])
    sheet = read_upload(
        upload.read(),
        upload.filename,
        upload.mimetype,
        int(current_app.config["BATCH_MAX_ROWS"]),
    )
    try:
        callback_url = check_callback_url(form.get("callback_url"))
    except ValueError as exc:
        raise InvalidData([{"loc": ["callback_url"], "msg": str(exc)}]) from None
    from service import templates

    templates.get(template)  # 404 before reading rows against an unknown schema
    return NewBatch(
        template=template,
        rows=[coerce(template, row) for row in sheet.rows],
        common=_common(form.get("common")),
        issue=_flag(form.get("issue")),
        formats=_formats(form.getlist("formats")),
        parent=(form.get("parent") or "").strip() or None,
        callback_url=callback_url,
        source=os.path.basename(upload.filename)[:300],
        lines=sheet.lines,
    )


def _common(raw: str | None) -> dict[str, Any]:
    if not raw or not raw.strip():
        return {}
    try:
        value = jsonin.decode(raw)
    except jsonin.Unreadable as exc:
        where = f" ({exc.where()})" if exc.line is not None else ""
        msg = f"common phải là JSON{where}: {exc.reason}"
        raise InvalidData([{"loc": ["common"], "msg": msg}]) from None
    if not isinstance(value, dict):
        raise InvalidData([{"loc": ["common"], "msg": "common phải là một đối tượng JSON"}])
    return value


def _flag(raw: str | None) -> bool:
    value = (raw or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidData([{"loc": ["issue"], "msg": "issue phải là true hoặc false"}])


def _formats(values: list[str]) -> tuple[str, ...]:
    found: list[str] = []
    for raw in values or ["docx"]:
        text = raw.strip()
        if text.startswith("["):
            try:
                items = jsonin.decode(text)
            except jsonin.Unreadable:
                raise BadRequest("formats phải là danh sách JSON hoặc docx,pdf") from None
            if not isinstance(items, list):
                raise BadRequest("formats phải là danh sách JSON hoặc docx,pdf")
            found.extend(str(x) for x in items)
        else:
            found.extend(part.strip() for part in text.split(",") if part.strip())
    return tuple(found)


def _visible(batch_id: str) -> Batch:
    batch = get_batch(db.request_session(), batch_id)
    if batch.agency_id:
        auth.require_agency(batch.agency_id)
    else:
        key = auth.current_key()
        if key is not None and key.role != "admin" and batch.created_by != auth.actor():
            raise Forbidden("Khóa API này không xem được đợt phát hành của người khác")
    return batch


@bp.get("")
@db.read_only
def listing() -> Response:
    """Batches newest first, page by page: a clerk's key sees its agencies' and its own."""
    query = validate(BatchQuery, request.args.to_dict())
    session = db.request_session()
    if query.agency is not None:
        check_agency(session, query.agency)
        auth.require_agency(query.agency)
    page = batch_page(
        session,
        visible=_visible_batches(),
        agency=query.agency,
        status=query.status,
        page=query.page,
        per_page=query.per_page,
    )
    response = jsonify(page)
    response.headers["Cache-Control"] = "no-store"
    return response


def _visible_batches() -> ColumnElement[bool] | None:
    """The batches this request's key may see (as ``_visible`` decides for one); None: all."""
    key = auth.current_key()
    if key is None or key.role == "admin":
        return None
    return or_(
        Batch.agency_id.in_(list(key.agencies or [])),
        and_(Batch.agency_id.is_(None), Batch.created_by == auth.actor()),
    )


@bp.get("/<batch_id>")
@db.read_only
def read(batch_id: str) -> Response:
    """Status, counts, the documents in row order and the failed rows (``?rows=1``: all rows)."""
    batch = _visible(batch_id)
    with_rows = request.args.get("rows", "").lower() in _TRUE
    response = jsonify(batch_dict(db.request_session(), batch, with_rows=with_rows))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<batch_id>/archive")
@db.read_only
def archive(batch_id: str) -> Response:
    """A ZIP of every stored file, named by number, in row order."""
    batch = _visible(batch_id)
    spool = build_archive(db.request_session(), batch)
    size = spool.seek(0, os.SEEK_END)
    spool.seek(0)
    if size <= SPOOL_BYTES:  # still in memory: hand over the bytes, free the spool now
        with spool:
            response = Response(spool.read(), mimetype="application/zip")
    else:  # spilled to disk: stream it, closed when the response is
        response = Response(
            wrap_file(request.environ, spool), mimetype="application/zip", direct_passthrough=True
        )
        response.content_length = size
    response.headers["Content-Disposition"] = content_disposition(archive_name(batch))
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/<batch_id>/merged.pdf")
def merged_pdf(batch_id: str) -> Response:
    """Every document's PDF in row order, in one file (404 for a batch without PDF)."""
    session = db.request_session()
    merged = build_merged(session, _visible(batch_id))
    session.commit()  # the file is kept by the first download of a complete batch
    response = file_response(merged.content, merged.filename, "application/pdf")
    if merged.missing:  # sheet rows without a PDF (failed), left out of the file
        response.headers["X-Missing-Rows"] = ",".join(str(line) for line in merged.missing)
    return response


@bp.post("/<batch_id>/retry")
def retry(batch_id: str) -> Response:
    """Render the failed rows again into their own numbers; 202."""
    _visible(batch_id)
    session = db.request_session()
    batch = retry_failed(session, batch_id, auth.actor())
    session.commit()
    enqueue("batches.dispatch", batch.id)
    response = jsonify(batch_dict(session, batch))
    response.status_code = 202
    response.headers["Location"] = url_for("batches.read", batch_id=batch.id)
    return response
