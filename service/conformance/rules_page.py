"""Page rules (nd30 §1): paper, margins, page numbers, font family and colour."""

from __future__ import annotations

import math
import re

from lxml import etree

from service.conformance.common import mm, pt_range, size_finding, text_width
from service.conformance.layout import Layout
from service.conformance.model import Document, Para, Table
from service.conformance.package import R_NS, w, wattr
from service.conformance.report import Finding, error, warning
from service.conformance.styles import DEFAULT_SIZE_PT, is_on
from service.conformance.values import twips

A4 = (11906, 16838)
_SIZE_TOLERANCE = 20  # twips; 210 mm rounds to 11906 or 11907 depending on the writer
_MARGIN_TOLERANCE = 3
MARGINS = {  # side -> (min, max) in twips, (min mm, max mm)
    "top": ((1134, 1417), "20–25 mm"),
    "bottom": ((1134, 1417), "20–25 mm"),
    "left": ((1701, 1984), "30–35 mm"),
    "right": ((850, 1134), "15–20 mm"),
}
_PAGE_FIELD = re.compile(r"^\s*PAGE\b", re.IGNORECASE)
_NON_ARABIC = re.compile(r"\\\*\s*(roman|alphabetic|ordtext|cardtext)", re.IGNORECASE)
TNR = "times new roman"


def _page_size(sect: etree._Element) -> tuple[int, int] | None:
    size = sect.find(w("pgSz"))
    width, height = twips(size, "w"), twips(size, "h")
    if width is None or height is None:
        return None
    return width, height


def _near(size: tuple[int, int], want: tuple[int, int]) -> bool:
    return all(abs(a - b) <= _SIZE_TOLERANCE for a, b in zip(size, want, strict=True))


def _size_text(size: tuple[int, int] | None) -> str:
    if size is None:
        return "không khai báo khổ giấy"
    return f"{mm(size[0]).removesuffix(' mm')} × {mm(size[1])}"


def check_page_size(doc: Document, layout: Layout) -> list[Finding]:
    """Check the paper size and orientation of every section."""
    out: list[Finding] = []
    portrait, landscape = A4, (A4[1], A4[0])
    for n, sect in enumerate(doc.sections, start=1):
        size = _page_size(sect)
        where = f"section {n}"
        if layout.profile == "certificate":
            if n == 1 and (size is None or not _near(size, landscape)):
                out.append(error("page.size", "A4 ngang 297 × 210 mm", _size_text(size), where))
            continue
        if size is not None and n > 1 and _near(size, landscape):
            if not any(b.section == n - 1 and isinstance(b, Table) for b in doc.blocks):
                out.append(
                    warning("page.size", "A4 dọc (ngang chỉ cho bảng rộng)", "A4 ngang", where)
                )
            continue
        if size is None or not _near(size, portrait):
            out.append(error("page.size", "A4 dọc 210 × 297 mm", _size_text(size), where))
    return out


def check_margins(doc: Document) -> list[Finding]:
    """Check the four page margins of every section."""
    out: list[Finding] = []
    for n, sect in enumerate(doc.sections, start=1):
        mar = sect.find(w("pgMar"))
        for side, ((lo, hi), expected) in MARGINS.items():
            value = twips(mar, side)
            if value is None:
                out.append(error(f"margin.{side}", expected, "không khai báo", f"section {n}"))
                continue
            value = abs(value)
            if side == "left":
                value += twips(mar, "gutter") or 0
            if not lo - _MARGIN_TOLERANCE <= value <= hi + _MARGIN_TOLERANCE:
                out.append(error(f"margin.{side}", expected, mm(value), f"section {n}"))
    return out


def _para_height(para: Para, width_pt: float) -> float:
    size = max((r.props.size for r in para.text_runs), default=DEFAULT_SIZE_PT)
    lines = max(1, math.ceil(text_width(para) / width_pt)) if width_pt > 0 else 1
    spacing = (para.props.line or 240) / 240 if para.props.line_rule == "auto" else 1.0
    return lines * size * 1.15 * spacing + (para.props.before + para.props.after) / 20


def estimated_pages(doc: Document) -> float:
    """Estimate how many pages the body fills, from line counts of its paragraphs."""
    sect = doc.sections[0] if doc.sections else None
    size, mar = (sect.find(w("pgSz")), sect.find(w("pgMar"))) if sect is not None else (None, None)
    width = ((twips(size, "w") or A4[0]) - (twips(mar, "left") or 0)) / 20
    width -= (twips(mar, "right") or 0) / 20
    height_tw = (twips(size, "h") or A4[1]) - abs(twips(mar, "top") or 0)
    height = (height_tw - abs(twips(mar, "bottom") or 0)) / 20
    total = 0.0
    for block in doc.blocks:
        if isinstance(block, Table):
            for row in block.rows:
                total += max(
                    (sum(_para_height(p, (c.text_width or 0) / 20) for p in c.paras) for c in row),
                    default=0.0,
                )
        else:
            total += _para_height(block, width)
    return total / height if height > 0 else 1.0


def _field_paragraph(paras: list[Para]) -> tuple[Para, str] | None:
    """Return the paragraph holding a PAGE field and the field instruction."""
    for para in paras:
        for simple in para.el.iter(w("fldSimple")):
            if _PAGE_FIELD.match(wattr(simple, "instr") or ""):
                return para, wattr(simple, "instr") or ""
        instr = "".join(t.text or "" for t in para.el.iter(w("instrText")))
        if _PAGE_FIELD.match(instr):
            return para, instr
    return None


def _page_run_sizes(doc: Document, para: Para) -> Finding | None:
    runs = [r for r in para.el.iter(w("r")) if next(r.iter(w("instrText")), None) is not None]
    runs += [r for simple in para.el.iter(w("fldSimple")) for r in simple.iter(w("r"))]
    found = sorted({props.size for props in doc.resolver.runs(para.el, runs)})
    if not found:
        return size_finding("page_number.size", para, 13, 14)
    if all(13 <= s <= 14 for s in found):
        return None
    return error(
        "page_number.size", pt_range(13, 14), ", ".join(f"{s:g} pt" for s in found), para.where
    )


def _header(doc: Document, sect: etree._Element, kind: str, tag: str = "header") -> str | None:
    for ref in sect.findall(w(f"{tag}Reference")):
        if wattr(ref, "type") == kind:
            found = doc.pkg.related(ref.get(f"{{{R_NS}}}id"))
            if found is not None:
                return found[0]
    return None


def check_page_numbers(doc: Document) -> list[Finding]:
    """Check the PAGE field: centred in the default header, 13–14 pt, none on page 1."""
    if not doc.sections:
        return []
    sect = doc.sections[0]
    out: list[Finding] = []
    default = _header(doc, sect, "default")
    hit = _field_paragraph(doc.part_paragraphs(default)) if default else None
    expected = "số trang ở đầu trang, căn giữa"
    if hit is None:
        footer = _header(doc, sect, "default", "footer")
        if footer and _field_paragraph(doc.part_paragraphs(footer)):
            out.append(error("page_number.header", expected, "số trang ở chân trang", footer))
        elif estimated_pages(doc) > 1:
            out.append(error("page_number.header", expected, "không có số trang", "section 1"))
        else:
            found = "không có số trang (văn bản có thể chỉ 1 trang)"
            out.append(warning("page_number.header", expected, found, "section 1"))
        return out
    para, instr = hit
    if para.props.jc != "center":
        found = f"căn {para.props.jc or 'trái'}"
        out.append(error("page_number.header", expected, found, para.where))
    num_fmt = wattr(sect.find(w("pgNumType")), "fmt")
    if _NON_ARABIC.search(instr) or num_fmt not in (None, "decimal"):
        out.append(error("page_number.header", "số Ả Rập", "không phải số Ả Rập", para.where))
    size = _page_run_sizes(doc, para)
    if size is not None:
        out.append(size)
    first_expected = "không đánh số trang 1"
    if not is_on(sect.find(w("titlePg"))):
        out.append(
            error("page_number.first_page", first_expected, "có số trang ở trang 1", "section 1")
        )
    else:
        first = _header(doc, sect, "first")
        if first and _field_paragraph(doc.part_paragraphs(first)):
            out.append(error("page_number.first_page", first_expected, "có số trang", first))
    return out


def check_fonts(doc: Document) -> list[Finding]:
    """Check that every run with text is Times New Roman and black, headers included."""
    out: list[Finding] = []
    paras = list(doc.all_paragraphs())
    for name in doc.pkg.parts:
        paras += doc.part_paragraphs(name)
    for para in paras:
        fonts: set[str] = set()
        colors: set[str] = set()
        for run in para.text_runs:
            for _slot, font in run.props.fonts:
                if font is not None and font.strip().lower() != TNR:
                    fonts.add(font)
            color = run.props.color
            if color is not None and color.lower() not in ("auto", "000000"):
                colors.add(color)
        if fonts:
            out.append(
                error("font.family", "Times New Roman", ", ".join(sorted(fonts)), para.where)
            )
        if colors:
            out.append(
                error("font.color", "đen (auto/000000)", ", ".join(sorted(colors)), para.where)
            )
    return out
