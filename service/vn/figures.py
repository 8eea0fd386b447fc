"""Figures inside text: "." between thousands, "," before decimals (nd30 §6), via babel vi_VN."""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern
from babel.numbers import format_decimal as _babel_format_decimal

# Parsed once: babel parses a locale name and a pattern string again on every
# call, most of its ~12 us per figure (a table of 2,000 rows formats 2,000).
_LOCALE = Locale.parse("vi_VN")


@functools.cache
def _pattern(text: str) -> NumberPattern:
    return parse_pattern(text)


def _to_decimal(x: float | Decimal | str | int) -> Decimal:
    if isinstance(x, bool):
        raise TypeError("Giá trị số không hợp lệ")
    if isinstance(x, Decimal):
        value = x
    else:
        # str() of a float is its shortest repr, so 95.38 stays 95.38 and not 95.379999...
        text = str(x).strip().replace(" ", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"Giá trị số không hợp lệ: {x!r}") from None
    if not value.is_finite():
        raise ValueError(f"Giá trị số không hợp lệ: {x!r}")
    return value


def format_int(n: int) -> str:
    """Format an integer for running text: 15972 -> "15.972" (not for document numbers)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("Giá trị phải là số nguyên")
    # What babel gives for vi_VN and "#,##0" (tests/test_vn_figures_dates.py
    # compares the two), at a twentieth of its cost.
    return f"{n:,}".replace(",", ".")


def format_decimal(x: float | Decimal | str, places: int | None = None) -> str:
    """Format a decimal for text: 95.38 -> "95,38"; places fixes the digits (half up)."""
    value = _to_decimal(x)
    if places is not None and places < 0:
        raise ValueError("Số chữ số thập phân không được âm")
    # Enough precision for every digit: the default context's 28 made babel's
    # rounding raise InvalidOperation for a figure of 10^28 or more.
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, len(value.as_tuple().digits) + abs(value.adjusted()) + 8)
        if places is None:
            return _babel_format_decimal(
                value, format=_pattern("#,##0.###"), locale=_LOCALE, decimal_quantization=False
            )
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return _babel_format_decimal(value, format=_pattern(pattern), locale=_LOCALE)


def format_percent(x: float | Decimal | str, places: int | None = 2) -> str:
    """Format a value already in percent: 95.38 -> "95,38%" (no space before %)."""
    return format_decimal(x, places) + "%"
