"""Page geometry shared by the templates and the context builder (twips)."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from service import vn

# A4 portrait, margins top/bottom 20 mm, left 30 mm, right 15 mm (nd30 §1).
PAGE_W, PAGE_H = 11906, 16838
MARGIN_TOP = MARGIN_BOTTOM = 1134
MARGIN_LEFT, MARGIN_RIGHT = 1701, 850
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT  # 9355 twips = 165 mm
# The header table: left column 6 cm, right column the rest (≈ 10.5 cm).
HDR_LEFT_W = 3402
HDR_RIGHT_W = TEXT_W - HDR_LEFT_W
CELL_MARGIN = 108  # Word's default left/right cell margin
# Landscape A4 for certificates: margins 20 mm all round but left 25 mm.
LAND_W, LAND_H = PAGE_H, PAGE_W
LAND_MARGIN_LEFT, LAND_MARGIN_RIGHT = 1418, 1134
LAND_TEXT_W = LAND_W - LAND_MARGIN_LEFT - LAND_MARGIN_RIGHT

# Sizes in half-points, as w:sz wants them.
SIZE_BODY = 28  # 14 pt
SIZE_HEADER = 26  # 13 pt: parent, issuing body, number, date line, Tiêu ngữ
SIZE_QUOC_HIEU = 24  # 12 pt
SIZE_RECIPIENTS_HEAD = 24  # 12 pt exactly
SIZE_RECIPIENTS = 22  # 11 pt exactly


def header_columns(width: int) -> tuple[int, int]:
    """Left and right column widths of the header table for a text ``width``."""
    left = HDR_LEFT_W if width == TEXT_W else width * 2 // 5
    return left, width - left


def text_width(orientation: str) -> int:
    """The text width of a page of ``orientation``."""
    return LAND_TEXT_W if orientation == "landscape" else TEXT_W


def line_widths_pt(chars: Sequence[tuple[str, float]], avail_pt: float) -> list[float]:
    """Widths in points of the lines a text wraps into at ``avail_pt``, as a word processor does.

    ``chars`` are (character, advance in points) pairs, so runs of different sizes or weights
    can make one paragraph. A line breaks after spaces (which do not count towards its width)
    or after a hyphen; a word longer than a whole line breaks between two letters.
    """
    # Break units: a word (ending at a hyphen at most) and the width of the spaces after it.
    units: list[tuple[list[float], float]] = []
    new_unit = True
    for ch, width in chars:
        if ch == " ":
            if units:
                units[-1] = (units[-1][0], units[-1][1] + width)
            new_unit = True
            continue
        if new_unit:
            units.append(([], 0.0))
        units[-1][0].append(width)
        new_unit = ch == "-"
    lines: list[float] = []
    ink = pen = 0.0  # the line's width without, and with, its trailing spaces
    for word, spaces in units:
        word_pt = sum(word)
        if pen and pen + word_pt > avail_pt:
            lines.append(ink)
            ink = pen = 0.0
        if not pen and word_pt > avail_pt:
            for width in word:  # no room even on a line of its own: break between letters
                if pen and pen + width > avail_pt:
                    lines.append(pen)
                    pen = 0.0
                pen += width
            ink = pen
        else:
            ink = pen + word_pt
        pen = ink + spaces
    if ink or not lines:
        lines.append(ink)
    return lines


@functools.lru_cache(maxsize=1024)
def wrapped_widths_pt(
    text: str, size_pt: float, *, bold: bool, avail_twips: int, italic: bool = False
) -> tuple[float, ...]:
    """Widths in points of the lines of Times New Roman ``text`` wrapped at ``avail_twips``.

    Cached: every render sizes the rules under its headings from these (the
    Tiêu ngữ and an agency's name are the same each time).
    """
    chars = vn.char_widths_pt(text, size_pt, bold=bold, italic=italic)
    return tuple(line_widths_pt(chars, avail_twips / 20))


def longest_line_pt(
    lines: list[str], size_pt: float, *, bold: bool, avail_twips: int, italic: bool = False
) -> float:
    """Width in points of the widest line once ``lines`` wrap at ``avail_twips``."""
    return max(
        (
            w
            for line in lines
            for w in wrapped_widths_pt(
                line, size_pt, bold=bold, avail_twips=avail_twips, italic=italic
            )
        ),
        default=0.0,
    )


def centred_rule(
    lines: list[str],
    size_pt: float,
    *,
    bold: bool,
    avail_twips: int,
    ratio: float,
    italic: bool = False,
) -> dict[str, int]:
    """Indents that make a bottom-border rule ``ratio`` × the text width, centred."""
    text_pt = longest_line_pt(lines, size_pt, bold=bold, avail_twips=avail_twips, italic=italic)
    rule_twips = round(text_pt * ratio * 20)
    side = max(0, (avail_twips - rule_twips) // 2)
    return {"l": side, "r": side}


@functools.lru_cache(maxsize=256)
def name_lines(name: str, size_pt: float, *, bold: bool, avail_twips: int) -> tuple[str, ...]:
    """``name`` as the header shows it: one line if it fits, else broken before its unit.

    "ỦY BAN NHÂN DÂN THỊ XÃ BỈM SƠN" in a 6 cm column gives "ỦY BAN NHÂN DÂN" /
    "THỊ XÃ BỈM SƠN" (a word processor would leave "THỊ" on the first line): clerks
    break a name too long for the header column before its administrative unit
    (``vn.unit_spans``), never inside "THỊ XÃ" or "THÀNH PHỐ". The
    first break before a unit word that leaves both lines fitting is taken, else the
    first that leaves the first line fitting (the unit's line may wrap); with none,
    the name stays one paragraph for the word processor to wrap.
    """

    def fits(text: str) -> bool:
        return len(wrapped_widths_pt(text, size_pt, bold=bold, avail_twips=avail_twips)) <= 1

    if fits(name):
        return (name,)
    words = name.split()
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i, _ in vn.unit_spans(words) if i > 0]
    best = next((s for s in splits if fits(s[0]) and fits(s[1])), None)
    best = best or next((s for s in splits if fits(s[0])), None)
    return best or (name,)
