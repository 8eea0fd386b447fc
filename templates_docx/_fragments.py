"""Jinja-in-OOXML fragments the templates are assembled from (used by build.py).

Loops and conditions over paragraphs and table rows use docxtpl's ``{%p`` and
``{%tr`` tags, which docxtpl turns into plain Jinja when a template is loaded.
Values are printed with ``{{ }}`` and escaped by the engine. The only values in
attributes are computed twips (rule indents, column widths) and style ids.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from service import layout
from templates_docx._ooxml import MARK_BOX

NO_BORDERS = (
    "<w:tblBorders>"
    + "".join(
        f'<w:{edge} w:val="nil"/>'
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + "</w:tblBorders>"
)
GRID_BORDERS = (
    "<w:tblBorders>"
    + "".join(
        f'<w:{edge} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + "</w:tblBorders>"
)


def t(text: str) -> str:
    """A run's text element; ``text`` may hold Jinja ``{{ }}`` (not escaped here)."""
    return f'<w:t xml:space="preserve">{text}</w:t>'


def run(text: str, *, b: bool = False, i: bool = False, style: str | None = None) -> str:
    """A run with an optional character style and direct bold/italic."""
    rpr = f'<w:rStyle w:val="{style}"/>' if style else ""
    rpr += ("<w:b/><w:bCs/>" if b else "") + ("<w:i/><w:iCs/>" if i else "")
    return f"<w:r>{f'<w:rPr>{rpr}</w:rPr>' if rpr else ''}{t(text)}</w:r>"


def para(style: str, content: str = "", *, ppr: str = "") -> str:
    """A paragraph of ``style`` holding ``content`` (runs)."""
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{ppr}</w:pPr>{content}</w:p>'


def literal(style: str, text: str, **kw: Any) -> str:
    """A paragraph of fixed text (escaped)."""
    return para(style, run(escape(text), **kw))


def value(style: str, expr: str, **kw: Any) -> str:
    """A paragraph printing the Jinja expression ``expr``."""
    return para(style, run("{{ " + expr + " }}", **kw))


def lines(style: str, expr: str) -> str:
    """A paragraph printing the strings of the Jinja list ``expr``, one line each."""
    return para(
        style,
        "<w:r>{% for line in "
        + expr
        + " %}{% if not loop.first %}<w:br/>{% endif %}"
        + t("{{ line }}")
        + "{% endfor %}</w:r>",
    )


def tag(text: str) -> str:
    """A docxtpl paragraph tag such as ``{%p for x in xs %}`` on its own paragraph."""
    return f"<w:p><w:r>{t(text)}</w:r></w:p>"


def rule(indent_expr: str, *, after: int = 0) -> str:
    """An empty paragraph whose bottom border is the drawn line under a heading.

    ``after`` (twips): space between the line and what follows it.
    """
    ppr = (
        '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>'
        + (f'<w:spacing w:after="{after}"/>' if after else "")
        + f'<w:ind w:left="{{{{ {indent_expr}.l }}}}" w:right="{{{{ {indent_expr}.r }}}}"/>'
    )
    return para("VBRule", ppr=ppr)


def cell(width: int, content: str, *, top: int = 0) -> str:
    """A table cell of ``width`` twips, with an optional top margin."""
    mar = f'<w:tcMar><w:top w:w="{top}" w:type="dxa"/></w:tcMar>' if top else ""
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{mar}</w:tcPr>{content}</w:tc>'


def table(
    widths: list[int], rows: str, *, borders: str = NO_BORDERS, total: int | None = None
) -> str:
    """A fixed-layout table with the given column widths."""
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return (
        f'<w:tbl><w:tblPr><w:tblW w:w="{total or sum(widths)}" w:type="dxa"/>'
        f'<w:jc w:val="center"/>{borders}<w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" '
        'w:lastColumn="0" w:noHBand="0" w:noVBand="0"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{rows}</w:tbl>"
    )


def header_table(width: int = layout.TEXT_W) -> str:
    """The header (nd30 §2 items 1–4, 10): issuing body and number | Quốc hiệu and date."""
    left, right = layout.header_columns(width)
    top_left = (
        tag("{%p if hdr.parent %}")
        + value("VBHdrParent", "hdr.parent")
        + tag("{%p endif %}")
        + tag("{%p for line in hdr.body %}")
        + value("VBHdrBody", "line")
        + tag("{%p endfor %}")
        + rule("hdr.body_rule")
    )
    top_right = (
        literal("VBQuocHieu", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        + literal("VBTieuNgu", "Độc lập - Tự do - Hạnh phúc")
        + rule("hdr.motto_rule")
    )
    bottom_left = (
        value("VBNumber", "hdr.number")
        + tag("{%p for mark in hdr.marks %}")
        # Boxed by a run border, not a paragraph border: see _ooxml.MARK_BOX.
        + para("VBMark", run("{{ mark }}", style=MARK_BOX))
        + tag("{%p endfor %}")
    )
    bottom_right = value("VBDate", "hdr.date")
    rows = (
        f"<w:tr>{cell(left, top_left)}{cell(right, top_right)}</w:tr>"
        f"<w:tr>{cell(left, bottom_left)}{cell(right, bottom_right)}</w:tr>"
    )
    return table([left, right], rows)


def title(type_name: str) -> str:
    """Type name, subject (trích yếu) and the rule under it (nd30 §2 item 5a)."""
    return (
        literal("VBTypeName", type_name)
        + value("VBSubject", "title.subject")
        # The text below starts a body paragraph's spacing (6 pt) under the line, not 2 pt.
        + rule("title.rule", after=120)
    )


def blocks(var: str = "blocks") -> str:
    """Generic content: paragraphs of a style made of runs, and tables of figures."""
    runs = (
        "{% for r in b.runs %}<w:r><w:rPr>{% if r.b %}<w:b/><w:bCs/>{% endif %}"
        "{% if r.i %}<w:i/><w:iCs/>{% endif %}</w:rPr>" + t("{{ r.t }}") + "</w:r>{% endfor %}"
    )
    keep = "{% if b.keep is defined and b.keep %}<w:keepNext/>{% endif %}"
    paragraph = (
        '<w:p><w:pPr><w:pStyle w:val="{{ b.style }}"/>' + keep + "</w:pPr>" + runs + "</w:p>"
    )
    tcell = (
        '<w:tc><w:tcPr><w:tcW w:w="{{ c.w }}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
        '<w:p><w:pPr><w:pStyle w:val="{{ c.style }}"/></w:pPr>'
        "<w:r>" + t("{{ c.t }}") + "</w:r></w:p></w:tc>"
    )
    grid_table = (
        '<w:tbl><w:tblPr><w:tblW w:w="{{ b.width }}" w:type="dxa"/><w:jc w:val="center"/>'
        f'{GRID_BORDERS}<w:tblLayout w:type="fixed"/></w:tblPr>'
        '<w:tblGrid>{% for w in b.widths %}<w:gridCol w:w="{{ w }}"/>{% endfor %}</w:tblGrid>'
        "{% for row in b.rows %}<w:tr>"
        "{% if row.head %}<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>"
        "{% else %}<w:trPr><w:cantSplit/></w:trPr>{% endif %}"
        "{% for c in row.cells %}"
        + tcell
        + "{% endfor %}</w:tr>{% endfor %}</w:tbl>"
        # A table may not end the body or touch the next table: a small paragraph follows.
        + para("VBTableText")
    )
    return (
        tag("{%p for b in " + var + " %}")
        + tag("{%p if 'rows' in b %}")
        + grid_table
        + tag("{%p else %}")
        + paragraph
        + tag("{%p endif %}")
        + tag("{%p endfor %}")
    )


def signature_table(*, recipients: bool = True, width: int = layout.TEXT_W) -> str:
    """The signature area: Nơi nhận | authority, title, space, name (nd30 §2 items 7, 9b)."""
    right_w = min(5102, width // 2)
    left_w = width - right_w
    left = ""
    if recipients:
        left = (
            literal("VBRecipHead", "Nơi nhận:")
            + tag("{%p for line in recipients %}")
            + value("VBRecip", "line")
            + tag("{%p endfor %}")
        )
    else:
        left = para("VBRecip")
    right = (
        tag("{%p for line in sig.lines %}")
        + value("VBSigAuth", "line")
        + tag("{%p endfor %}")
        + "".join(para("VBSigSpace") for _ in range(4))
        + tag("{%p if sig.position %}")
        + value("VBSigAuth", "sig.position")
        + tag("{%p endif %}")
        + value("VBSigName", "sig.name")
    )
    cells = cell(left_w, left, top=240) + cell(right_w, right, top=240)
    rows = f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>"
    return table([left_w, right_w], rows)


def sect_pr(*, landscape: bool = False, page_numbers: bool = True) -> str:
    """Section properties: A4, nd30 margins, page numbers from page 2 in the header."""
    if landscape:
        size = f'<w:pgSz w:w="{layout.LAND_W}" w:h="{layout.LAND_H}" w:orient="landscape"/>'
        mar = (
            f'<w:pgMar w:top="{layout.MARGIN_TOP}" w:right="{layout.LAND_MARGIN_RIGHT}" '
            f'w:bottom="{layout.MARGIN_BOTTOM}" w:left="{layout.LAND_MARGIN_LEFT}" '
            'w:header="567" w:footer="567" w:gutter="0"/>'
        )
    else:
        size = f'<w:pgSz w:w="{layout.PAGE_W}" w:h="{layout.PAGE_H}"/>'
        mar = (
            f'<w:pgMar w:top="{layout.MARGIN_TOP}" w:right="{layout.MARGIN_RIGHT}" '
            f'w:bottom="{layout.MARGIN_BOTTOM}" w:left="{layout.MARGIN_LEFT}" '
            'w:header="567" w:footer="567" w:gutter="0"/>'
        )
    refs = (
        '<w:headerReference w:type="default" r:id="rIdHdrDefault"/>'
        '<w:headerReference w:type="first" r:id="rIdHdrFirst"/>'
        if page_numbers
        else ""
    )
    return f"<w:sectPr>{refs}{size}{mar}{'<w:titlePg/>' if page_numbers else ''}</w:sectPr>"


def document(body: str, *, landscape: bool = False, page_numbers: bool = True) -> str:
    """The whole document.xml of a template."""
    from templates_docx._ooxml import DECL, NS

    return (
        f"{DECL}<w:document {NS}><w:body>{body}"
        f"{sect_pr(landscape=landscape, page_numbers=page_numbers)}</w:body></w:document>"
    )
