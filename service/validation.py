"""Pydantic validation errors as problem+json ``errors`` with Vietnamese messages."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError
from pydantic_core.core_schema import ErrorType

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
    "string_unicode": "Chuỗi có ký tự không hợp lệ",
    "finite_number": "Phải là một số hữu hạn",
    "url_parsing": "Địa chỉ URL không hợp lệ",
    "url_scheme": "Địa chỉ URL phải bắt đầu bằng http:// hoặc https://",
}
# The same checks on a string speak of characters, not elements.
_STRING_LENGTH = {
    "too_short": "Không được để trống",
    "too_long": "Quá dài (tối đa {max_length} ký tự)",
}
# pydantic's own error types: their messages are English, ours (custom types) Vietnamese.
_PYDANTIC_TYPES = frozenset(get_args(ErrorType))


def _message(err: Any) -> str:
    kind = err["type"]
    if kind in _STRING_LENGTH and isinstance(err.get("input"), str):
        template: str | None = _STRING_LENGTH[kind]
    else:
        template = _MESSAGES.get(kind)
    if kind == "value_error":
        # Our validators raise ValueError with a Vietnamese message; drop pydantic's prefix.
        return str(err.get("msg", "")).removeprefix("Value error, ")
    if template is None:
        if kind in _PYDANTIC_TYPES:
            return "Giá trị không hợp lệ"  # never pydantic's English
        # PydanticCustomError messages are already Vietnamese.
        return str(err.get("msg") or "Giá trị không hợp lệ")
    ctx = dict(err.get("ctx") or {})
    if "expected" in ctx:
        ctx["expected"] = str(ctx["expected"]).replace(" or ", ", ")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


# Characters no document, register or spreadsheet can hold: C0 controls other than
# tab and line breaks (text pasted from Word brings U+000B and U+000C), and the
# non-characters U+FFFE/U+FFFF. Nobody sees them, so they are dropped, from every
# string of a request, before validation: the .docx would drop them anyway, but the
# stored data and register would keep them, PostgreSQL refuses U+0000 and an .xlsx
# export refuses the whole register. Unpaired UTF-16 surrogates cannot be stored or
# encoded at all: a client that sends them gets a 422.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_EITHER = re.compile(f"{_INVISIBLE.pattern}|{_SURROGATE.pattern}")


def _any_to_clean(value: Any) -> bool:
    """Whether a string in ``value`` needs ``cleaned``'s work: the check on every request.

    A plain loop without locations (20-25 µs for a template's example here); the
    locations are worked out only for the rare request that has something.
    """
    stack = [value]
    pop, push, search = stack.pop, stack.extend, _EITHER.search
    while stack:
        item = pop()
        kind = type(item)
        if kind is str:
            if search(item) is not None:
                return True
        elif kind is dict:
            push(item.values())
        elif kind is list:
            push(item)
    return False


def _strings(value: Any, loc: list[str | int]) -> Iterator[tuple[list[str | int], str]]:
    """Every string in ``value`` with its location (no recursion: depth is the caller's)."""
    stack: list[tuple[list[str | int], Any]] = [(loc, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, dict):
            stack.extend(([*where, k], v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend(([*where, i], v) for i, v in enumerate(item))


def _without_invisible(value: Any) -> Any:
    if isinstance(value, str):
        return _INVISIBLE.sub("", value)
    if isinstance(value, dict):
        return {k: _without_invisible(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_invisible(v) for v in value]
    return value


def cleaned(value: Any, prefix: Sequence[str | int] = ()) -> Any:
    """``value`` without invisible characters; InvalidData for unpaired surrogates."""
    if not _any_to_clean(value):
        return value
    invisible = False
    bad = []
    for loc, text in _strings(value, list(prefix)):
        if _INVISIBLE.search(text) is not None:
            invisible = True
        found = _SURROGATE.search(text)
        if found is not None:
            msg = f"Chuỗi có ký tự không hợp lệ (U+{ord(found.group()):04X})"
            bad.append({"loc": loc, "msg": msg, "type": "string_unicode"})
    if bad:
        raise InvalidData(sorted(bad, key=lambda p: [str(x) for x in p["loc"]]))
    return _without_invisible(value) if invisible else value


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
    data = cleaned(data, prefix)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidData(problems(exc, prefix)) from None
