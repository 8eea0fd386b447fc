"""Pydantic validation errors as problem+json ``errors`` with Vietnamese messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from service.errors import InvalidData

M = TypeVar("M", bound=BaseModel)

_MESSAGES: dict[str, str] = {
    "missing": "Thiếu trường bắt buộc",
    "extra_forbidden": "Trường này không được phép",
    "string_type": "Phải là chuỗi ký tự",
    "string_too_short": "Không được để trống",
    "string_too_long": "Quá dài (tối đa {max_length} ký tự)",
    "string_pattern_mismatch": "Không đúng định dạng",
    "int_type": "Phải là số nguyên",
    "int_parsing": "Phải là số nguyên",
    "int_from_float": "Phải là số nguyên",
    "float_type": "Phải là số",
    "float_parsing": "Phải là số",
    "decimal_parsing": "Phải là số",
    "greater_than_equal": "Phải lớn hơn hoặc bằng {ge}",
    "greater_than": "Phải lớn hơn {gt}",
    "less_than_equal": "Phải nhỏ hơn hoặc bằng {le}",
    "less_than": "Phải nhỏ hơn {lt}",
    "literal_error": "Giá trị phải là một trong: {expected}",
    "enum": "Giá trị phải là một trong: {expected}",
    "date_type": "Ngày không hợp lệ (dạng YYYY-MM-DD)",
    "date_parsing": "Ngày không hợp lệ (dạng YYYY-MM-DD)",
    "date_from_datetime_parsing": "Ngày không tồn tại hoặc sai dạng YYYY-MM-DD",
    "date_from_datetime_inexact": "Ngày không được có giờ",
    "bool_type": "Phải là true hoặc false",
    "bool_parsing": "Phải là true hoặc false",
    "list_type": "Phải là một danh sách",
    "too_short": "Cần ít nhất {min_length} phần tử",
    "too_long": "Tối đa {max_length} phần tử",
    "dict_type": "Phải là một đối tượng",
    "model_type": "Phải là một đối tượng",
    "model_attributes_type": "Phải là một đối tượng",
    "union_tag_invalid": "Loại khối nội dung không hợp lệ",
    "union_tag_not_found": "Không xác định được loại khối nội dung",
    "none_required": "Phải để trống",
}


def _message(err: Any) -> str:
    kind = err["type"]
    template = _MESSAGES.get(kind)
    if kind == "value_error":
        # Our validators raise ValueError with a Vietnamese message; drop pydantic's prefix.
        return str(err.get("msg", "")).removeprefix("Value error, ")
    if template is None:
        # PydanticCustomError messages are already Vietnamese.
        return str(err.get("msg") or "Giá trị không hợp lệ")
    ctx = dict(err.get("ctx") or {})
    if "expected" in ctx:
        ctx["expected"] = str(ctx["expected"]).replace(" or ", ", ")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def problems(exc: ValidationError, prefix: Sequence[str | int] = ()) -> list[dict[str, Any]]:
    """The errors of ``exc`` as ``{"loc", "msg", "type"}`` items under ``prefix``."""
    out = []
    for err in exc.errors(include_url=False):
        # Tagged-union branches add the tag name to the path; the client never wrote it.
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("block:"))]
        out.append({"loc": [*prefix, *loc], "msg": _message(err), "type": err["type"]})
    return out


def validate(model: type[M], data: Any, prefix: Sequence[str | int] = ()) -> M:
    """Validate ``data`` with ``model``; raise InvalidData listing every problem."""
    if not isinstance(data, dict):
        raise InvalidData(
            [{"loc": list(prefix), "msg": "Phải là một đối tượng JSON", "type": "dict_type"}]
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidData(problems(exc, prefix)) from None
