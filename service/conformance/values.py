"""Strict readers of the numbers a .docx holds, in its attributes and in its text.

Python's own readers accept far more than a document holds: ``float`` reads "1e999", "inf"
and "nan", ``str.isdigit`` is true for "²", and ``int`` refuses strings of more than 4,300
digits. The checker reads every number through this module instead:

* a measurement attribute (twips, half-points, EMU, a VML length) is a plain ASCII decimal,
  optionally with a unit ("567", "-120", "12.5", "2.54cm"), of at most a few dozen
  characters and within the range Word stores; anything else makes the file unreadable
  (``UnreadableDocx``, a 400 naming the attribute, the element and the part);
* a number in the text ("Điều 12.", "Số: 05/…") is read by ``count``: ASCII digits only, and
  more than nine significant digits is no plausible number of an article, a clause or a
  document, so it reads as None and the rule reports it as it stands.
"""

from __future__ import annotations

import math
import re

from lxml import etree

from service.conformance.package import V_NS, W_NS, WP_NS, UnreadableDocx

# A decimal as XML Schema writes it ("567", "-0.5", "+12.", ".5"), then an optional unit.
_MEASURE = re.compile(r"([-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))([a-z%]*)")
_MAX_CHARS = 32  # longer is no measurement any writer produces
# ST_UniversalMeasure units ("2.54cm"), and px for VML, in points.
_UNIT_PT = {"pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "pc": 12.0, "pi": 12.0}
_VML_UNIT_PT = {**_UNIT_PT, "px": 0.75, "": 1.0}  # the checker has always read "12,0" as pt
INT32 = 2**31 - 1  # Word stores twips and half-points in 32 bits
MAX_EMU = 27_273_042_316_900  # ST_PositiveCoordinate
MAX_COUNT_DIGITS = 9
_PREFIXES = {W_NS: "w", WP_NS: "wp", V_NS: "v"}
_SHOWN = 20  # characters of a bad value quoted in a message


def _qname(name: str) -> str:
    """Return "w:left" for "{W_NS}left"; a bare name stays as it is."""
    if name.startswith("{"):
        ns, local = name[1:].split("}", 1)
        return f"{_PREFIXES[ns]}:{local}" if ns in _PREFIXES else local
    return name


def unreadable(el: etree._Element, attr: str, value: str, what: str) -> UnreadableDocx:
    """The error for attribute attr of el holding value, which is not a what ("số đo")."""
    shown = value if len(value) <= _SHOWN else value[: _SHOWN - 1] + "…"
    part = el.getroottree().docinfo.URL or "tệp"
    return UnreadableDocx(
        f"thuộc tính {_qname(attr)} của thẻ {_qname(el.tag)} trong {part} có giá trị "
        f"“{shown}”, không phải {what} hợp lệ"
    )


def _number(text: str) -> tuple[float, str] | None:
    """Split "12.5pt" into (12.5, "pt"); None when it is not a plain decimal and a unit."""
    text = text.strip(" \t\r\n")
    if len(text) > _MAX_CHARS:
        return None
    m = _MEASURE.fullmatch(text)
    if m is None:
        return None
    value = float(m.group(1))  # at most 32 ASCII digits: always finite
    return value, m.group(2)


def _measure(
    el: etree._Element | None, attr: str, per_pt: float, bound: float, *, signed: bool = True
) -> float | None:
    """Read attribute attr of el in a unit worth 1/per_pt points; None when absent."""
    if el is None:
        return None
    value = el.get(attr)
    if value is None:
        return None
    read = _number(value)
    if read is not None:
        number, unit = read
        if unit:
            number = number * _UNIT_PT[unit] * per_pt if unit in _UNIT_PT else math.nan
        if abs(number) <= bound and (signed or number >= 0):
            return number
    raise unreadable(el, attr, value, "số đo")


def twips(el: etree._Element | None, name: str) -> int | None:
    """Read the w: attribute name of el in twips ("567", "567.0", "1cm"); None when absent."""
    value = _measure(el, f"{{{W_NS}}}{name}", 20.0, INT32)
    return None if value is None else round(value)


def half_points(el: etree._Element | None, name: str) -> float | None:
    """Read a font size (w:sz, half-points) in points; None when absent, never negative."""
    value = _measure(el, f"{{{W_NS}}}{name}", 2.0, INT32, signed=False)
    return None if value is None else round(value) / 2


def integer(el: etree._Element | None, name: str) -> int | None:
    """Read a w: ST_DecimalNumber attribute (w:gridSpan); None when absent."""
    if el is None or el.get(f"{{{W_NS}}}{name}") is None:
        return None
    value = el.get(f"{{{W_NS}}}{name}", "")
    text = value.strip(" \t\r\n")
    if re.fullmatch(r"[-+]?[0-9]{1,10}", text) is None or abs(int(text)) > INT32:
        raise unreadable(el, f"{{{W_NS}}}{name}", value, "số nguyên")
    return int(text)


def emu(el: etree._Element, attr: str) -> int | None:
    """Read an unprefixed EMU attribute (wp:extent cx); None when absent."""
    value = el.get(attr)
    if value is None:
        return None
    text = value.strip(" \t\r\n")
    if re.fullmatch(r"[0-9]{1,14}", text) is None or int(text) > MAX_EMU:
        raise unreadable(el, attr, value, "độ dài (EMU)")
    return int(text)


def vml_length_pt(el: etree._Element, attr: str, text: str) -> float | None:
    """Read a VML length ("12.5pt", "1in", "40px", "12") found in attribute attr of el.

    None for a unit the checker does not convert ("50%", "2em"): the length is unknown.
    """
    read = _number(text)
    if read is None or abs(read[0]) > INT32:
        raise unreadable(el, attr, el.get(attr, text), "độ dài")
    number, unit = read
    return number * _VML_UNIT_PT[unit] if unit in _VML_UNIT_PT else None


def count(digits: str) -> int | None:
    """Read a number written in the text ("05", "12"): ASCII digits only, nine at most.

    None for anything else ("²", "١٢", a run of 5,000 digits): no plausible number.
    """
    if not digits.isascii() or not digits.isdigit():
        return None
    significant = digits.lstrip("0") or "0"
    return int(significant) if len(significant) <= MAX_COUNT_DIGITS else None


def shown(digits: str, limit: int = 12) -> str:
    """Quote the digits of a number for a finding, shortened: "99999999999…"."""
    number = count(digits)
    if number is not None:
        return str(number)
    return digits if len(digits) <= limit else digits[: limit - 1] + "…"
