"""Read request bodies ourselves so that every message about them is ours."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel

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
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequest(
            f"JSON sai cú pháp ở dòng {exc.lineno}, cột {exc.colno}: {_reason(exc.msg)}."
        ) from None


def parse(model: type[M]) -> M:
    """The JSON body validated by ``model``; 400 when unreadable, 422 when invalid."""
    return validate(model, json_body())


# The json module's messages, in Vietnamese (the common ones).
_REASONS = {
    "Expecting value": "thiếu giá trị",
    "Expecting property name enclosed in double quotes": "tên trường phải đặt trong ngoặc kép",
    "Expecting ',' delimiter": "thiếu dấu phẩy",
    "Expecting ':' delimiter": "thiếu dấu hai chấm",
    "Unterminated string starting at": "chuỗi chưa đóng ngoặc kép",
    "Extra data": "có dữ liệu thừa sau JSON",
    "Invalid control character at": "ký tự điều khiển trong chuỗi",
    "Invalid \\escape": "chuỗi thoát không hợp lệ",
}


def _reason(msg: str) -> str:
    return _REASONS.get(msg, msg)
