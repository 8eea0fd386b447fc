"""Decode JSON text that comes from outside (request bodies, form fields, files).

``json.loads`` alone lets three things through as crashes rather than bad
input: nesting deep enough to exhaust the interpreter's recursion
(RecursionError, in the parser or in whatever walks the value after it), an
integer longer than Python converts (ValueError, 4300 digits), and the
non-standard ``NaN``/``Infinity`` literals, which then reach validation as
numbers. ``decode`` turns each into ``Unreadable`` with a Vietnamese reason,
as it does for the parser's own messages.
"""

from __future__ import annotations

import json
from typing import Any

# Deeper than any template's data (sections within sections are a few levels).
MAX_DEPTH = 64


class Unreadable(ValueError):
    """Text that is not acceptable JSON; ``reason`` is Vietnamese."""

    def __init__(self, reason: str, line: int | None = None, column: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.column = column

    def where(self) -> str:
        """``ở dòng 1, cột 15`` when the parser knows the place, else empty."""
        if self.line is None:
            return ""
        return f"ở dòng {self.line}, cột {self.column}"


# The json module's messages, in Vietnamese.
_REASONS = {
    "Expecting value": "thiếu giá trị",
    "Expecting property name enclosed in double quotes": "tên trường phải đặt trong ngoặc kép",
    "Expecting ',' delimiter": "thiếu dấu phẩy",
    "Expecting ':' delimiter": "thiếu dấu hai chấm",
    "Unterminated string starting at": "chuỗi chưa đóng ngoặc kép",
    "Extra data": "có dữ liệu thừa sau JSON",
    "Invalid control character at": "ký tự điều khiển trong chuỗi",
    "Invalid \\escape": "chuỗi thoát không hợp lệ",
    "Invalid \\uXXXX escape": "chuỗi thoát \\uXXXX không hợp lệ",
    "Illegal trailing comma before end of object": "dấu phẩy thừa trước dấu }",
    "Illegal trailing comma before end of array": "dấu phẩy thừa trước dấu ]",
}


def reason(msg: str) -> str:
    """The Vietnamese for one of the json module's messages (never the English)."""
    return _REASONS.get(msg, "không đọc được")


def _constant(name: str) -> Any:
    raise Unreadable(f"{name} không phải giá trị JSON hợp lệ (cần một số hữu hạn)")


def decode(text: str) -> Any:
    """The value of ``text``; Unreadable when it is not JSON we accept."""
    try:
        value = json.loads(text, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise Unreadable(reason(exc.msg), exc.lineno, exc.colno) from None
    except RecursionError:
        raise Unreadable(f"mảng hoặc đối tượng lồng nhau quá {MAX_DEPTH} tầng") from None
    except ValueError as exc:  # an integer longer than sys.get_int_max_str_digits()
        if isinstance(exc, Unreadable):
            raise
        raise Unreadable("có số nguyên quá dài") from None
    if too_deep(value):
        raise Unreadable(f"mảng hoặc đối tượng lồng nhau quá {MAX_DEPTH} tầng")
    return value


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and dicts in ``value`` nest more than ``limit`` levels (no recursion).

    On every request body: a plain loop over the containers only (strings and
    numbers are never pushed), a fifth of what a generic walk costs.
    """
    if type(value) is not dict and type(value) is not list:
        return False
    stack: list[tuple[Any, int]] = [(value, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        item, depth = pop()
        for child in item.values() if type(item) is dict else item:
            kind = type(child)
            if kind is dict or kind is list:
                if depth >= limit:
                    return True
                push((child, depth + 1))
    return False
