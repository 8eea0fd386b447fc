"""Figures inside text: "." between thousands, "," before decimals (nd30 §6), via babel vi_VN."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_decimal as _babel_format_decimal

_LOCALE = "vi_VN"


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
    return _babel_format_decimal(n, format="#,##0", locale=_LOCALE)


def format_decimal(x: float | Decimal | str, places: int | None = None) -> str:
    """Format a decimal for text: 95.38 -> "95,38"; places fixes the digits (half up)."""
    value = _to_decimal(x)
    if places is None:
        return _babel_format_decimal(
            value, format="#,##0.###", locale=_LOCALE, decimal_quantization=False
        )
    if places < 0:
        raise ValueError("Số chữ số thập phân không được âm")
    value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return _babel_format_decimal(value, format=pattern, locale=_LOCALE)


def format_percent(x: float | Decimal | str, places: int | None = 2) -> str:
    """Format a value already in percent: 95.38 -> "95,38%" (no space before %)."""
    return format_decimal(x, places) + "%"
