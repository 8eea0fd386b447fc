"""Small helpers shared by the rule modules: formatting values and per-paragraph checks."""

from __future__ import annotations

from service.conformance.model import Para
from service.conformance.report import Finding, Severity
from service.layout import line_widths_pt
from service.vn import char_widths_pt, text_width_pt

TWIPS_PER_MM = 1440 / 25.4
# nd30 §2 items 2 and 5a: the rule under the issuing body and under the subject is 1/3–1/2 of
# the widest line of the text (after wrapping). The slack only covers whole-twip indents.
RULE_RATIO = (1 / 3, 1 / 2)
RULE_SLACK_PT = 0.5


def mm(tw: int) -> str:
    """Format a length in twips as millimetres: "25.4 mm"."""
    return f"{tw / TWIPS_PER_MM:.1f}".rstrip("0").rstrip(".") + " mm"


def pt(value: float) -> str:
    """Format a size in points: "13 pt", "12.5 pt"."""
    return f"{value:g} pt"


def pt_range(lo: float, hi: float) -> str:
    """Format an accepted size range: "13–14 pt" or "12 pt"."""
    return pt(lo) if lo == hi else f"{lo:g}–{hi:g} pt"


def is_upper(text: str) -> bool:
    """True when text has letters and none of them is lower case."""
    return any(ch.isalpha() for ch in text) and text == text.upper()


def sizes(para: Para) -> list[float]:
    """Return the distinct sizes of the runs holding text, ascending."""
    return sorted({r.props.size for r in para.text_runs})


def size_finding(
    rule: str, para: Para, lo: float, hi: float, severity: Severity = "error"
) -> Finding | None:
    """Return a finding when some text of para is outside lo..hi points."""
    found = sizes(para)
    if all(lo <= s <= hi for s in found):
        return None
    return Finding(rule, severity, pt_range(lo, hi), ", ".join(pt(s) for s in found), para.where)


def all_bold(para: Para) -> bool:
    """True when every run holding text is bold."""
    return all(r.props.bold for r in para.text_runs)


def any_bold(para: Para) -> bool:
    """True when some run holding text is bold."""
    return any(r.props.bold for r in para.text_runs)


def all_italic(para: Para) -> bool:
    """True when every run holding text is italic."""
    return all(r.props.italic for r in para.text_runs)


def style_label(bold: bool, italic: bool) -> str:
    """Name a combination of bold and italic in Vietnamese."""
    if bold and italic:
        return "đậm nghiêng"
    if bold:
        return "đậm"
    return "nghiêng" if italic else "đứng, không đậm"


def para_style(para: Para) -> str:
    """Describe the bold/italic state of the text of para ("đậm", "nghiêng", "không đồng nhất")."""
    states = {(r.props.bold, r.props.italic) for r in para.text_runs}
    if len(states) != 1:
        return "không đồng nhất"
    bold, italic = states.pop()
    return style_label(bold, italic)


def text_width(para: Para) -> float:
    """Estimate the width in points of the text of para on one line."""
    total = 0.0
    for run in para.text_runs:
        if run.props.size <= 0:
            continue  # w:sz="0": the run takes no room
        text = run.text.upper() if run.props.caps else run.text
        total += text_width_pt(text, run.props.size, bold=run.props.bold, italic=run.props.italic)
    return total


def widest_line(para: Para, avail_twips: int | None) -> float:
    """Estimate the width in points of the widest line of para once it wraps at avail_twips.

    The paragraph's own indents narrow the line, a line break (w:br) starts a new one; without
    a known width each line is taken whole.
    """
    lines: list[list[tuple[str, float]]] = [[]]
    for run in para.runs:
        props = run.props
        if props.hidden:
            continue
        text = run.text.upper() if props.caps else run.text
        for i, piece in enumerate(text.split("\n")):
            if i:
                lines.append([])  # a line break (w:br)
            if props.size > 0:  # w:sz="0": the run takes no room
                lines[-1] += char_widths_pt(piece, props.size, bold=props.bold, italic=props.italic)
    if not avail_twips:
        return max(sum(width for _, width in chars) for chars in lines)
    avail = (avail_twips - para.props.left - para.props.right) / 20
    return max(max(line_widths_pt(chars, avail)) for chars in lines)


def rule_ratio_finding(rule: str, length: float, width: float, where: str) -> Finding | None:
    """An error when a rule length is outside 1/3–1/2 of the widest line of its text."""
    lo, hi = RULE_RATIO
    if lo * width - RULE_SLACK_PT <= length <= hi * width + RULE_SLACK_PT:
        return None
    ratio = length / width if width else 0
    found = f"{length:.0f} pt = {ratio:.2f} × {width:.0f} pt"
    return Finding(rule, "error", "đường kẻ dài 1/3–1/2 dòng chữ", found, where)


def quote(text: str, limit: int = 60) -> str:
    """Quote a text for a finding, shortened to limit characters."""
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"
