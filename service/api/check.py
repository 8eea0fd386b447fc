"""POST /api/v1/check: the Nghị định 30 conformance check of an uploaded .docx."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from service.errors import BadRequest, InvalidData, VanbanError

bp = Blueprint("check", __name__, url_prefix="/api/v1")


@bp.post("/check")
def check() -> dict[str, Any]:
    """Check the uploaded ``file`` and return the report."""
    from service import conformance  # written in parallel; imported when first used

    data = _upload("file")
    try:
        report = conformance.check_docx(data)
    except conformance.NotADocx as exc:
        if isinstance(exc, VanbanError):
            raise
        raise BadRequest(exc.explained()) from exc
    result: dict[str, Any] = report.to_dict()
    return result


def _upload(field: str) -> bytes:
    """The bytes of the multipart file ``field``; 400 or 422 when it is not there."""
    if request.mimetype != "multipart/form-data":
        raise BadRequest(
            "Cần gửi tệp dạng multipart/form-data, trường "
            f"{field!r}; nhận: {request.mimetype or 'không có Content-Type'}."
        )
    upload = request.files.get(field)
    if upload is None:
        raise InvalidData(
            [{"loc": [field], "msg": "Thiếu tệp .docx cần kiểm tra", "type": "missing"}]
        )
    data = upload.read()
    if not data:
        raise InvalidData([{"loc": [field], "msg": "Tệp gửi lên rỗng", "type": "empty_file"}])
    return data
