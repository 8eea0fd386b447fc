"""Vietnamese language and ND30 formatting helpers: ``from service import vn``."""

from __future__ import annotations

from service.vn.dates import date_line, local_time, short_date, today
from service.vn.figures import format_decimal, format_int, format_percent
from service.vn.metrics import char_widths_pt, text_width_pt
from service.vn.names import running_case, unit_spans
from service.vn.numbers import MAX_NUMBER, NumberStyle, amount_to_words, number_to_words
from service.vn.recipients import kinh_gui_lines, legal_basis_lines, recipient_lines
from service.vn.signature import SignatureBlock, SignatureError, signature_block
from service.vn.symbols import TYPE_CODES, number_line, symbol
from service.vn.text import (
    capitalize_first,
    fold,
    nfc,
    nfc_deep,
    point_letter,
    roman,
    strip_xml_illegal,
    upper,
)

__all__ = [
    "MAX_NUMBER",
    "TYPE_CODES",
    "NumberStyle",
    "SignatureBlock",
    "SignatureError",
    "amount_to_words",
    "capitalize_first",
    "date_line",
    "fold",
    "format_decimal",
    "format_int",
    "format_percent",
    "kinh_gui_lines",
    "legal_basis_lines",
    "nfc",
    "nfc_deep",
    "number_line",
    "number_to_words",
    "point_letter",
    "recipient_lines",
    "roman",
    "running_case",
    "local_time",
    "short_date",
    "signature_block",
    "strip_xml_illegal",
    "symbol",
    "char_widths_pt",
    "text_width_pt",
    "today",
    "unit_spans",
    "upper",
]
