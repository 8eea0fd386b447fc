"""Read request bodies ourselves so that every message about them is ours."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel

from service import jsonin
from service.errors import BadRequest
from service.validation import validate

M = TypeVar("M", bound=BaseModel)


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    )


def json_body() -> Any:
    """The request body parsed as UTF-8 JSON; BadRequest when it is not."""
    if not _is_json(request.mimetype):
        shown = request.mimetype or "không có"
        raise BadRequest(f"Nội dung phải là JSON (Content-Type: application/json), nhận: {shown}.")
    raw = request.get_data(cache=False)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("Nội dung JSON phải được mã hóa UTF-8.") from None
    if not text.strip():
        raise BadRequest("Nội dung yêu cầu trống, cần một đối tượng JSON.")
    try:
        return jsonin.decode(text)
    except jsonin.Unreadable as exc:
        if exc.line is None:
            raise BadRequest(f"JSON không được chấp nhận: {exc.reason}.") from None
        raise BadRequest(f"JSON sai cú pháp {exc.where()}: {exc.reason}.") from None


def parse(model: type[M]) -> M:
    """The JSON body validated by ``model``; 400 when unreadable, 422 when invalid."""
    return validate(model, json_body())
