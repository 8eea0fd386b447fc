"""Find the elements of a document (header, number, date, title, signature) by text and position."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from service.conformance.model import Cell, Document, Para, Table
from service.conformance.package import w, wattr
from service.conformance.values import twips
from service.vn import TYPE_CODES, fold, upper

NUMBER_LINE = re.compile(r"^Số\s*:")
DATE_LINE = re.compile(r"^[^,]{1,80},\s*ngày\b.*\bnăm\b")
TYPE_NAMES = frozenset(upper(name) for name in TYPE_CODES if name != "Giấy công nhận")
_QUOC_HIEU = "cong hoa xa hoi chu nghia viet nam"
_RECIPIENTS = re.compile(r"^nơi nhận", re.IGNORECASE)


@dataclass
class Line:
    """A line drawn under a text: how it is drawn and its length in points when computable."""

    kind: str  # "border" (own paragraph), "border-below" (empty paragraph), "drawing"
    length: float | None
    para: Para


@dataclass
class Layout:
    """Where the elements of the document sit."""

    profile: str
    header_table: Table | None = None
    quoc_hieu: Para | None = None
    tieu_ngu: Para | None = None
    issuer_cell: Cell | None = None
    number: Para | None = None
    date: Para | None = None
    vv: Para | None = None
    signature_table: Table | None = None
    body: list[Para | Table] = field(default_factory=list)
    page_width: int = 0  # text width of section 1, twips


def cell_of(para: Para) -> Cell | None:
    """Return the table cell that holds para."""
    if para.table is None:
        return None
    return para.table.rows[para.row - 1][para.col - 1]


def siblings(doc: Document, para: Para) -> list[Para]:
    """Return the paragraphs of the container of para (its cell, or the top level)."""
    cell = cell_of(para)
    return cell.paras if cell is not None else doc.paragraphs()


def avail_width(layout: Layout, para: Para) -> int | None:
    """Return the width in twips a paragraph of this container spans before indents."""
    cell = cell_of(para)
    if cell is not None:
        return cell.text_width
    return layout.page_width or None


def line_under(layout: Layout, paras: list[Para], i: int) -> Line | None:
    """Find the line drawn under paras[i]: its own bottom border, or the next paragraph's."""
    para = paras[i]
    avail = avail_width(layout, para)

    def border_length(p: Para) -> float | None:
        return (avail - p.props.left - p.props.right) / 20 if avail else None

    if "bottom" in para.props.borders:
        return Line("border", border_length(para), para)
    if i + 1 < len(paras):
        nxt = paras[i + 1]
        if nxt.has_drawing():
            return Line("drawing", nxt.drawing_length_pt(), nxt)
        if nxt.empty and "bottom" in nxt.props.borders:
            return Line("border-below", border_length(nxt), nxt)
        if nxt.empty and "top" in nxt.props.borders:
            return Line("border-below", border_length(nxt), nxt)
    if para.has_drawing():
        return Line("drawing", para.drawing_length_pt(), para)
    return None


def is_landscape(sect: etree._Element | None) -> bool:
    """True when a w:sectPr describes a landscape page."""
    size = sect.find(w("pgSz")) if sect is not None else None
    if size is None:
        return False
    width, height = twips(size, "w") or 0, twips(size, "h") or 0
    return wattr(size, "orient") == "landscape" or width > height


def detect_profile(doc: Document) -> str:
    """Return "certificate" for a landscape page titled GIẤY CÔNG NHẬN, else "nd30"."""
    first = doc.sections[0] if doc.sections else None
    if is_landscape(first) and any(
        "GIẤY CÔNG NHẬN" in upper(p.display) for p in doc.all_paragraphs()
    ):
        return "certificate"
    return "nd30"


def _page_width(doc: Document) -> int:
    sect = doc.sections[0] if doc.sections else None
    if sect is None:
        return 0
    size, mar = sect.find(w("pgSz")), sect.find(w("pgMar"))
    width = twips(size, "w") or 0
    left, right = twips(mar, "left") or 0, twips(mar, "right") or 0
    return max(width - left - right, 0)


def is_signature_table(table: Table) -> bool:
    """True when the last cell of the first row looks like a signer block (upper lines first)."""
    last = table.rows[0][-1] if table.rows and table.rows[0] else None
    lines = [p for p in last.paras if not p.empty] if last else []
    return len(lines) >= 2 and lines[0].display == upper(lines[0].display)


def find_layout(doc: Document, profile: str) -> Layout:
    """Locate the header, number, date, body and signature of doc."""
    layout = Layout(profile, page_width=_page_width(doc))
    every = list(doc.all_paragraphs())
    layout.quoc_hieu = next((p for p in every if _QUOC_HIEU in fold(p.display)), None)
    if layout.quoc_hieu is not None:
        layout.header_table = layout.quoc_hieu.table
        paras = siblings(doc, layout.quoc_hieu)
        after = paras[paras.index(layout.quoc_hieu) + 1 :]
        nxt = next((p for p in after if not p.empty), None)
        if nxt is not None and "doc lap" in fold(nxt.display) and "hanh phuc" in fold(nxt.display):
            layout.tieu_ngu = nxt
    header = layout.header_table
    if header is not None:
        header.label = "header table"
        qh = layout.quoc_hieu
        if qh is not None and qh.col > 1:
            layout.issuer_cell = header.rows[qh.row - 1][0]
    # The signature table is the last one with "Nơi nhận:", else the last that looks like a
    # signer block; an appendix (danh sách kèm theo) may follow it.
    tables = [t for t in doc.tables() if t is not header]
    with_recipients = [
        t for t in tables if any(_RECIPIENTS.match(p.display) for p in t.paragraphs())
    ]
    signers = with_recipients or [t for t in tables if is_signature_table(t)]
    if signers:
        layout.signature_table = signers[-1]
        signers[-1].label = "signature table"

    if profile == "certificate" or header is None:
        scope = every
    else:
        scope = list(header.paragraphs())
    layout.number = next((p for p in scope if NUMBER_LINE.match(p.display)), None)
    layout.date = next((p for p in scope if DATE_LINE.match(p.display)), None)
    layout.vv = next((p for p in scope if p.display.startswith("V/v")), None)

    start = 0
    if header is not None:
        start = doc.blocks.index(header) + 1
    else:
        anchors = [p for p in (layout.tieu_ngu, layout.number, layout.date) if p is not None]
        top = [doc.blocks.index(p) + 1 for p in anchors if p.table is None]
        if top:
            start = max(top)
    end = len(doc.blocks)
    if layout.signature_table is not None:
        end = doc.blocks.index(layout.signature_table)
    layout.body = doc.blocks[start:end]
    return layout
