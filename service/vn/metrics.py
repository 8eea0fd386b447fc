"""Times New Roman advance widths for estimating the length of drawn lines under headings."""

from __future__ import annotations

import functools
import unicodedata

# Widths in 1/1000 em, read once from the standard Adobe Times AFM metrics (Times-Roman,
# Times-Bold, Times-Italic, Times-BoldItalic) that ship with reportlab, which is metric-compatible
# with Times New Roman. reportlab was only used as a dev tool to produce this table; it is not a
# runtime dependency. Order: code points 32-126, 160-255, then the characters of _EXTRA (the
# Windows-1252 punctuation of bytes 0x80-0x9F: dashes, curly quotes, ellipsis, bullet ...).
_EXTRA = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_CODEPOINTS = [chr(c) for c in range(32, 127)] + [chr(c) for c in range(160, 256)] + list(_EXTRA)


def _parse(data: str) -> dict[str, int]:
    widths = [int(w) for w in data.split()]
    if len(widths) != len(_CODEPOINTS):  # pragma: no cover - guards the table itself
        raise RuntimeError("metrics table size mismatch")
    return dict(zip(_CODEPOINTS, widths, strict=True))


_WIDTHS: dict[str, dict[str, int]] = {
    "regular": _parse(
        """
        250 333 408 500 500 833 778 180 333 333 500 564 250 333 250 278 500 500 500 500 500 500 500
        500 500 500 278 278 564 564 564 444 921 722 667 667 722 611 556 722 722 333 389 722 611 889
        722 722 556 722 667 556 611 722 722 944 722 722 611 333 278 333 469 500 333 444 500 444 500
        444 333 500 500 278 278 500 278 778 500 500 500 500 333 389 278 500 500 722 500 500 444 480
        200 480 541 250 333 500 500 500 500 200 500 333 760 276 500 564 333 760 333 400 564 300 300
        333 500 453 250 333 300 310 500 750 750 750 444 722 722 722 722 722 722 889 667 611 611 611
        611 333 333 333 333 722 722 722 722 722 722 722 564 722 722 722 722 722 722 556 500 444 444
        444 444 444 444 667 444 444 444 444 444 278 278 278 278 500 500 500 500 500 500 500 564 500
        500 500 500 500 500 500 500 500 333 500 444 1000 500 500 333 1000 556 333 889 611 333 333
        444 444 350 500 1000 333 980 389 333 722 444 722
        """
    ),
    "bold": _parse(
        """
        250 333 555 500 500 1000 833 278 333 333 500 570 250 333 250 278 500 500 500 500 500 500 500
        500 500 500 333 333 570 570 570 500 930 722 667 722 722 667 611 778 778 389 500 778 667 944
        722 778 611 778 722 556 667 722 722 1000 722 722 667 333 278 333 581 500 333 500 556 444 556
        444 333 500 556 278 333 556 278 833 556 500 556 556 444 389 333 556 500 722 500 500 444 394
        220 394 520 250 333 500 500 500 500 220 500 333 747 300 500 570 333 747 333 400 570 300 300
        333 556 540 250 333 300 330 500 750 750 750 500 722 722 722 722 722 722 1000 722 667 667 667
        667 389 389 389 389 722 722 778 778 778 778 778 570 778 722 722 722 722 722 611 556 500 500
        500 500 500 500 722 444 444 444 444 444 278 278 278 278 500 556 500 500 500 500 500 570 500
        556 556 556 556 500 556 500 500 333 500 500 1000 500 500 333 1000 556 333 1000 667 333 333
        500 500 350 500 1000 333 1000 389 333 722 444 722
        """
    ),
    "italic": _parse(
        """
        250 333 420 500 500 833 778 214 333 333 500 675 250 333 250 278 500 500 500 500 500 500 500
        500 500 500 333 333 675 675 675 500 920 611 611 667 722 611 611 722 722 333 444 667 556 833
        667 722 611 722 611 500 556 722 611 833 611 556 556 389 278 389 422 500 333 500 500 444 500
        444 278 500 500 278 278 444 278 722 500 500 500 500 389 389 278 500 444 667 444 444 389 400
        275 400 541 250 389 500 500 500 500 275 500 333 760 276 500 675 333 760 333 400 675 300 300
        333 500 523 250 333 300 310 500 750 750 750 500 611 611 611 611 611 611 889 667 611 611 611
        611 333 333 333 333 722 667 722 722 722 722 722 675 722 722 722 722 722 556 611 500 500 500
        500 500 500 500 667 444 444 444 444 444 278 278 278 278 500 500 500 500 500 500 500 675 500
        500 500 500 500 444 500 444 500 333 500 556 889 500 500 333 1000 500 333 944 556 333 333 556
        556 350 500 889 333 980 389 333 667 389 556
        """
    ),
    "bolditalic": _parse(
        """
        250 389 555 500 500 833 778 278 333 333 500 570 250 333 250 278 500 500 500 500 500 500 500
        500 500 500 333 333 570 570 570 500 832 667 667 667 722 667 667 722 778 389 500 667 611 889
        722 722 611 722 667 556 611 722 667 889 667 611 611 333 278 333 570 500 333 500 500 444 500
        444 333 500 556 278 278 500 278 778 556 500 500 500 389 389 278 556 444 667 500 444 389 348
        220 348 570 250 389 500 500 500 500 220 500 333 747 266 500 606 333 747 333 400 570 300 300
        333 576 500 250 333 300 300 500 750 750 750 500 667 667 667 667 667 667 944 667 667 667 667
        667 389 389 389 389 722 722 722 722 722 722 722 570 722 722 722 722 722 611 611 500 500 500
        500 500 500 500 722 444 444 444 444 444 278 278 278 278 500 556 500 500 500 500 500 570 500
        556 556 556 556 444 500 444 500 333 500 500 1000 500 500 333 1000 556 333 944 611 333 333
        500 500 350 500 1000 333 1000 389 333 722 389 611
        """
    ),
}

_LOWER = "abcdefghijklmnopqrstuvwxyz"
_AVERAGE_LOWER: dict[str, float] = {
    key: sum(table[c] for c in _LOWER) / len(_LOWER) for key, table in _WIDTHS.items()
}
_STROKE = {"đ": "d", "Đ": "D"}


def _font_key(bold: bool, italic: bool) -> str:
    if bold and italic:
        return "bolditalic"
    if bold:
        return "bold"
    return "italic" if italic else "regular"


def _char_width(ch: str, key: str) -> float:
    table = _WIDTHS[key]
    if ch in table:
        return table[ch]
    ch = _STROKE.get(ch, ch)
    if ch in table:
        return table[ch]
    category = unicodedata.category(ch)
    if category in ("Mn", "Me", "Cc", "Cf"):
        return 0.0
    base = unicodedata.normalize("NFD", ch)[0]
    base = _STROKE.get(base, base)
    if base in table:
        return table[base]
    return _AVERAGE_LOWER[key]


def text_width_pt(text: str, size_pt: float, *, bold: bool = False, italic: bool = False) -> float:
    """Estimate the advance width in points of one line of Times New Roman text."""
    if size_pt <= 0:
        raise ValueError("Cỡ chữ phải lớn hơn 0")
    key = _font_key(bold, italic)
    text = unicodedata.normalize("NFC", text)
    return sum(_char_width(ch, key) for ch in text) * size_pt / 1000.0


# One entry per (character, font): line wrapping asks for every character of a
# heading on every render (service.layout), and _char_width may normalise.
_cached_width = functools.lru_cache(maxsize=4096)(_char_width)


def char_widths_pt(
    text: str, size_pt: float, *, bold: bool = False, italic: bool = False
) -> list[tuple[str, float]]:
    """Each character of ``text`` (NFC) with its advance width in points."""
    if size_pt <= 0:
        raise ValueError("Cỡ chữ phải lớn hơn 0")
    key = _font_key(bold, italic)
    scale = size_pt / 1000.0
    return [(ch, _cached_width(ch, key) * scale) for ch in unicodedata.normalize("NFC", text)]
