"""Vietnamese numbers and money amounts in words (nd30 §6)."""

from __future__ import annotations

from dataclasses import dataclass

# We own the rules instead of calling num2words(lang="vi"): num2words reads 1021 as
# "một nghìn lẻ hai mươi mốt" (drops "không trăm", misuses "lẻ") and 2 * 10**15 as
# "hai trăm nghìn tỷ", both wrong for official and accounting practice. The rules are short
# enough that a partial delegation would only add a second source of truth.

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

#: Largest number we read: the "tỷ tỷ" group (10**18) holds at most 999.
MAX_NUMBER = 10**21 - 1

_BILLION = 10**9


@dataclass(frozen=True)
class NumberStyle:
    """Agency-wide spelling choices; never mix two styles in one document."""

    zero_tens: str = "linh"
    four: str = "bốn"
    thousand: str = "nghìn"

    def __post_init__(self) -> None:
        if self.zero_tens not in ("linh", "lẻ"):
            raise ValueError(f"Cách đọc hàng chục 0 không hợp lệ: {self.zero_tens!r} (linh/lẻ)")
        if self.four not in ("bốn", "tư"):
            raise ValueError(f"Cách đọc số 4 không hợp lệ: {self.four!r} (bốn/tư)")
        if self.thousand not in ("nghìn", "ngàn"):
            raise ValueError(f"Cách đọc hàng nghìn không hợp lệ: {self.thousand!r} (nghìn/ngàn)")


_DEFAULT_STYLE = NumberStyle()


def _units_after_tens(u: int, tens: int, style: NumberStyle) -> str:
    """Read the unit digit u (1..9) after a tens word; tens 0 means after linh/lẻ."""
    if u == 5 and tens >= 1:
        return "lăm"
    if u == 1 and tens >= 2:
        return "mốt"
    if u == 4 and tens >= 2:
        return style.four
    return _DIGITS[u]


def _read_triple(n: int, full: bool, style: NumberStyle) -> list[str]:
    """Read 1..999; full=True reads the hundreds even when zero (non-leading group)."""
    h, rest = divmod(n, 100)
    t, u = divmod(rest, 10)
    words: list[str] = []
    with_hundreds = full or h > 0
    if with_hundreds:
        words += [_DIGITS[h], "trăm"]
    if t == 0:
        if u:
            if with_hundreds:
                words += [style.zero_tens, _units_after_tens(u, 0, style)]
            else:
                words.append(_DIGITS[u])
    else:
        words += ["mười"] if t == 1 else [_DIGITS[t], "mươi"]
        if u:
            words.append(_units_after_tens(u, t, style))
    return words


def _read_below_billion(n: int, leading: bool, style: NumberStyle) -> list[str]:
    """Read 1..999_999_999 with nghìn/triệu; all-zero groups are skipped."""
    names = ("", style.thousand, "triệu")
    groups = [(n // 1000**i) % 1000 for i in (2, 1, 0)]
    words: list[str] = []
    first = leading
    for index, group in zip((2, 1, 0), groups, strict=True):
        if group == 0:
            continue
        words += _read_triple(group, not first, style)
        first = False
        if names[index]:
            words.append(names[index])
    return words


def number_to_words(n: int, *, style: NumberStyle | None = None) -> str:
    """Read an integer in lowercase words: 1021 -> "một nghìn không trăm hai mươi mốt"."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("Số cần đọc phải là số nguyên")
    style = style or _DEFAULT_STYLE
    if n < 0:
        return "âm " + number_to_words(-n, style=style)
    if n == 0:
        return _DIGITS[0]
    if n > MAX_NUMBER:
        limit = f"{MAX_NUMBER:_}".replace("_", ".")
        raise ValueError(f"Số quá lớn để đọc thành chữ (tối đa {limit})")
    # Split into tỷ-segments: n = s2 * (10**9)**2 + s1 * 10**9 + s0. A segment is read with
    # nghìn/triệu and followed by "tỷ" once per level, which yields "nghìn tỷ", "triệu tỷ" and
    # "tỷ tỷ" as compound names: 1_500 * 10**9 = "một nghìn năm trăm tỷ", 2 * 10**15 =
    # "hai triệu tỷ", 10**18 = "một tỷ tỷ".
    segments = [(n // _BILLION**i) % _BILLION for i in (2, 1, 0)]
    words: list[str] = []
    leading = True
    for level, segment in zip((2, 1, 0), segments, strict=True):
        if segment == 0:
            continue
        words += _read_below_billion(segment, leading, style)
        leading = False
        words += ["tỷ"] * level
    return " ".join(words)


def amount_to_words(n: int, *, style: NumberStyle | None = None, currency: str = "đồng") -> str:
    """Read a money amount as in "Bằng chữ": "Một nghìn không trăm hai mươi mốt đồng"."""
    words = number_to_words(n, style=style)
    currency = currency.strip()
    text = f"{words} {currency}" if currency else words
    return text[0].upper() + text[1:]
