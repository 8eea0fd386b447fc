"""Unicode helpers for Vietnamese text: NFC, case, search folding, list labels."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, TypeVar, cast

T = TypeVar("T")


def nfc(s: str) -> str:
    """Return s in Unicode NFC (precomposed Vietnamese letters)."""
    return unicodedata.normalize("NFC", s)


def nfc_deep(obj: T) -> T:
    """Every string in a JSON-like value (dicts, lists; tuples become lists) in NFC."""
    out: Any = obj
    if isinstance(obj, str):
        out = unicodedata.normalize("NFC", obj)
    elif isinstance(obj, list | tuple):
        out = [nfc_deep(x) for x in obj]
    elif isinstance(obj, dict):
        out = {unicodedata.normalize("NFC", str(k)): nfc_deep(v) for k, v in obj.items()}
    return cast(T, out)


def upper(s: str) -> str:
    """Upper-case Vietnamese text correctly (đ -> Đ, ư -> Ư), NFC in and out."""
    return nfc(nfc(s).upper())


def capitalize_first(s: str) -> str:
    """Upper-case the first letter only, leaving the rest untouched."""
    s = nfc(s)
    for i, ch in enumerate(s):
        if ch.isdigit():
            break  # "5 hộ" stays as is: the text starts with a figure, not a letter
        if ch.isalpha():
            return s[:i] + ch.upper() + s[i + 1 :]
    return s


_STROKE = str.maketrans({"đ": "d", "Đ": "D"})


def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch.translate(_STROKE))
    return nfc("".join(c for c in decomposed if not unicodedata.combining(c))).casefold()


class _FoldTable(dict[int, str]):
    """``str.translate`` table of fold, filled one character at a time as they are met."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD = _FoldTable()


def fold(s: str) -> str:
    """Fold for search: lowercase, no diacritics, đ -> d ("Bỉm Sơn" -> "bim son").

    Character by character through a table (issuing folds every document's
    symbol, summary, signer and recipients): a precomposed letter loses its
    marks, a combining mark on its own folds to nothing, so NFC and NFD input
    fold alike.
    """
    return s.translate(_FOLD)


_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


# The largest number Roman numerals write without overlines (MMMCMXCIX).
ROMAN_MAX = 3999


def roman(n: int) -> str:
    """Write 1..3999 in Roman numerals, as used for parts: I, II, IV, IX."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= ROMAN_MAX:
        raise ValueError(
            f"Số La Mã chỉ viết được cho số nguyên từ 1 đến {ROMAN_MAX}, nhận được {n!r}"
        )
    out = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


# Points (điểm) follow the Vietnamese alphabet without the letters f, j, w, z and without the
# vowels carrying a diacritic other than đ: a, b, c, d, đ, e, g, h, i, k ... y (23 letters).
# No rule covers a 24th point; legal drafting practice continues by doubling the letter
# (aa, bb, cc, dd, đđ ...), which keeps the order readable and never collides with a single
# letter, so point 24 is "aa", point 47 is "aaa".
POINT_LETTERS = (
    "a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m",
    "n", "o", "p", "q", "r", "s", "t", "u", "v", "x", "y",
)  # fmt: skip


def point_letter(i: int) -> str:
    """Return the label of the i-th point (0-based): 0 -> "a", 4 -> "đ", 23 -> "aa"."""
    if isinstance(i, bool) or not isinstance(i, int) or i < 0:
        raise ValueError(f"Thứ tự điểm phải là số nguyên không âm, nhận được {i!r}")
    repeat, index = divmod(i, len(POINT_LETTERS))
    return POINT_LETTERS[index] * (repeat + 1)


# XML 1.0 Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def strip_xml_illegal(s: str) -> str:
    """Remove characters XML 1.0 forbids (controls, U+FFFE/U+FFFF, lone surrogates)."""
    return _XML_ILLEGAL.sub("", s)
