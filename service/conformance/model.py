"""The document as the rules see it: sections, top-level paragraphs and tables, runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from service.conformance.package import MC_NS, V_NS, WP_NS, Package, w, wattr
from service.conformance.styles import ParaProps, RunProps, StyleResolver
from service.conformance.values import emu, integer, twips, vml_length_pt
from service.vn import nfc

_SKIP_ANCESTORS = frozenset({w("txbxContent"), f"{{{MC_NS}}}Fallback", w("del")})
_DEFAULT_CELL_MARGIN = 108  # twips, Word's "Normal Table" left/right cell margin
_EMU_PER_PT = 12700


@dataclass
class Run:
    """A run with text and its effective properties."""

    text: str
    props: RunProps
    el: etree._Element


@dataclass
class Table:
    """A top-level table; label names it in findings ("header table", "table 2")."""

    el: etree._Element
    label: str
    rows: list[list[Cell]] = field(default_factory=list)
    section: int = 0

    def paragraphs(self) -> Iterator[Para]:
        """Yield every paragraph of every cell, nested tables included."""
        for row in self.rows:
            for cell in row:
                yield from cell.all_paras


@dataclass
class Cell:
    """A table cell: its direct paragraphs and its text width in twips (None if unknown)."""

    paras: list[Para]
    all_paras: list[Para]
    text_width: int | None


@dataclass
class Para:
    """A paragraph with its runs and where it sits."""

    el: etree._Element
    props: ParaProps
    runs: list[Run]
    index: int | None = None  # 1-based among top-level body paragraphs
    table: Table | None = None
    row: int = 0
    col: int = 0
    part: str | None = None  # "header1.xml" for paragraphs of a header or footer
    section: int = 0

    @property
    def text(self) -> str:
        """Return the paragraph text as stored, NFC."""
        return nfc("".join(r.text for r in self.runs))

    @property
    def display(self) -> str:
        """Return the text as displayed (w:caps shows upper case), whitespace collapsed."""
        text = "".join(r.text.upper() if r.props.caps else r.text for r in self.runs)
        return " ".join(nfc(text).split())

    @property
    def text_runs(self) -> list[Run]:
        """Return the runs that hold visible characters."""
        return [r for r in self.runs if r.text.strip()]

    @property
    def empty(self) -> bool:
        """True when the paragraph holds no visible text."""
        return not self.display

    @property
    def where(self) -> str:
        """Describe the location for a finding."""
        if self.part is not None:
            return self.part
        if self.table is not None:
            return f"{self.table.label}, row {self.row}, cell {self.col}"
        return f"paragraph {self.index}"

    def has_drawing(self) -> bool:
        """True when the paragraph holds a drawing or VML shape (a drawn line)."""
        return next(self.el.iter(w("drawing"), w("pict")), None) is not None

    def drawing_length_pt(self) -> float | None:
        """Return the width of the first drawn shape in points, when it can be read."""
        extent = next(self.el.iter(f"{{{WP_NS}}}extent"), None)
        if extent is not None and (cx := emu(extent, "cx")) is not None:
            return cx / _EMU_PER_PT
        line = next(self.el.iter(f"{{{V_NS}}}line"), None)
        if line is not None:
            start, end = _vml_x(line, "from"), _vml_x(line, "to")
            if start is not None and end is not None:
                return abs(end - start)
        shape = next(self.el.iter(f"{{{V_NS}}}shape", f"{{{V_NS}}}rect"), None)
        if shape is not None:
            for decl in shape.get("style", "").split(";"):
                name, _, value = decl.partition(":")
                if name.strip().lower() == "width":
                    return vml_length_pt(shape, "style", value)
        return None


def _vml_x(line: etree._Element, attr: str) -> float | None:
    """Read the x of a VML point ("12.5pt,0"): None when absent or in a unit not converted."""
    value = line.get(attr)
    if value is None:
        return None
    return vml_length_pt(line, attr, value.split(",", 1)[0])


def _run_text(r: etree._Element) -> str:
    out: list[str] = []
    for child in r:
        if child.tag == w("t"):
            out.append(child.text or "")
        elif child.tag == w("tab"):
            out.append("\t")
        elif child.tag in (w("br"), w("cr")):
            out.append("\n")
        elif child.tag == w("noBreakHyphen"):
            out.append("-")
    return "".join(out)


def _own_runs(p: etree._Element) -> Iterator[etree._Element]:
    for r in p.iter(w("r")):
        parent = r.getparent()
        while parent is not None and parent is not p and parent.tag not in _SKIP_ANCESTORS:
            parent = parent.getparent()
        if parent is p:
            yield r


@dataclass
class Document:
    """Everything the rules need, built once per check."""

    pkg: Package
    resolver: StyleResolver
    blocks: list[Para | Table]
    sections: list[etree._Element]  # w:sectPr, in order

    def para(self, p: etree._Element, **where: object) -> Para:
        """Build a Para for w:p with its effective properties."""
        own = list(_own_runs(p))
        runs = [
            Run(_run_text(r), props, r)
            for r, props in zip(own, self.resolver.runs(p, own), strict=True)
            if not props.hidden
        ]
        return Para(p, self.resolver.paragraph(p), runs, **where)  # type: ignore[arg-type]

    def tables(self) -> list[Table]:
        """Return the top-level tables in order."""
        return [b for b in self.blocks if isinstance(b, Table)]

    def paragraphs(self) -> list[Para]:
        """Return the top-level paragraphs in order."""
        return [b for b in self.blocks if isinstance(b, Para)]

    def all_paragraphs(self) -> Iterator[Para]:
        """Yield every body paragraph in document order, table cells included."""
        for block in self.blocks:
            if isinstance(block, Table):
                yield from block.paragraphs()
            else:
                yield block

    def part_paragraphs(self, name: str) -> list[Para]:
        """Return the paragraphs of a header or footer part ("header1.xml")."""
        root = self.pkg.parts.get(name)
        if root is None:
            return []
        return [self.para(p, part=name) for p in root.iter(w("p"))]


def _children(el: etree._Element) -> Iterator[etree._Element]:
    """Yield block children, looking through content controls (w:sdt)."""
    for child in el:
        if child.tag == w("sdt"):
            content = child.find(w("sdtContent"))
            if content is not None:
                yield from _children(content)
        else:
            yield child


def _default_cell_margins(styles: etree._Element | None) -> tuple[int, int]:
    left = right = _DEFAULT_CELL_MARGIN
    if styles is None:
        return left, right
    for st in styles.iter(w("style")):
        if wattr(st, "type") == "table" and wattr(st, "default") in ("1", "true", "on"):
            mar = st.find(f"{w('tblPr')}/{w('tblCellMar')}")
            left, right = _margins(mar, (left, right))
    return left, right


def _margins(mar: etree._Element | None, default: tuple[int, int]) -> tuple[int, int]:
    if mar is None:
        return default
    out = []
    for names, fallback in ((("left", "start"), default[0]), (("right", "end"), default[1])):
        value = fallback
        for name in names:
            side = mar.find(w(name))
            if (width := twips(side, "w")) is not None:
                value = width
                break
        out.append(value)
    return out[0], out[1]


def _build_table(
    doc: Document, tbl: etree._Element, label: str, default_mar: tuple[int, int]
) -> Table:
    table = Table(tbl, label)
    grid = [twips(g, "w") or 0 for g in tbl.findall(f"{w('tblGrid')}/{w('gridCol')}")]
    table_mar = _margins(tbl.find(f"{w('tblPr')}/{w('tblCellMar')}"), default_mar)
    for r_index, tr in enumerate(tbl.findall(w("tr")), start=1):
        row: list[Cell] = []
        grid_pos = 0
        for c_index, tc in enumerate(tr.findall(w("tc")), start=1):
            tcpr = tc.find(w("tcPr"))
            span = integer(tcpr.find(w("gridSpan")) if tcpr is not None else None, "val")
            span = max(span or 1, 1)
            tcw = tcpr.find(w("tcW")) if tcpr is not None else None
            width = twips(tcw, "w") if wattr(tcw, "type") in ("dxa", None) else None
            if not width and grid_pos + span <= len(grid):
                width = sum(grid[grid_pos : grid_pos + span])
            grid_pos += span
            mar = _margins(tcpr.find(w("tcMar")) if tcpr is not None else None, table_mar)
            where = {"table": table, "row": r_index, "col": c_index}
            direct = [doc.para(p, **where) for p in tc.findall(w("p"))]
            nested = [doc.para(p, **where) for t in tc.findall(w("tbl")) for p in t.iter(w("p"))]
            text_width = width - mar[0] - mar[1] if width else None
            row.append(Cell(direct, direct + nested, text_width))
        table.rows.append(row)
    return table


def build_document(pkg: Package) -> Document:
    """Build the Document view of a package."""
    resolver = StyleResolver(pkg.styles, pkg.theme)
    body = pkg.document.find(w("body"))
    doc = Document(pkg, resolver, [], [])
    default_mar = _default_cell_margins(pkg.styles)
    p_index = t_index = 0
    for child in _children(body):
        section = len(doc.sections)
        if child.tag == w("p"):
            p_index += 1
            doc.blocks.append(doc.para(child, index=p_index, section=section))
            inner = child.find(f"{w('pPr')}/{w('sectPr')}")
            if inner is not None:
                doc.sections.append(inner)
        elif child.tag == w("tbl"):
            t_index += 1
            table = _build_table(doc, child, f"table {t_index}", default_mar)
            table.section = section
            doc.blocks.append(table)
        elif child.tag == w("sectPr"):
            doc.sections.append(child)
    return doc
