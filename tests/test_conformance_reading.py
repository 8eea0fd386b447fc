"""Conformance checker: reading packages, effective properties, accepted variants."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, Twips
from docx.text.paragraph import Paragraph

from service.conformance import NotADocx, check_docx
from service.vn import text_width_pt
from tests import conformance_docs as cd


def rules(data: bytes, **kwargs: str) -> set[str]:
    return {f.rule for f in check_docx(data, **kwargs).findings}


_zip = cd.zip_of


@pytest.mark.parametrize(
    "data",
    [
        b"not a zip at all",
        b"",
        _zip({"hello.txt": b"hi"}),
        _zip({"word/document.xml": b"<w:document xmlns:w='x'><unclosed"}),
        _zip({"word/document.xml": b"<?xml version='1.0'?><root/>"}),
    ],
    ids=["garbage", "empty", "no document.xml", "broken xml", "not wordprocessingml"],
)
def test_unreadable_bytes_raise_not_a_docx(data: bytes) -> None:
    with pytest.raises(NotADocx) as info:
        check_docx(data)
    assert str(info.value) == "Tệp không phải .docx hợp lệ"
    assert isinstance(info.value, ValueError)
    assert info.value.detail


def test_broken_header_part_raises_not_a_docx() -> None:
    data = cd.to_bytes(cd.decision())
    src = zipfile.ZipFile(io.BytesIO(data))
    files = {name: src.read(name) for name in src.namelist()}
    header = next(name for name in files if name.startswith("word/header"))
    files[header] = b"<w:hdr"
    with pytest.raises(NotADocx):
        check_docx(_zip(files))


def test_draft_number_and_date_are_accepted() -> None:
    doc = cd.decision()
    cd.set_text(cd.find_paragraph(doc, "Số:"), "Số:      /QĐ-UBND")
    cd.set_text(cd.find_paragraph(doc, "Bắc Sơn"), "Bắc Sơn, ngày      tháng      năm 2024")
    assert check_docx(cd.to_bytes(doc)).findings == []


def test_complex_page_field_is_accepted() -> None:
    doc = cd.decision()
    header = doc.sections[0].header.paragraphs[0]._p
    header.remove(header.find(qn("w:fldSimple")))
    for xml in (
        '<w:fldChar w:fldCharType="begin"/>',
        '<w:instrText xml:space="preserve"> PAGE </w:instrText>',
        '<w:fldChar w:fldCharType="separate"/>',
        "<w:t>2</w:t>",
        '<w:fldChar w:fldCharType="end"/>',
    ):
        header.append(
            parse_xml(f'<w:r {nsdecls("w")}><w:rPr><w:sz w:val="28"/></w:rPr>{xml}</w:r>')
        )
    assert check_docx(cd.to_bytes(doc)).findings == []


def test_roman_page_numbers_are_an_error() -> None:
    doc = cd.decision()
    field = doc.sections[0].header.paragraphs[0]._p.find(qn("w:fldSimple"))
    field.set(qn("w:instr"), r" PAGE \* ROMAN ")
    assert rules(cd.to_bytes(doc)) == {"page_number.header"}


def _drop_page_field(doc: DocxDocument) -> None:
    header = doc.sections[0].header.paragraphs[0]._p
    header.remove(header.find(qn("w:fldSimple")))


def test_missing_page_number_is_an_error_on_a_long_document() -> None:
    doc = cd.decision()
    _drop_page_field(doc)
    anchor = cd.find_paragraph(doc, "Điều 2.")
    for _ in range(30):
        anchor._p.addprevious(cd.add_text(doc, "b) Khu phố 2;", align="both", body=True)._p)
    report = check_docx(cd.to_bytes(doc))
    page = [f for f in report.findings if f.rule == "page_number.header"]
    assert [f.severity for f in page] == ["error"]


def test_missing_page_number_on_a_short_document_is_a_warning() -> None:
    doc = cd.decision()
    _drop_page_field(doc)
    report = check_docx(cd.to_bytes(doc))
    assert [(f.rule, f.severity) for f in report.findings] == [("page_number.header", "warning")]
    assert report.ok is True


def test_tieu_ngu_line_as_own_border_or_drawing_is_accepted() -> None:
    doc = cd.decision()
    tieu_ngu = cd.find_paragraph(doc, "Độc lập")
    line = cd.next_paragraph(tieu_ngu)
    fmt = tieu_ngu.paragraph_format
    fmt.left_indent = line.paragraph_format.left_indent
    fmt.right_indent = line.paragraph_format.right_indent
    line._p.getparent().remove(line._p)
    cd.border(tieu_ngu)
    assert check_docx(cd.to_bytes(doc)).findings == []

    doc = cd.decision()
    line = cd.next_paragraph(cd.find_paragraph(doc, "Độc lập"))
    line._p.remove(line._p.find(qn("w:pPr")))
    vml = (
        f'<w:r {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict>'
        '<v:line from="0,0" to="158pt,0" strokeweight=".5pt"/></w:pict></w:r>'
    )
    line._p.append(parse_xml(vml))
    assert check_docx(cd.to_bytes(doc)).findings == []


def test_short_tieu_ngu_line_is_a_warning() -> None:
    doc = cd.decision()
    line = cd.next_paragraph(cd.find_paragraph(doc, "Độc lập"))
    line.paragraph_format.left_indent = line.paragraph_format.right_indent = Mm(40)
    report = check_docx(cd.to_bytes(doc))
    assert [(f.rule, f.severity) for f in report.findings] == [("tieu_ngu.line", "warning")]


BOX = ("top", "left", "bottom", "right")


def _run_box(para) -> None:
    bdr = OxmlElement("w:bdr")
    for key, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "1"), ("w:color", "auto")):
        bdr.set(qn(key), value)
    para.runs[0]._r.get_or_add_rPr().append(bdr)


def test_urgency_boxed_by_a_run_border_is_accepted() -> None:
    doc = cd.decision()
    cell = doc.tables[0].rows[1].cells[0]
    for mark in ("MẬT", "THƯỢNG KHẨN"):
        _run_box(cd.add_text(cell, mark, 13, bold=True))
    assert check_docx(cd.to_bytes(doc)).findings == []


def test_urgency_in_a_paragraph_box_around_the_word_is_accepted() -> None:
    doc = cd.decision()
    cell = doc.tables[0].rows[1].cells[0]
    para = cd.add_text(cell, "THƯỢNG KHẨN", 13, bold=True)
    para.paragraph_format.left_indent = para.paragraph_format.right_indent = Mm(9)
    cd.border(para, BOX)
    assert check_docx(cd.to_bytes(doc)).findings == []


def test_urgency_paragraph_box_across_the_column_is_a_warning() -> None:
    doc = cd.decision()
    cell = doc.tables[0].rows[1].cells[0]
    cd.border(cd.add_text(cell, "THƯỢNG KHẨN", 13, bold=True), BOX)
    report = check_docx(cd.to_bytes(doc))
    assert [(f.rule, f.severity) for f in report.findings] == [("urgency.box", "warning")]
    assert report.ok is True


def test_urgency_marks_sharing_one_paragraph_box_are_an_error() -> None:
    doc = cd.decision()
    cell = doc.tables[0].rows[1].cells[0]
    for mark in ("MẬT", "HỎA TỐC"):
        para = cd.add_text(cell, mark, 13, bold=True)
        para.paragraph_format.left_indent = para.paragraph_format.right_indent = Mm(15)
        cd.border(para, BOX)
    report = check_docx(cd.to_bytes(doc))
    found = [(f.rule, f.severity, f.expected) for f in report.findings]
    assert found == [("urgency.box", "error", "mỗi dấu một khung riêng")]
    assert report.ok is False


def _one_issuer_paragraph(doc: DocxDocument, *, line_break: bool) -> Paragraph:
    """Put the issuing body in one paragraph: wrapping in its cell, or broken by a w:br."""
    first = cd.find_paragraph(doc, "ỦY BAN NHÂN DÂN")
    second = cd.find_paragraph(doc, "PHƯỜNG BẮC SƠN")
    second._p.getparent().remove(second._p)
    if not line_break:
        cd.set_text(first, "ỦY BAN NHÂN DÂN PHƯỜNG BẮC SƠN")
        return first
    first.runs[0].add_break()
    run = first.add_run("PHƯỜNG BẮC SƠN")
    run.font.size, run.bold = Pt(13), True
    return first


@pytest.mark.parametrize("line_break", [False, True], ids=["wrapping", "w:br"])
@pytest.mark.parametrize(
    ("length", "ok"),
    [
        (0.4 * text_width_pt("ỦY BAN NHÂN DÂN", 13, bold=True), True),  # 0.4 × widest line: 49 pt
        (0.4 * (3402 - 2 * cd.CELL_MARGIN) / 20, False),  # 0.4 × the cell (the old way): 64 pt
        (0.3 * text_width_pt("ỦY BAN NHÂN DÂN", 13, bold=True), False),
    ],
    ids=["0.4 of the widest line", "0.4 of the cell", "0.3 of the widest line"],
)
def test_issuer_line_goes_by_the_widest_line_after_wrapping(
    line_break: bool, length: float, ok: bool
) -> None:
    doc = cd.decision()
    issuer = _one_issuer_paragraph(doc, line_break=line_break)
    line = cd.next_paragraph(issuer).paragraph_format
    side = round(((3402 - 2 * cd.CELL_MARGIN) - length * 20) / 2)
    line.left_indent = line.right_indent = Twips(side)
    report = check_docx(cd.to_bytes(doc))
    if ok:
        assert report.findings == []
    else:
        assert [(f.rule, f.severity) for f in report.findings] == [("issuer.line", "error")]
        assert report.ok is False


def test_properties_inherit_through_paragraph_style_chain() -> None:
    doc = cd.decision()
    styles = doc.styles
    base = styles.add_style("VbBase", 1)
    base.base_style = styles["Normal"]  # Normal carries Times New Roman
    base.font.size = Pt(14)
    base.font.italic = True
    child = styles.add_style("VbChild", 1)
    child.base_style = base
    para = cd.find_paragraph(doc, "Căn cứ Luật")
    para.style = child
    para.runs[0].italic = None
    para.runs[0].font.size = None
    assert check_docx(cd.to_bytes(doc)).findings == []
    child.font.italic = False  # the child style switches italic off again
    assert rules(cd.to_bytes(doc)) == {"legal_basis.italic"}


def test_style_without_base_falls_back_to_document_defaults() -> None:
    doc = cd.decision()
    style = doc.styles.add_style("VbLoose", 1)  # not based on Normal: docDefaults theme font
    cd.find_paragraph(doc, "Điều 2.").style = style
    report = check_docx(cd.to_bytes(doc))
    assert [(f.rule, f.found) for f in report.findings] == [("font.family", "Cambria")]


def test_character_style_font_is_resolved() -> None:
    doc = cd.decision()
    style = doc.styles.add_style("VbArial", 2)
    cd.set_fonts(style.element, "Arial")
    cd.find_paragraph(doc, "Điều 2.").runs[1].style = style
    assert rules(cd.to_bytes(doc)) == {"font.family"}


def test_direct_bold_off_overrides_style_bold() -> None:
    doc = cd.decision()
    style = doc.styles.add_style("VbStrong", 1)
    style.base_style = doc.styles["Normal"]
    style.font.bold = True
    para = cd.find_paragraph(doc, "QUYẾT ĐỊNH:")
    para.style = style
    para.runs[0].bold = None
    assert check_docx(cd.to_bytes(doc)).findings == []
    para.runs[0]._r.get_or_add_rPr().append(parse_xml(f'<w:b {nsdecls("w")} w:val="0"/>'))
    assert rules(cd.to_bytes(doc)) == {"decision.heading"}


def test_theme_font_mapping_to_times_new_roman_is_accepted() -> None:
    doc = cd.decision()
    run = cd.find_paragraph(doc, "Điều 2.").runs[1]._r
    fonts = run.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:asciiTheme"), "majorHAnsi")
    fonts.set(qn("w:hAnsiTheme"), "majorHAnsi")
    data = cd.to_bytes(doc)
    src = zipfile.ZipFile(io.BytesIO(data))
    files = {name: src.read(name) for name in src.namelist()}
    theme = files["word/theme/theme1.xml"].decode()
    start = theme.index("<a:majorFont>")
    latin = theme.index("<a:latin", start)
    end = theme.index("/>", latin)
    files["word/theme/theme1.xml"] = (
        theme[:latin] + '<a:latin typeface="Times New Roman"' + theme[end:]
    ).encode()
    assert check_docx(_zip(files)).findings == []
    assert rules(data) == {"font.family"}


def test_caps_property_counts_as_upper_case() -> None:
    doc = cd.decision()
    para = cd.find_paragraph(doc, "PHƯỜNG BẮC SƠN")
    para.runs[0].text = "Phường Bắc Sơn"
    para.runs[0].font.all_caps = True
    assert check_docx(cd.to_bytes(doc)).findings == []


def test_same_breach_on_several_paragraphs_is_one_finding() -> None:
    doc = cd.decision()
    for start in ("a) Khu", "b) Khu", "c) Khu"):
        cd.find_paragraph(doc, start).runs[0].font.size = Pt(12)
    report = check_docx(cd.to_bytes(doc))
    assert len(report.findings) == 1
    finding = report.findings[0]
    assert (finding.rule, finding.expected, finding.found) == ("body.size", "13–14 pt", "12 pt")
    assert finding.where.startswith("paragraphs ")
    assert len(finding.where.removeprefix("paragraphs ").split(", ")) == 3


def test_warnings_alone_keep_the_document_ok() -> None:
    doc = cd.decision()
    cd.find_paragraph(doc, "b) Khu").paragraph_format.line_spacing = 2.0
    report = check_docx(cd.to_bytes(doc))
    assert [(f.rule, f.severity) for f in report.findings] == [("body.line_spacing", "warning")]
    assert report.ok is True


def test_figure_table_in_body_is_exempt_from_body_rules_but_not_fonts() -> None:
    doc = cd.decision()
    table = doc.add_table(rows=1, cols=2)
    for cell, text in zip(table.rows[0].cells, ("Khu phố", "Số hộ"), strict=True):
        cell.paragraphs[0].add_run(text).font.size = Pt(11)
    cd.find_paragraph(doc, "Điều 2.")._p.addprevious(table._tbl)
    assert check_docx(cd.to_bytes(doc)).findings == []
    cd.set_fonts(table.rows[0].cells[0].paragraphs[0].runs[0]._r, "Arial")
    report = check_docx(cd.to_bytes(doc))
    assert [(f.rule, f.where) for f in report.findings] == [
        ("font.family", "table 2, row 1, cell 1")
    ]


def test_landscape_section_for_a_wide_table_is_accepted() -> None:
    doc = cd.plan()
    anchor = cd.find_paragraph(doc, "III.")
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    # Move the new section break before part III and put a table into the landscape section.
    table = doc.add_table(rows=1, cols=3)
    for cell in table.rows[0].cells:
        cell.paragraphs[0].add_run("1.062").font.size = Pt(12)
    break_para = OxmlElement("w:p")
    ppr = OxmlElement("w:pPr")
    ppr.append(parse_xml(doc.sections[0]._sectPr.xml))
    break_para.append(ppr)
    anchor._p.addprevious(break_para)
    report = check_docx(cd.to_bytes(doc))
    assert not any(f.rule == "page.size" for f in report.findings), report.findings


def test_cong_van_with_vv_line_needs_no_type_name() -> None:
    doc = cd.plan()
    for start in ("KẾ HOẠCH", "Tổng kết 10 năm"):
        para = cd.find_paragraph(doc, start)
        if start != "KẾ HOẠCH":
            line = cd.next_paragraph(para)._p
            line.getparent().remove(line)
        para._p.getparent().remove(para._p)
    cd.set_text(cd.find_paragraph(doc, "Số:"), "Số: 05/BCĐ-CA")
    cd.add_text(doc.tables[0].rows[1].cells[0], "V/v tổng kết Đề án 375", 12)
    assert check_docx(cd.to_bytes(doc)).findings == []
