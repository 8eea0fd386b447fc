"""The header of rendered documents, read from the .docx: boxed marks and the rules' lengths."""

from __future__ import annotations

import copy
import io
import zipfile
from typing import Any

import pytest
from lxml import etree

from config.settings import ROOT
from service import documents, templates, vn
from service.agencies import AgencyDirectory
from service.conformance import check_docx
from tests.docx_utils import NS, W, part

TEMPLATE_IDS = [spec.id for spec in templates.all_templates()]
MARKS = {"secrecy": "Tối mật", "urgency": "Hỏa tốc"}
SIDES = ("top", "left", "bottom", "right")


@pytest.fixture(scope="module")
def agencies() -> AgencyDirectory:
    return AgencyDirectory.from_file(ROOT / "config" / "agencies.yaml")


def render(agencies: AgencyDirectory, template_id: str, **changes: Any) -> bytes:
    data = copy.deepcopy(templates.get(template_id).example())
    if "agency" in changes:
        data.pop("signer", None)  # the agency's own signer
    data.update(changes)
    return documents.render(template_id, data, agencies, number=12).content


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


class Styles:
    """Effective properties read from styles.xml the way Word applies them (style chains)."""

    def __init__(self, content: bytes) -> None:
        root = part(content, "word/styles.xml")
        self.by_id = {s.get(_w("styleId")): s for s in root.iter(_w("style"))}

    def chain(self, style_id: str | None) -> list[etree._Element]:
        out = []
        while style_id in self.by_id:
            style = self.by_id[style_id]
            out.insert(0, style)
            based = style.find("w:basedOn", NS)
            style_id = based.get(_w("val")) if based is not None else None
        return out

    def para_borders(self, p: etree._Element) -> set[str]:
        """The sides of p that carry a visible paragraph border."""
        style = p.find("w:pPr/w:pStyle", NS)
        levels = [s.find("w:pPr", NS) for s in self.chain(style.get(_w("val")))]
        levels.append(p.find("w:pPr", NS))
        sides: dict[str, bool] = {}
        for ppr in levels:
            bdr = ppr.find("w:pBdr", NS) if ppr is not None else None
            for el in bdr if bdr is not None else []:
                sides[etree.QName(el).localname] = el.get(_w("val")) not in ("nil", "none")
        return {side for side, on in sides.items() if on}

    def run_prop(self, p: etree._Element, r: etree._Element, name: str) -> etree._Element | None:
        """The effective run property ``name`` (e.g. "bdr", "b") of run r in paragraph p."""
        style = p.find("w:pPr/w:pStyle", NS)
        levels = [s.find("w:rPr", NS) for s in self.chain(style.get(_w("val")))]
        rstyle = r.find("w:rPr/w:rStyle", NS)
        if rstyle is not None:
            levels += [s.find("w:rPr", NS) for s in self.chain(rstyle.get(_w("val")))]
        levels.append(r.find("w:rPr", NS))
        found = None
        for rpr in levels:
            el = rpr.find(f"w:{name}", NS) if rpr is not None else None
            if el is not None:
                found = el
        return found


def _text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(_w("t")))


def mark_paragraphs(content: bytes) -> list[etree._Element]:
    """The paragraphs of the header table's left cell that hold a secrecy or urgency mark."""
    root = part(content, "word/document.xml")
    words = {vn.upper(m) for m in MARKS.values()}
    return [p for p in root.iter(_w("p")) if _text(p).strip() in words]


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_each_mark_has_its_own_box_around_its_text(
    agencies: AgencyDirectory, template_id: str
) -> None:
    content = render(agencies, template_id, **MARKS)
    styles = Styles(content)
    marks = mark_paragraphs(content)
    assert [_text(p) for p in marks] == ["TỐI MẬT", "HỎA TỐC"]
    for p in marks:
        # No paragraph border: that one spans the column and merges with the next mark's.
        assert styles.para_borders(p) == set(), _text(p)
        runs = [r for r in p.iter(_w("r")) if _text(r).strip()]
        assert runs, _text(p)
        for r in runs:
            # A run border draws four sides around the run's text only.
            bdr = styles.run_prop(p, r, "bdr")
            assert bdr is not None and bdr.get(_w("val")) == "single", _text(p)
            assert int(bdr.get(_w("sz"))) >= 4
            bold = styles.run_prop(p, r, "b")
            assert bold is not None and bold.get(_w("val")) in (None, "1", "true", "on")
            size = styles.run_prop(p, r, "sz")
            assert size is not None and size.get(_w("val")) == "26"  # 13 pt
        jc = styles.chain(p.find("w:pPr/w:pStyle", NS).get(_w("val")))[-1].find("w:pPr/w:jc", NS)
        assert jc is not None and jc.get(_w("val")) == "center"
    # The two marks are separate paragraphs of the same cell, one after the other.
    assert marks[0].getnext() is marks[1]


def test_document_without_marks_has_no_boxed_text(agencies: AgencyDirectory) -> None:
    content = render(agencies, "ke-hoach")
    styles = Styles(content)
    root = part(content, "word/document.xml")
    for p in root.iter(_w("p")):
        assert styles.para_borders(p) != set(SIDES), _text(p)
        for r in p.iter(_w("r")):
            if _text(r).strip():
                assert styles.run_prop(p, r, "bdr") is None, _text(r)


def _replace_part(content: bytes, name: str, xml: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, xml if item.filename == name else src.read(item.filename))
    return out.getvalue()


def old_paragraph_boxes(content: bytes) -> bytes:
    """The document as the old template made it: the VBMark paragraph style drew the box."""
    root = part(content, "word/styles.xml")
    for style in root.iter(_w("style")):
        rpr = style.find("w:rPr", NS)
        bdr = rpr.find("w:bdr", NS) if rpr is not None else None
        if bdr is not None:
            rpr.remove(bdr)
        if style.get(_w("styleId")) == "VBMark":
            ppr = style.find("w:pPr", NS)
            edge = 'w:val="single" w:sz="8" w:space="1" w:color="000000"'
            box = etree.fromstring(
                f'<w:pBdr xmlns:w="{W}"><w:top {edge}/><w:left {edge}/>'
                f"<w:bottom {edge}/><w:right {edge}/></w:pBdr>"
            )
            ppr.insert(0, box)
    return _replace_part(content, "word/styles.xml", etree.tostring(root))


def test_checker_rejects_marks_sharing_one_paragraph_box(agencies: AgencyDirectory) -> None:
    content = render(agencies, "ke-hoach", **MARKS)
    assert check_docx(content).ok
    old = old_paragraph_boxes(content)
    styles = Styles(old)
    assert all(styles.para_borders(p) == set(SIDES) for p in mark_paragraphs(old))
    report = check_docx(old)
    assert report.ok is False
    assert [(f.rule, f.severity, f.found) for f in report.findings] == [
        ("urgency.box", "error", "chung một khung với đoạn liền kề")
    ]


def test_checker_warns_of_one_paragraph_box_across_the_column(agencies: AgencyDirectory) -> None:
    content = old_paragraph_boxes(render(agencies, "ke-hoach", urgency="Hỏa tốc"))
    report = check_docx(content)
    assert [(f.rule, f.severity, f.expected) for f in report.findings] == [
        ("urgency.box", "warning", "khung bao quanh chữ")
    ]


# --- the rules under the issuing body, the Tiêu ngữ and the subject -----------------------------


def _twips(el: etree._Element | None, name: str) -> int:
    value = el.get(_w(name)) if el is not None else None
    return int(value) if value is not None else 0


def _rule_pt(rule: etree._Element, avail: int) -> float:
    """The length in points of a VBRule paragraph's bottom border in a space ``avail`` twips."""
    assert rule.find("w:pPr/w:pStyle", NS).get(_w("val")) == "VBRule"
    assert rule.find("w:pPr/w:pBdr/w:bottom", NS).get(_w("val")) == "single"
    ind = rule.find("w:pPr/w:ind", NS)
    return (avail - _twips(ind, "left") - _twips(ind, "right")) / 20


def _cell_margins(content: bytes) -> int:
    mar = part(content, "word/styles.xml").find(
        ".//w:style[@w:styleId='TableNormal']//w:tblCellMar", NS
    )
    return _twips(mar.find("w:left", NS), "w") + _twips(mar.find("w:right", NS), "w")


def header_rules(content: bytes) -> dict[str, Any]:
    """The issuing body's lines and rule, the Tiêu ngữ rule, the subject and its rule."""
    root = part(content, "word/document.xml")
    body = root.find("w:body", NS)
    header = body.find("w:tbl", NS)
    margins = _cell_margins(content)
    left, right = header.findall("w:tr", NS)[0].findall("w:tc", NS)

    def cell(tc: etree._Element) -> tuple[list[etree._Element], int]:
        assert tc.find("w:tcPr/w:tcMar/w:left", NS) is None
        return tc.findall("w:p", NS), _twips(tc.find("w:tcPr/w:tcW", NS), "w") - margins

    def style(p: etree._Element) -> str:
        el = p.find("w:pPr/w:pStyle", NS)
        return el.get(_w("val")) if el is not None else ""

    left_paras, left_avail = cell(left)
    right_paras, right_avail = cell(right)
    sect = body.find("w:sectPr", NS)
    page = _twips(sect.find("w:pgSz", NS), "w")
    mar = sect.find("w:pgMar", NS)
    text_w = page - _twips(mar, "left") - _twips(mar, "right")
    top = body.findall("w:p", NS)
    subject = next(  # a certificate has no subject line
        (
            i
            for i, p in enumerate(top[:-1])
            if style(p) == "VBSubject" and style(top[i + 1]) == "VBRule"
        ),
        None,
    )
    return {
        "body": [_text(p) for p in left_paras if style(p) == "VBHdrBody"],
        "body_avail": left_avail,
        "body_rule": _rule_pt(next(p for p in left_paras if style(p) == "VBRule"), left_avail),
        "motto_rule": _rule_pt(next(p for p in right_paras if style(p) == "VBRule"), right_avail),
        "subject": None if subject is None else _text(top[subject]),
        "subject_rule": None if subject is None else _rule_pt(top[subject + 1], text_w),
    }


def _widest(lines: list[str], size: float) -> float:
    return max(vn.text_width_pt(line, size, bold=True) for line in lines)


# The issuing body's lines: one paragraph each, broken before the unit when the name
# does not fit its cell (layout.name_lines), so no line wraps in the word processor.
ISSUERS = [
    ("ke-hoach", "bcd138-bimson", ["BAN CHỈ ĐẠO 138"]),
    ("ke-hoach", "ubnd-bac-son", ["ỦY BAN NHÂN DÂN", "PHƯỜNG BẮC SƠN"]),
    # Not "ỦY BAN NHÂN DÂN THỊ" / "XÃ BỈM SƠN", as a word processor wraps it.
    ("quyet-dinh-cong-nhan", "ubnd-bimson", ["ỦY BAN NHÂN DÂN", "THỊ XÃ BỈM SƠN"]),
    ("bao-cao", "ubnd-bac-son", ["ỦY BAN NHÂN DÂN", "PHƯỜNG BẮC SƠN"]),
    # Landscape: a wider left column, the same name on one line.
    ("giay-cong-nhan", "ubnd-bac-son", ["ỦY BAN NHÂN DÂN PHƯỜNG BẮC SƠN"]),
]


@pytest.mark.parametrize(("template_id", "agency", "lines"), ISSUERS)
def test_issuing_body_rule_is_a_third_to_a_half_of_its_widest_line(
    agencies: AgencyDirectory, template_id: str, agency: str, lines: list[str]
) -> None:
    found = header_rules(render(agencies, template_id, agency=agency))
    assert found["body"] == lines
    avail = found["body_avail"] / 20
    assert all(vn.text_width_pt(line, 13, bold=True) <= avail for line in lines)
    widest = _widest(lines, 13)
    assert 1 / 3 <= found["body_rule"] / widest <= 1 / 2
    assert found["body_rule"] / widest == pytest.approx(0.4, abs=0.005)


def test_tieu_ngu_rule_is_as_long_as_its_text(agencies: AgencyDirectory) -> None:
    found = header_rules(render(agencies, "ke-hoach", agency="ubnd-bac-son"))
    assert found["motto_rule"] == pytest.approx(
        _widest(["Độc lập - Tự do - Hạnh phúc"], 13), abs=0.1
    )


SUBJECT_LINES = [
    "Tổng kết 10 năm thực hiện Đề án 375 và Chỉ thị số 10 của UBND tỉnh về đẩy",
    "mạnh phong trào toàn dân bảo vệ ANTQ, xây dựng khu dân cư an toàn về",
    "ANTT (giai đoạn 2008 - 2018)",
]


@pytest.mark.parametrize(
    "wrapped", [SUBJECT_LINES, ["Tổng kết 10 năm thực hiện Đề án 375"]], ids=["3 lines", "1 line"]
)
def test_subject_rule_is_a_third_to_a_half_of_its_widest_line(
    agencies: AgencyDirectory, wrapped: list[str]
) -> None:
    found = header_rules(render(agencies, "ke-hoach", summary=" ".join(wrapped)))
    assert found["subject"] == " ".join(wrapped)
    widest = _widest(wrapped, 14)
    assert 1 / 3 <= found["subject_rule"] / widest <= 1 / 2
    assert found["subject_rule"] / widest == pytest.approx(0.4, abs=0.005)


def old_issuer_rule(content: bytes) -> bytes:
    """The document as the old code sized the issuer's rule: 0.4 × min(unwrapped width, cell)."""
    found = header_rules(content)
    avail = found["body_avail"]
    width = min(vn.text_width_pt(" ".join(found["body"]), 13, bold=True), avail / 20)
    side = (avail - round(width * 0.4 * 20)) // 2
    root = part(content, "word/document.xml")
    cell = root.find("w:body/w:tbl/w:tr/w:tc", NS)
    rule = next(p for p in cell.findall("w:p", NS) if p.find("w:pPr/w:pBdr", NS) is not None)
    ind = rule.find("w:pPr/w:ind", NS)
    ind.set(_w("left"), str(side))
    ind.set(_w("right"), str(side))
    return _replace_part(content, "word/document.xml", etree.tostring(root))


def test_checker_rejects_issuer_rule_sized_by_the_cell(agencies: AgencyDirectory) -> None:
    content = render(agencies, "ke-hoach", agency="ubnd-bac-son")
    assert check_docx(content).findings == []
    old = old_issuer_rule(content)
    widest = _widest(["ỦY BAN NHÂN DÂN"], 13)
    assert header_rules(old)["body_rule"] / widest == pytest.approx(0.52, abs=0.005)
    report = check_docx(old)
    assert report.ok is False
    assert [(f.rule, f.severity, f.found) for f in report.findings] == [
        ("issuer.line", "error", "64 pt = 0.52 × 122 pt")
    ]
