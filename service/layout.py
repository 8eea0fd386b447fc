"""Page geometry shared by the templates and the context builder (twips)."""

from __future__ import annotations

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


def longest_line_pt(lines: list[str], size_pt: float, *, bold: bool, avail_twips: int) -> float:
    """Width in points of the widest line once ``lines`` wrap at ``avail_twips``."""
    avail_pt = avail_twips / 20
    widest = 0.0
    for line in lines:
        width = vn.text_width_pt(line, size_pt, bold=bold)
        widest = max(widest, min(width, avail_pt))
    return widest


def centred_rule(
    lines: list[str], size_pt: float, *, bold: bool, avail_twips: int, ratio: float
) -> dict[str, int]:
    """Indents that make a bottom-border rule ``ratio`` × the text width, centred."""
    text_pt = longest_line_pt(lines, size_pt, bold=bold, avail_twips=avail_twips)
    rule_twips = round(text_pt * ratio * 20)
    side = max(0, (avail_twips - rule_twips) // 2)
    return {"l": side, "r": side}
