"""Conformance checker: conforming documents pass, each breach gives its own rule id."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Inches, Mm, Pt, RGBColor, Twips

from service.conformance import Finding, Report, check_docx
from service.vn import text_width_pt
from tests import conformance_docs as cd


def rules(report: Report) -> set[str]:
    return {f.rule for f in report.findings}


@pytest.mark.parametrize("build", [cd.decision, cd.plan], ids=["decision", "plan"])
def test_conforming_nd30_documents_have_no_findings(build: Callable[[], DocxDocument]) -> None:
    report = check_docx(cd.to_bytes(build()))
    assert report.findings == []
    assert report.ok is True
    assert report.profile == "nd30"


def test_conforming_certificate_is_detected_and_passes() -> None:
    report = check_docx(cd.to_bytes(cd.certificate()))
    assert report.profile == "certificate"
    assert report.findings == []
    assert report.ok is True


def test_certificate_checked_as_nd30_text_document_fails() -> None:
    report = check_docx(cd.to_bytes(cd.certificate()), profile="nd30")
    assert report.profile == "nd30"
    assert report.ok is False
    assert "page.size" in rules(report)
    assert "title.type" in rules(report)


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="Hồ sơ kiểm tra không hợp lệ"):
        check_docx(cd.to_bytes(cd.decision()), profile="letter")


def test_report_to_dict_shape() -> None:
    doc = cd.decision()
    doc.sections[0].left_margin = Mm(25)
    report = check_docx(cd.to_bytes(doc))
    assert report.to_dict() == {
        "ok": False,
        "profile": "nd30",
        "findings": [
            {
                "rule": "margin.left",
                "severity": "error",
                "expected": "30–35 mm",
                "found": "25 mm",
                "where": "section 1",
            }
        ],
    }
    assert report.findings == [Finding("margin.left", "error", "30–35 mm", "25 mm", "section 1")]


# --- breaches of a conforming decision: each gives exactly its rule id ---------------------------


def _para(doc: DocxDocument, start: str):
    return cd.find_paragraph(doc, start)


def _retext(start: str, text: str) -> Callable[[DocxDocument], None]:
    return lambda doc: cd.set_text(_para(doc, start), text)


def _run_attr(start: str, **attrs: object) -> Callable[[DocxDocument], None]:
    def mutate(doc: DocxDocument) -> None:
        for run in _para(doc, start).runs:
            for key, value in attrs.items():
                if key == "font":
                    cd.set_fonts(run._r, str(value))
                elif key == "color":
                    run.font.color.rgb = value  # type: ignore[assignment]
                else:
                    setattr(run.font if key == "size" else run, key, value)

    return mutate


def _remove(start: str) -> Callable[[DocxDocument], None]:
    def mutate(doc: DocxDocument) -> None:
        p = _para(doc, start)._p
        p.getparent().remove(p)

    return mutate


def _remove_line_after(start: str) -> Callable[[DocxDocument], None]:
    def mutate(doc: DocxDocument) -> None:
        line = cd.next_paragraph(_para(doc, start))._p
        line.getparent().remove(line)

    return mutate


def _para_format(start: str, **attrs: object) -> Callable[[DocxDocument], None]:
    def mutate(doc: DocxDocument) -> None:
        para = _para(doc, start)
        for key, value in attrs.items():
            if key == "alignment":
                para.alignment = value  # type: ignore[assignment]
            else:
                setattr(para.paragraph_format, key, value)

    return mutate


def _letter_paper(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)


def _first_page_numbered(doc: DocxDocument) -> None:
    doc.sections[0].different_first_page_header_footer = False


def _no_page_field(doc: DocxDocument) -> None:
    header = doc.sections[0].header.paragraphs[0]._p
    for field in header.findall(qn("w:fldSimple")):
        header.remove(field)


def _page_number_in_footer(doc: DocxDocument) -> None:
    section = doc.sections[0]
    header = section.header.paragraphs[0]._p
    field = header.find(qn("w:fldSimple"))
    header.remove(field)
    section.footer.paragraphs[0]._p.append(field)


def _theme_font(doc: DocxDocument) -> None:
    run = _para(doc, "Điều 2.").runs[1]._r
    fonts = run.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:asciiTheme"), "minorHAnsi")
    fonts.set(qn("w:hAnsiTheme"), "minorHAnsi")


def _unboxed_urgency(doc: DocxDocument) -> None:
    cell = doc.tables[0].rows[1].cells[0]
    cd.add_text(cell, "KHẨN", 13, bold=True)


def _portrait(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)


def _page_number_size(doc: DocxDocument) -> None:
    header = doc.sections[0].header.paragraphs[0]._p
    size = header.find(f"{qn('w:fldSimple')}/{qn('w:r')}/{qn('w:rPr')}/{qn('w:sz')}")
    size.set(qn("w:val"), "22")


ISSUER_CELL = 3402 - 2 * cd.CELL_MARGIN
TEXT_W = 11906 - 1701 - 850
SUBJECT_LINE_1 = "Về việc công nhận khu dân cư, cơ quan, doanh nghiệp, nhà trường đạt tiêu"


def _line_ratio(start: str, ratio: float, widest: str, size: float, avail: int):
    """Make the line under the paragraph ``start`` ratio × the width of the line ``widest``."""

    def mutate(doc: DocxDocument) -> None:
        line = cd.next_paragraph(_para(doc, start)).paragraph_format
        side = round((avail - ratio * text_width_pt(widest, size, bold=True) * 20) / 2)
        line.left_indent = line.right_indent = Twips(side)

    return mutate


def _issuer_line(ratio: float):
    return _line_ratio("PHƯỜNG BẮC SƠN", ratio, "ỦY BAN NHÂN DÂN", 13, ISSUER_CELL)


def _margin(side: str, value: int) -> Callable[[DocxDocument], None]:
    return lambda doc: setattr(doc.sections[0], f"{side}_margin", Mm(value))


def _e(mutate: Callable[[DocxDocument], None], rule: str, name: str):
    return pytest.param(mutate, rule, id=name)


DATE = "Bắc Sơn, ngày"
DECISION_BREACHES = [
    _e(_margin("left", 25), "margin.left", "narrow left margin"),
    _e(_margin("right", 25), "margin.right", "wide right margin"),
    _e(_margin("top", 15), "margin.top", "narrow top margin"),
    _e(_margin("bottom", 30), "margin.bottom", "wide bottom margin"),
    _e(_letter_paper, "page.size", "letter paper"),
    _e(_run_attr("Điều 2.", font="Arial"), "font.family", "Arial run"),
    _e(_theme_font, "font.family", "theme font"),
    _e(_run_attr("Điều 2.", color=RGBColor(0xC0, 0, 0)), "font.color", "red text"),
    _e(_run_attr("Căn cứ Luật", size=Pt(12)), "body.size", "12 pt body"),
    _e(_para_format("a) Khu", alignment=WD_ALIGN_PARAGRAPH.LEFT), "body.justify", "left"),
    _e(_para_format("b) Khu", first_line_indent=Twips(0)), "body.indent", "no indent"),
    _e(_para_format("b) Khu", space_before=Pt(0)), "body.spacing", "no spacing"),
    _e(_para_format("b) Khu", line_spacing=2.0), "body.line_spacing", "double spacing"),
    _e(_retext(DATE, f"{DATE} 05 tháng 03 năm 2021"), "date.format", "tháng 03"),
    _e(_retext(DATE, f"{DATE} 05 tháng 1 năm 2021"), "date.format", "tháng 1"),
    _e(_retext(DATE, f"{DATE} 5 tháng 02 năm 2021"), "date.format", "ngày 5"),
    _e(_retext(DATE, f"{DATE} 30 tháng 02 năm 2021"), "date.format", "30 February"),
    _e(_retext(DATE, "Bắc Sơn, 05/02/2021"), "date.format", "numeric date"),
    _e(_run_attr(DATE, italic=False), "date.italic", "date upright"),
    _e(_run_attr(DATE, size=Pt(12)), "date.size", "date 12 pt"),
    _e(_retext("Số:", "Số: 5/QĐ-UBND"), "number.format", "Số: 5"),
    _e(_retext("Số:", "Số: 1.082/QĐ-UBND"), "number.format", "thousands separator"),
    _e(_retext("Số:", "Số: 15/qđ-ubnd"), "number.format", "lower-case symbol"),
    _e(_retext("Số:", "Số: 15/QĐ - UBND"), "number.format", "spaces in symbol"),
    _e(_run_attr("Số:", bold=True), "number.style", "number bold"),
    _e(_run_attr("Số:", size=Pt(14)), "number.size", "number 14 pt"),
    _e(_retext("Số:", "Số: 15/KH-UBND"), "number.type", "symbol of another type"),
    _e(_run_attr("CỘNG HÒA", bold=False), "quoc_hieu.bold", "Quốc hiệu regular"),
    _e(_run_attr("CỘNG HÒA", size=Pt(14)), "quoc_hieu.size", "Quốc hiệu 14 pt"),
    _e(_retext("CỘNG HÒA", "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"), "quoc_hieu.text", "HOÀ"),
    _e(_retext("Độc lập", "Độc lập – Tự do – Hạnh phúc"), "tieu_ngu.text", "en dashes"),
    _e(_run_attr("Độc lập", size=Pt(12)), "tieu_ngu.size", "Tiêu ngữ 12 pt"),
    _e(_remove_line_after("Độc lập"), "tieu_ngu.line", "missing Tiêu ngữ line"),
    _e(_run_attr("Độc lập", underline=True), "tieu_ngu.line", "Tiêu ngữ underlined"),
    _e(_remove("Độc lập"), "tieu_ngu.text", "missing Tiêu ngữ"),
    _e(_run_attr("PHƯỜNG BẮC SƠN", bold=False), "issuer.bold", "issuer regular"),
    _e(_retext("PHƯỜNG BẮC SƠN", "Phường Bắc Sơn"), "issuer.upper", "issuer lower case"),
    _e(_run_attr("UBND THỊ XÃ", size=Pt(14)), "issuer.size", "parent 14 pt"),
    _e(_remove_line_after("PHƯỜNG BẮC SƠN"), "issuer.line", "missing issuer line"),
    _e(_issuer_line(0.52), "issuer.line", "issuer line 0.52"),
    _e(_issuer_line(0.32), "issuer.line", "issuer line 0.32"),
    # The subject wraps: 0.52 × its first (widest) line is < 1/2 of the text width.
    _e(_line_ratio("Về việc", 0.52, SUBJECT_LINE_1, 14, TEXT_W), "subject.line", "subject line"),
    _e(_unboxed_urgency, "urgency.box", "urgency not boxed"),
    _e(_retext("QUYẾT ĐỊNH", "Quyết định"), "title.type", "type name lower case"),
    _e(_run_attr("QUYẾT ĐỊNH", size=Pt(16)), "title.size", "type name 16 pt"),
    _e(_run_attr("Về việc", bold=False), "subject.bold", "subject regular"),
    _e(_remove_line_after("Về việc"), "subject.line", "missing subject line"),
    _e(_run_attr("ỦY BAN NHÂN DÂN PHƯỜNG", bold=False), "decision.authority", "authority regular"),
    _e(
        _retext("ỦY BAN NHÂN DÂN PHƯỜNG", "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG BẮC SƠN"),
        "decision.authority",
        "head's line over TM.",
    ),
    _e(_retext("Xét đề nghị", "Xét đề nghị của Trưởng Công an;"), "legal_basis.punctuation", ";"),
    _e(_run_attr("Căn cứ Luật", italic=False), "legal_basis.italic", "legal basis upright"),
    _e(_remove("QUYẾT ĐỊNH:"), "decision.heading", "missing QUYẾT ĐỊNH:"),
    _e(_remove("Điều 2."), "article.sequence", "Điều 1 then Điều 3"),
    _e(_retext("Điều 2.", "Điều 2: Quyết định này có hiệu lực."), "article.format", "Điều 2:"),
    _e(_run_attr("Điều 2.", bold=False), "article.label", "article label regular"),
    _e(_retext("c) Khu", "đ) Khu phố Nam Sơn."), "point.sequence", "points a) b) đ)"),
    _e(_retext("Điều 3.", "Điều 3. Các khu phố thi hành Quyết định này."), "end.mark", "no ./."),
    _e(_run_attr("Nơi nhận", italic=False), "recipients.heading", "Nơi nhận upright"),
    _e(_run_attr("Nơi nhận", size=Pt(13)), "recipients.heading", "Nơi nhận 13 pt"),
    _e(_retext("- Công an", "- Công an thị xã (để b/c)"), "recipients.lines", "no ;"),
    _e(_retext("- Lưu", "- Lưu hồ sơ"), "recipients.lines", "last not Lưu: VT"),
    _e(_run_attr("- Công an", size=Pt(12)), "recipients.lines", "recipient 12 pt"),
    _e(_retext("TM. ỦY BAN", "T/M ỦY BAN NHÂN DÂN"), "signature.authority", "T/M"),
    _e(_run_attr("CHỦ TỊCH", bold=False), "signature.authority", "authority title regular"),
    _e(_retext("Nguyễn Văn An", "TS. Nguyễn Văn An"), "signature.name", "academic title"),
    _e(_retext("Nguyễn Văn An", "NGUYỄN VĂN AN"), "signature.name", "name upper case"),
    _e(_run_attr("Nguyễn Văn An", bold=False), "signature.name", "name regular"),
    _e(_first_page_numbered, "page_number.first_page", "page number on page 1"),
    _e(_page_number_in_footer, "page_number.header", "page number in footer"),
    _e(_page_number_size, "page_number.size", "page number 11 pt"),
]


@pytest.mark.parametrize(("mutate", "rule"), DECISION_BREACHES)
def test_decision_breach_gives_its_rule(mutate: Callable[[DocxDocument], None], rule: str) -> None:
    doc = cd.decision()
    mutate(doc)
    report = check_docx(cd.to_bytes(doc))
    assert rules(report) == {rule}, report.findings


PLAN_BREACHES = [
    _e(_retext("III.", "IV. TỔ CHỨC THỰC HIỆN"), "part.sequence", "I, II, IV"),
    _e(_run_attr("II. NỘI DUNG", bold=False), "part.bold", "part heading regular"),
    _e(_retext("II. NỘI DUNG", "II. Nội dung"), "part.upper", "part heading lower case"),
    _e(_retext("2. Yêu cầu", "3. Yêu cầu"), "clause.sequence", "clauses 1, 3"),
    _e(_retext("b) Biểu", "c) Biểu dương tập thể."), "point.sequence", "points a), c)"),
]


@pytest.mark.parametrize(("mutate", "rule"), PLAN_BREACHES)
def test_plan_breach_gives_its_rule(mutate: Callable[[DocxDocument], None], rule: str) -> None:
    doc = cd.plan()
    mutate(doc)
    report = check_docx(cd.to_bytes(doc))
    assert rules(report) == {rule}, report.findings


CERTIFICATE_BREACHES = [
    _e(_portrait, "page.size", "portrait certificate"),
    _e(_run_attr("KHU PHỐ", font="Arial"), "font.family", "Arial run"),
    _e(_retext(DATE, f"{DATE} 05 tháng 03 năm 2021"), "date.format", "tháng 03"),
    _e(_retext("Số:", "Số: 5/GCN-UBND"), "number.format", "Số: 5"),
    _e(_remove_line_after("Độc lập"), "tieu_ngu.line", "missing Tiêu ngữ line"),
    _e(_retext("Nguyễn Văn An", "PGS. Nguyễn Văn An"), "signature.name", "academic title"),
]


@pytest.mark.parametrize(("mutate", "rule"), CERTIFICATE_BREACHES)
def test_certificate_breach_gives_its_rule(
    mutate: Callable[[DocxDocument], None], rule: str
) -> None:
    doc = cd.certificate()
    mutate(doc)
    report = check_docx(cd.to_bytes(doc), profile="certificate")
    assert rules(report) == {rule}, report.findings


def test_certificate_ignores_text_document_rules() -> None:
    doc = cd.certificate()
    doc.sections[0].left_margin = Mm(15)
    doc.sections[0].different_first_page_header_footer = False
    report = check_docx(cd.to_bytes(doc))
    assert report.findings == []


APPENDIX_NOTE = (
    "(Kèm theo Quyết định số 15/QĐ-UBND ngày 05 tháng 02 năm 2021 "
    "của Ủy ban nhân dân phường Bắc Sơn)"
)


def decision_with_appendix(note: str = APPENDIX_NOTE, *, line: bool = True) -> DocxDocument:
    """The conforming decision followed by its list: title, note, rule, table."""
    doc = cd.decision()
    doc.add_page_break()
    cd.add_text(doc, "DANH SÁCH KHU DÂN CƯ ĐẠT TIÊU CHUẨN", bold=True)
    cd.add_text(doc, note, italic=True)
    if line:
        avail = 11906 - 1701 - 850
        cd.add_line(doc, min(text_width_pt(note, 14, italic=True), avail / 20) * 0.4, avail)
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "1", "Khu phố 1"
    return doc


def test_appendix_with_its_issuer_and_rule_conforms() -> None:
    report = check_docx(cd.to_bytes(decision_with_appendix()))
    assert report.findings == []


@pytest.mark.parametrize(
    ("note", "line", "found"),
    [
        ("(Kèm theo Quyết định số 15/QĐ-UBND ngày 05 tháng 02 năm 2021)", True, {"appendix.note"}),
        (APPENDIX_NOTE, False, {"appendix.line"}),
        ("(Kèm theo Quyết định số 15/QĐ-UBND của)", False, {"appendix.note", "appendix.line"}),
    ],
)
def test_appendix_note_without_issuer_or_rule(note: str, line: bool, found: set[str]) -> None:
    report = check_docx(cd.to_bytes(decision_with_appendix(note, line=line)))
    assert rules(report) == found, report.findings
    assert all(f.where.startswith("paragraph ") for f in report.findings)
