"""Build small .docx documents for the conformance tests, the way vanban's templates do."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from service.vn import text_width_pt

TNR = "Times New Roman"
CELL_MARGIN = 108  # twips, python-docx's "Normal Table" cell margin

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
DECISION_SUBJECT = (
    "Về việc công nhận khu dân cư, cơ quan, doanh nghiệp, nhà trường đạt tiêu chuẩn "
    "“An toàn về an ninh, trật tự” năm 2021"
)
LEGAL_BASES = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
    "Căn cứ Thông tư số 124/2021/TT-BCA ngày 28 tháng 12 năm 2021 của Bộ trưởng Bộ Công an;",
    "Xét đề nghị của Trưởng Công an phường Bắc Sơn.",
]


def set_fonts(element, font: str = TNR) -> None:
    """Set ascii/hAnsi/cs/eastAsia fonts on a run or style rPr holder."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), font)


def border(paragraph: Paragraph, sides: Iterable[str] = ("bottom",)) -> None:
    """Give a paragraph a single-line border on the given sides."""
    ppr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    for side in sides:
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "6")
        el.set(qn("w:space"), "1")
        el.set(qn("w:color"), "auto")
        bdr.append(el)
    ppr.append(bdr)


def add_text(
    container,
    text: str,
    size: float = 14,
    *,
    bold: bool = False,
    italic: bool = False,
    align: str = "center",
    body: bool = False,
) -> Paragraph:
    """Add a paragraph of one run; body=True gives the body paragraph format."""
    para = container.add_paragraph()
    para.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "both": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
    }[align]
    fmt = para.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(6), Pt(0), 1.2
    if body:
        fmt.first_line_indent = Twips(567)
    if text:
        run = para.add_run(text)
        run.font.size, run.bold, run.italic = Pt(size), bold, italic
    return para


def add_line(container, length_pt: float, avail_tw: int) -> Paragraph:
    """Add an empty paragraph whose bottom border is length_pt long, centred in avail_tw."""
    para = add_text(container, "")
    fmt = para.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    side = max(round((avail_tw - length_pt * 20) / 2), 0)
    fmt.left_indent = fmt.right_indent = Twips(side)
    border(para)
    return para


def _clear(cell: _Cell) -> _Cell:
    for p in list(cell.paragraphs):
        p._p.getparent().remove(p._p)
    return cell


def two_column_table(doc: DocxDocument, widths_tw: tuple[int, int], rows: int):
    """Add a borderless fixed-width table of two columns."""
    table = doc.add_table(rows=rows, cols=2)
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_tw, strict=True):
            cell.width = Twips(width)
            _clear(cell)
    for col, width in zip(table.columns, widths_tw, strict=True):
        col.width = Twips(width)
    return table


def _setup(doc: DocxDocument, landscape: bool) -> None:
    normal = doc.styles["Normal"]
    set_fonts(normal.element)
    normal.font.size = Pt(14)
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    run = header.add_run("2")
    run.font.size = Pt(13)
    header._p.append(field)
    field.append(run._r)


def header_table(
    doc: DocxDocument, parent: str | None, issuer: list[str], number: str, date_line: str
) -> None:
    """Add the header table: issuing body | Quốc hiệu, Tiêu ngữ; number | date."""
    widths = (3402, 5670)
    table = two_column_table(doc, widths, rows=2)
    left, right = table.rows[0].cells
    if parent:
        add_text(left, parent, 13)
    for line in issuer:
        add_text(left, line, 13, bold=True)
    issuer_width = max(text_width_pt(line, 13, bold=True) for line in issuer)
    add_line(left, issuer_width * 0.4, widths[0] - 2 * CELL_MARGIN)
    add_text(right, QUOC_HIEU, 12, bold=True)
    add_text(right, TIEU_NGU, 13, bold=True)
    add_line(right, text_width_pt(TIEU_NGU, 13, bold=True), widths[1] - 2 * CELL_MARGIN)
    left, right = table.rows[1].cells
    add_text(left, number, 13)
    add_text(right, date_line, 14, italic=True)


def title(doc: DocxDocument, type_name: str, subject: str) -> None:
    """Add the type name, the subject and the line under it."""
    add_text(doc, type_name, 14, bold=True)
    add_text(doc, subject, 14, bold=True)
    avail = 11906 - 1701 - 850
    longest = min(text_width_pt(subject, 14, bold=True), avail / 20)
    add_line(doc, longest * 0.4, avail)


def signature_table(
    doc: DocxDocument, recipients: list[str] | None, authority: list[str], name: str
) -> None:
    """Add the signature table: Nơi nhận | authority, blank lines, name."""
    table = two_column_table(doc, (4253, 4819), rows=1)
    left, right = table.rows[0].cells
    if recipients is not None:
        add_text(left, "Nơi nhận:", 12, bold=True, italic=True, align="left")
        for line in recipients:
            add_text(left, line, 11, align="left")
    for line in authority:
        add_text(right, line, 14, bold=True)
    for _ in range(4):
        add_text(right, "")
    add_text(right, name, 14, bold=True)


def article(doc: DocxDocument, label: str, text: str) -> Paragraph:
    """Add an article paragraph with a bold label."""
    para = add_text(doc, "", body=True, align="both")
    for part, bold in ((label, True), (" " + text, False)):
        run = para.add_run(part)
        run.font.size, run.bold = Pt(14), bold
    return para


def decision() -> DocxDocument:
    """A conforming Quyết định of a ward People's Committee."""
    doc = Document()
    _setup(doc, landscape=False)
    issuer = ["ỦY BAN NHÂN DÂN", "PHƯỜNG BẮC SƠN"]
    date = "Bắc Sơn, ngày 05 tháng 02 năm 2021"
    header_table(doc, "UBND THỊ XÃ BỈM SƠN", issuer, "Số: 15/QĐ-UBND", date)
    title(doc, "QUYẾT ĐỊNH", DECISION_SUBJECT)
    # Signed TM. ỦY BAN NHÂN DÂN: the committee's power, so the line names the body.
    add_text(doc, "ỦY BAN NHÂN DÂN PHƯỜNG BẮC SƠN", 14, bold=True)
    for line in LEGAL_BASES:
        add_text(doc, line, italic=True, align="both", body=True)
    add_text(doc, "QUYẾT ĐỊNH:", 14, bold=True)
    article(doc, "Điều 1.", "Công nhận 03 khu dân cư đạt tiêu chuẩn “An toàn về an ninh, trật tự”:")
    for point in ("a) Khu phố 1;", "b) Khu phố 2;", "c) Khu phố Nam Sơn."):
        add_text(doc, point, align="both", body=True)
    article(doc, "Điều 2.", "Quyết định này có hiệu lực kể từ ngày ký.")
    article(
        doc,
        "Điều 3.",
        "Văn phòng HĐND và UBND, Công an phường và các khu phố có tên tại Điều 1 "
        "chịu trách nhiệm thi hành Quyết định này./.",
    )
    recipients = ["- Như Điều 3;", "- Công an thị xã (để b/c);", "- Lưu: VT, CA."]
    signature_table(doc, recipients, ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "Nguyễn Văn An")
    return doc


def plan() -> DocxDocument:
    """A conforming Kế hoạch of a steering committee, with parts, clauses and points."""
    doc = Document()
    _setup(doc, landscape=False)
    date = "Bỉm Sơn, ngày 26 tháng 3 năm 2018"
    header_table(doc, "UBND THỊ XÃ BỈM SƠN", ["BAN CHỈ ĐẠO 138"], "Số: 532/KH-BCĐ", date)
    title(doc, "KẾ HOẠCH", "Tổng kết 10 năm thực hiện Đề án 375")
    for text, bold in (
        ("I. MỤC ĐÍCH, YÊU CẦU", True),
        ("1. Mục đích", True),
        ("a) Đánh giá kết quả 10 năm thực hiện Đề án;", False),
        ("b) Biểu dương tập thể, cá nhân có thành tích.", False),
        ("2. Yêu cầu", True),
        ("Tổng kết nghiêm túc, thiết thực, tiết kiệm.", False),
        ("II. NỘI DUNG", True),
        ("1. Thời gian, địa điểm", True),
        ("1.1. Thời gian: tháng 7 năm 2018.", False),
        ("III. TỔ CHỨC THỰC HIỆN", True),
        ("Giao Công an thị xã chủ trì, phối hợp các ngành thực hiện Kế hoạch này./.", False),
    ):
        add_text(doc, text, bold=bold, align="both", body=True)
    recipients = ["- Ban chỉ đạo 138 tỉnh (báo cáo);", "- Lưu: VT, CA thị xã."]
    authority = ["TM. BAN CHỈ ĐẠO 138 THỊ XÃ", "TRƯỞNG BAN"]
    signature_table(doc, recipients, authority, "Mai Đình Lâm")
    return doc


def certificate() -> DocxDocument:
    """A conforming Giấy công nhận (landscape)."""
    doc = Document()
    _setup(doc, landscape=True)
    date = "Bắc Sơn, ngày 05 tháng 02 năm 2021"
    header_table(
        doc, "UBND THỊ XÃ BỈM SƠN", ["ỦY BAN NHÂN DÂN", "PHƯỜNG BẮC SƠN"], "Số: 12/GCN-UBND", date
    )
    add_text(doc, "GIẤY CÔNG NHẬN", 24, bold=True)
    add_text(doc, "Khu dân cư đạt tiêu chuẩn “An toàn về an ninh, trật tự” năm 2021", 18)
    add_text(doc, "KHU PHỐ NAM SƠN", 20, bold=True)
    add_text(doc, "(Theo Quyết định số 15/QĐ-UBND ngày 05/02/2021 của Chủ tịch UBND phường)", 14)
    signature_table(doc, None, ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "Nguyễn Văn An")
    return doc


def to_bytes(doc: DocxDocument) -> bytes:
    """Save a python-docx Document to bytes."""
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def find_paragraph(doc: DocxDocument, start: str) -> Paragraph:
    """Return the paragraph (tables included) whose text is start, else the first starting so."""
    paras = list(_all_paragraphs(doc))
    for para in paras:
        if para.text == start:
            return para
    for para in paras:
        if para.text.startswith(start):
            return para
    raise LookupError(start)


def _all_paragraphs(doc: DocxDocument):
    yield from doc.paragraphs
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def set_text(para: Paragraph, text: str) -> None:
    """Replace the text of a paragraph, keeping the first run's formatting."""
    runs = para.runs
    runs[0].text = text
    for run in runs[1:]:
        run._r.getparent().remove(run._r)


def next_paragraph(para: Paragraph) -> Paragraph:
    """Return the paragraph right after para in its container."""
    return Paragraph(para._p.getnext(), para._parent)


def edit_part(data: bytes, part: str, change: Callable[[str], str]) -> bytes:
    """Rewrite one part of a .docx package with change(text); the change must change it."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in src.namelist():
            content = src.read(name)
            if name == part:
                text = content.decode()
                content = change(text).encode()
                assert content != text.encode(), f"the change left {part} as it was"
            zf.writestr(name, content)
    return out.getvalue()


def flag_entries(data: bytes, *, flag: int = 0, method: int | None = None) -> bytes:
    """Set general-purpose flag bits, or the compression method, on every zip entry."""
    out = bytearray(data)
    for sig, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        for m in re.finditer(re.escape(sig), data):
            out[m.start() + flag_at] |= flag
            if method is not None:
                out[m.start() + method_at : m.start() + method_at + 2] = method.to_bytes(
                    2, "little"
                )
    return bytes(out)


def zip_of(files: dict[str, bytes | str]) -> bytes:
    """A ZIP holding ``files`` (name -> content): a package, or what passes for one."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()
