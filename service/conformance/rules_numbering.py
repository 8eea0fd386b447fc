"""Numbering rules (nd30 §2 item 6): articles, parts, clauses and points in sequence."""

from __future__ import annotations

import re

from service.conformance.common import is_upper, para_style, quote
from service.conformance.model import Para
from service.conformance.report import Finding, error, warning
from service.conformance.rules_body import Body
from service.conformance.values import count, shown
from service.vn import point_letter, roman

ARTICLE = re.compile(r"^Điều\s+([0-9]+)\s*([.:]?)")
PART = re.compile(r"^([IVXLCDM]+)\.\s")
CLAUSE = re.compile(r"^([0-9]+)\.\s")
SUBCLAUSE = re.compile(r"^[0-9]+\.[0-9]+")
POINT = re.compile(r"^([a-zđ]{1,3})\)\s")
_POINT_INDEX = {point_letter(i): i for i in range(3 * 23)}


def article_numbers(body: Body) -> list[int | None]:
    """Return the article numbers in document order; None for a label of ten digits or more."""
    return [count(m.group(1)) for p in body.content if (m := ARTICLE.match(p.display))]


def _label_bold(para: Para, length: int) -> bool:
    """True when the first length characters of the paragraph are bold."""
    seen = 0
    for run in para.runs:
        if seen >= length:
            break
        if run.text.strip() and not run.props.bold:
            return False
        seen += len(run.text)
    return True


def check_articles(body: Body) -> list[Finding]:
    """Check "Điều 1." labels: consecutive from 1, ending with ".", bold."""
    out: list[Finding] = []
    expected = 1
    for para in body.content:
        m = ARTICLE.match(para.display)
        if m is None:
            continue
        number, label = count(m.group(1)), shown(m.group(1))
        if number != expected:
            out.append(error("article.sequence", f"Điều {expected}", f"Điều {label}", para.where))
        expected = (expected if number is None else number) + 1
        if m.group(2) != ".":
            out.append(error("article.format", f"Điều {label}.", quote(m.group(0)), para.where))
        if not _label_bold(para, len(m.group(0).rstrip())):
            out.append(error("article.label", "nhãn “Điều …” in đậm", "không đậm", para.where))
    return out


def check_parts(body: Body) -> list[Finding]:
    """Check part headings "I. …": Roman numerals in sequence, upper case, bold."""
    out: list[Finding] = []
    count = 0
    for para in body.content:
        m = PART.match(para.display)
        if m is None:
            continue
        count += 1
        if m.group(1) != roman(count):
            out.append(error("part.sequence", f"{roman(count)}.", f"{m.group(1)}.", para.where))
        if not is_upper(para.display):
            out.append(error("part.upper", "chữ in hoa", quote(para.display, 40), para.where))
        if not all(r.props.bold for r in para.text_runs):
            out.append(error("part.bold", "đậm", para_style(para), para.where))
    return out


def check_clauses_and_points(body: Body) -> list[Finding]:
    """Check clauses 1., 2. … (per article or part) and points a), b), c), d), đ) … in order."""
    out: list[Finding] = []
    clause = 0
    point: int | None = None
    for para in body.content:
        text = para.display
        if ARTICLE.match(text) or PART.match(text):
            clause, point = 0, None
            continue
        if SUBCLAUSE.match(text):
            point = None
            continue
        if (m := CLAUSE.match(text)) is not None:
            number = count(m.group(1))
            if number != clause + 1:
                found = f"{shown(m.group(1))}."
                out.append(warning("clause.sequence", f"{clause + 1}.", found, para.where))
            clause, point = (clause + 1 if number is None else number), None
            continue
        if (m := POINT.match(text)) is not None and m.group(1) in _POINT_INDEX:
            index = _POINT_INDEX[m.group(1)]
            want = 0 if point is None else point + 1
            if index != want and index != 0:
                found = f"{m.group(1)})"
                out.append(error("point.sequence", f"{point_letter(want)})", found, para.where))
            point = index
    return out
