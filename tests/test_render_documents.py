"""Rendered documents, opened and read: text, numbering, layout values, hostile input."""

from __future__ import annotations

import copy
import datetime as dt
import io
import unicodedata
import zipfile
from typing import Any

import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.text.paragraph import Paragraph
from lxml import etree

from config.settings import ROOT
from service import documents, layout, templates, vn
from service.agencies import AgencyDirectory
from service.errors import InvalidData, TemplateError
from service.render.engine import Engine, compile_template, make_environment
from templates_docx import build
from tests.docx_utils import NS, W, open_docx, paragraphs, part, styled, text

TEMPLATE_IDS = [spec.id for spec in templates.all_templates()]


@pytest.fixture(scope="module")
def agencies() -> AgencyDirectory:
    return AgencyDirectory.from_file(ROOT / "config" / "agencies.yaml")


def render(agencies: AgencyDirectory, template_id: str, data: dict[str, Any], **kw: Any) -> bytes:
    return documents.render(template_id, data, agencies, **kw).content


def example(template_id: str, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(templates.get(template_id).example())
    data.update(changes)
    return data


def test_five_templates_are_registered() -> None:
    assert TEMPLATE_IDS == [
        "ke-hoach",
        "quyet-dinh-thanh-lap",
        "quyet-dinh-cong-nhan",
        "bao-cao",
        "giay-cong-nhan",
    ]
    codes = {spec.id: spec.doc_type for spec in templates.all_templates()}
    assert codes["bao-cao"] == "BC" and codes["giay-cong-nhan"] == "GCN"


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_committed_template_matches_its_builder(template_id: str) -> None:
    module = templates.get(template_id).module.__name__.rsplit(".", 1)[1]
    fresh = build.package(module)
    with (
        zipfile.ZipFile(io.BytesIO(fresh)) as a,
        zipfile.ZipFile(templates.get(template_id).docx_path) as b,
    ):
        for name in a.namelist():
            assert a.read(name) == b.read(name), f"{template_id}.docx is stale in {name}: rebuild"


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_example_renders_with_header_number_date_and_signature(
    agencies: AgencyDirectory, template_id: str
) -> None:
    spec = templates.get(template_id)
    content = render(agencies, template_id, spec.example(), number=7)
    doc = open_docx(content)  # python-docx opens it
    lines = paragraphs(content)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in lines
    assert "Độc lập - Tự do - Hạnh phúc" in lines
    number_line = next(line for line in lines if line.startswith("Số: "))
    assert number_line.startswith(f"Số: 07/{spec.doc_type}-")
    assert any(", ngày " in line and " tháng " in line for line in lines)
    assert spec.type_name in lines
    # Signature: the signer's name is the last paragraph of the signature cell.
    signer = spec.example().get("signer", {}).get("name")
    assert signer in lines
    section = doc.sections[0]
    if spec.orientation == "portrait":
        assert (section.page_width, section.page_height) == (11906 * 635, 16838 * 635)
    else:
        assert (section.page_width, section.page_height) == (16838 * 635, 11906 * 635)


def test_reference_report_is_reproduced(agencies: AgencyDirectory) -> None:
    content = render(agencies, "bao-cao", templates.get("bao-cao").example(), number=149)
    lines = paragraphs(content)
    body = text(content)
    assert lines[:2] == ["UBND THỊ XÃ BỈM SƠN", "BAN CHỈ ĐẠO 138"]
    assert "Số: 149/BC-BCĐ" in lines
    assert "Bỉm Sơn, ngày 27 tháng 7 năm 2018" in lines
    assert "BÁO CÁO" in lines
    parts = [line for style, line in styled(content) if style == "VBHeading1"]
    assert parts == [
        "I. ĐẶC ĐIỂM TÌNH HÌNH",
        "II. CÔNG TÁC CHỈ ĐẠO VÀ TRIỂN KHAI THỰC HIỆN",
        "III. KẾT QUẢ THỰC HIỆN",
        "IV. ĐÁNH GIÁ QUÁ TRÌNH TRIỂN KHAI VÀ KẾT QUẢ THỰC HIỆN",
        "V. MỘT SỐ BÀI HỌC KINH NGHIỆM VÀ KIẾN NGHỊ, ĐỀ XUẤT",
        "VI. PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM TRONG NHỮNG NĂM TỚI",
    ]
    for heading in (
        "1. Công tác xây dựng và ban hành các văn bản",
        "2.1. Cấp thị xã:",
        "2.3. Cấp khu phố, thôn, xóm:",
        "3.2. Nguyên nhân chủ quan:",
    ):
        assert heading in lines
    for figure in ("15.972 hộ", "63.264 nhân khẩu", "95,38%", "67,01 km²", "12.292 buổi"):
        assert figure in body
    assert "- Với Chính phủ, Bộ Công an:" in lines
    assert any(line.startswith("+ Bộ Công an nghiên cứu") for line in lines)
    assert any(line.startswith("Một là, Xây dựng mô hình") for line in lines)
    assert any(line.startswith("5. Ban chỉ đạo 138 thị xã") for line in lines)
    last_body = [line for style, line in styled(content) if style == "VBBody"][-1]
    assert last_body.endswith("trên địa bàn thị xã./.")
    assert lines[lines.index("Nơi nhận:") + 1 :][:6] == [
        "- Ban chỉ đạo 138 tỉnh (báo cáo);",
        "- PV11, PV28 Công an tỉnh (báo cáo);",
        "- TT Thị ủy, HĐND, UBND Thị xã (báo cáo);",
        "- Các ban, ngành, đoàn thể thị xã;",
        "- Ban chỉ đạo ANTT các phường, xã;",
        "- Lưu: VT, CA thị xã, VP.",
    ]
    signature = lines[lines.index("TM. BAN CHỈ ĐẠO 138 THỊ XÃ") :]
    assert [s for s in signature if s][:4] == [
        "TM. BAN CHỈ ĐẠO 138 THỊ XÃ",
        "TRƯỞNG BAN",
        "PHÓ CHỦ TỊCH UBND THỊ XÃ",
        "Mai Đình Lâm",
    ]


def test_portrait_layout_values_follow_nd30(agencies: AgencyDirectory) -> None:
    content = render(agencies, "quyet-dinh-cong-nhan", example("quyet-dinh-cong-nhan"))
    doc = part(content, "word/document.xml")
    sect = doc.find(".//w:body/w:sectPr", NS)
    size = sect.find("w:pgSz", NS)
    assert (size.get(f"{{{W}}}w"), size.get(f"{{{W}}}h")) == ("11906", "16838")
    mar = {k.split("}")[1]: int(v) for k, v in sect.find("w:pgMar", NS).attrib.items()}
    assert 1134 <= mar["top"] <= 1417 and 1134 <= mar["bottom"] <= 1417
    assert 1701 <= mar["left"] <= 1984 and 850 <= mar["right"] <= 1134
    assert sect.find("w:titlePg", NS) is not None
    styles = part(content, "word/styles.xml")
    fonts = styles.find(".//w:docDefaults//w:rFonts", NS)
    assert {fonts.get(f"{{{W}}}{k}") for k in ("ascii", "hAnsi", "cs")} == {"Times New Roman"}

    def style(sid: str) -> etree._Element:
        return styles.find(f"w:style[@w:styleId='{sid}']", NS)

    def size_of(sid: str) -> int:
        return int(style(sid).find("w:rPr/w:sz", NS).get(f"{{{W}}}val"))

    assert size_of("VBQuocHieu") in (24, 26) and size_of("VBTieuNgu") in (26, 28)
    assert size_of("VBNumber") == 26
    assert size_of("VBRecipHead") == 24 and size_of("VBRecip") == 22
    assert style("VBDate").find("w:rPr/w:i", NS) is not None
    body = style("VBBody").find("w:pPr", NS)
    assert body.find("w:jc", NS).get(f"{{{W}}}val") == "both"
    assert body.find("w:ind", NS).get(f"{{{W}}}firstLine") in ("567", "720")
    # Page numbers from page 2: the default header holds PAGE, the first-page one nothing.
    header = part(content, "word/header1.xml")
    assert "PAGE" in "".join(header.itertext())
    assert "".join(part(content, "word/header2.xml").itertext()) == ""


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2021, 2, 5), "Bắc Sơn, ngày 05 tháng 02 năm 2021"),
        (dt.date(2020, 3, 9), "Bắc Sơn, ngày 09 tháng 3 năm 2020"),
        (dt.date(2018, 7, 27), "Bắc Sơn, ngày 27 tháng 7 năm 2018"),
        (dt.date(2024, 1, 1), "Bắc Sơn, ngày 01 tháng 01 năm 2024"),
        (dt.date(2024, 12, 31), "Bắc Sơn, ngày 31 tháng 12 năm 2024"),
    ],
)
def test_date_line_in_document(agencies: AgencyDirectory, day: dt.date, expected: str) -> None:
    data = example("quyet-dinh-cong-nhan", date=day.isoformat())
    assert expected in paragraphs(render(agencies, "quyet-dinh-cong-nhan", data, number=5))


@pytest.mark.parametrize(
    ("number", "line"),
    [(5, "Số: 05/QĐ-UBND"), (15, "Số: 15/QĐ-UBND"), (1082, "Số: 1082/QĐ-UBND")],
)
def test_number_and_symbol_in_document(agencies: AgencyDirectory, number: int, line: str) -> None:
    lines = paragraphs(
        render(agencies, "quyet-dinh-cong-nhan", example("quyet-dinh-cong-nhan"), number=number)
    )
    assert line in lines


def test_draft_leaves_number_day_and_month_blank(agencies: AgencyDirectory) -> None:
    data = example("quyet-dinh-cong-nhan", draft=True, date="2024-11-20")
    lines = paragraphs(render(agencies, "quyet-dinh-cong-nhan", data, number=9))
    assert "Số:      /QĐ-UBND" in lines
    assert "Bắc Sơn, ngày      tháng      năm 2024" in lines
    assert appendix_note(render(agencies, "quyet-dinh-cong-nhan", data, number=9)).text == (
        "(Kèm theo Quyết định số      /QĐ-UBND ngày      tháng      năm 2024\n"
        "của Chủ tịch Ủy ban nhân dân phường Bắc Sơn)"
    )


def test_render_without_number_leaves_it_blank(agencies: AgencyDirectory) -> None:
    lines = paragraphs(render(agencies, "bao-cao", example("bao-cao")))
    assert "Số:      /BC-BCĐ" in lines
    assert "Bỉm Sơn, ngày 27 tháng 7 năm 2018" in lines


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (105, "Một trăm linh năm đồng"),
        (1021, "Một nghìn không trăm hai mươi mốt đồng"),
        (1005, "Một nghìn không trăm linh năm đồng"),
        (1_000_000, "Một triệu đồng"),
        (2_000_000_000_000_000, "Hai triệu tỷ đồng"),
        (21, "Hai mươi mốt đồng"),
        (15, "Mười lăm đồng"),
        (25, "Hai mươi lăm đồng"),
        (24, "Hai mươi bốn đồng"),
        (15_972, "Mười lăm nghìn chín trăm bảy mươi hai đồng"),
    ],
)
def test_amount_in_words_in_document(agencies: AgencyDirectory, amount: int, words: str) -> None:
    data = example("ke-hoach", content=[{"amount": amount, "label": "Kinh phí"}])
    body = text(render(agencies, "ke-hoach", data))
    assert f"(Bằng chữ: {words})./." in body


def test_agency_number_style_is_used(agencies: AgencyDirectory) -> None:
    agency = agencies.get("ubnd-bac-son").model_copy(deep=True)
    agency.number_style.zero_tens, agency.number_style.four = "lẻ", "tư"
    local = AgencyDirectory([agency])
    data = example("ke-hoach", agency="ubnd-bac-son", signer=None)
    data["content"] = [{"amount": 1024}, {"amount": 105}]
    body = text(render(local, "ke-hoach", data))
    assert "Một nghìn không trăm hai mươi tư đồng" in body
    assert "Một trăm lẻ năm đồng" in body


def test_numbering_is_generated_from_structure(agencies: AgencyDirectory) -> None:
    content = [
        {"title": "Mục đích", "content": ["a"]},
        {
            "title": "Nội dung",
            "content": [
                {"title": "Thứ nhất", "content": [{"title": "Con", "content": ["x"]}]},
                {
                    "title": "Thứ hai",
                    "numbering": "letter",
                    "content": [{"title": f"Điểm {i}", "content": []} for i in range(7)],
                },
            ],
        },
    ]
    lines = paragraphs(render(agencies, "ke-hoach", example("ke-hoach", content=content)))
    for expected in ("I. MỤC ĐÍCH", "II. NỘI DUNG", "1. Thứ nhất", "1.1. Con", "2. Thứ hai"):
        assert expected in lines
    letters = [
        line.split(")")[0] for line in lines if line.startswith(tuple("abcdđeg")) and ")" in line
    ]
    assert letters == ["a", "b", "c", "d", "đ", "e", "g"]


def test_articles_and_points_of_a_decision(agencies: AgencyDirectory) -> None:
    data = example("quyet-dinh-thanh-lap")
    data["duties"] = [f"Nhiệm vụ {i};" for i in range(6)]
    lines = paragraphs(render(agencies, "quyet-dinh-thanh-lap", data))
    articles = [line.split(".")[0] for line in lines if line.startswith("Điều ")]
    assert articles == ["Điều 1", "Điều 2", "Điều 3", "Điều 4"]
    points = [line for line in lines if line[:2] in {"a)", "b)", "c)", "d)", "đ)", "e)"}]
    assert [p[:2] for p in points] == ["a)", "b)", "c)", "d)", "đ)", "e)"]
    assert points[0].endswith(";") and points[-1].endswith(".")
    assert "- Như Điều 4;" in lines
    assert lines[lines.index("QUYẾT ĐỊNH:") - 1].endswith(
        "Xét đề nghị của Trưởng Công an phường Bắc Sơn."
    )


@pytest.mark.parametrize(
    ("signer", "authority"),
    [
        # The head's own power: the line names the head.
        (
            {"title": "Chủ tịch", "name": "Trịnh Văn Hùng"},
            "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG BẮC SƠN",
        ),
        (
            {"authority": "KT", "body": "Chủ tịch", "title": "Phó Chủ tịch", "name": "Lê Văn A"},
            "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG BẮC SƠN",
        ),
        # The collective's power (nd30 §2 item 6, §5): the line names the body.
        (
            {"authority": "TM", "body": "Ủy ban nhân dân", "title": "Chủ tịch", "name": "Lê Văn A"},
            "ỦY BAN NHÂN DÂN PHƯỜNG BẮC SƠN",
        ),
        (
            {
                "authority": "KT",
                "collective": "Ủy ban nhân dân",
                "body": "Chủ tịch",
                "title": "Phó Chủ tịch",
                "name": "Lê Văn A",
            },
            "ỦY BAN NHÂN DÂN PHƯỜNG BẮC SƠN",
        ),
    ],
)
@pytest.mark.parametrize("template_id", ["quyet-dinh-thanh-lap", "quyet-dinh-cong-nhan"])
def test_authority_line_follows_whose_power_is_used(
    agencies: AgencyDirectory, template_id: str, signer: dict[str, Any], authority: str
) -> None:
    data = example(template_id, agency="ubnd-bac-son", signer=signer)
    data.pop("authority_line", None)
    lines = paragraphs(render(agencies, template_id, data))
    assert lines[lines.index("QUYẾT ĐỊNH:") - 1 - _legal_bases(lines)] == authority


def _legal_bases(lines: list[str]) -> int:
    heading = lines.index("QUYẾT ĐỊNH:")
    count = 0
    while lines[heading - 1 - count].startswith(("Căn cứ", "Xét")):
        count += 1
    return count


def test_agency_default_collective_signer_gets_the_bodys_line(agencies: AgencyDirectory) -> None:
    # ubnd-bimson's default signer is TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH.
    data = example("quyet-dinh-thanh-lap", agency="ubnd-bimson")
    data.pop("signer", None)
    data.pop("authority_line", None)
    lines = paragraphs(render(agencies, "quyet-dinh-thanh-lap", data))
    assert "TM. ỦY BAN NHÂN DÂN" in lines
    assert "ỦY BAN NHÂN DÂN THỊ XÃ BỈM SƠN" in lines
    assert not any(line.startswith("CHỦ TỊCH ỦY BAN") for line in lines)


def appendix_note(content: bytes) -> Paragraph:
    """The "(Kèm theo …)" paragraph of a rendered decision's appendix."""
    return next(p for p in open_docx(content).paragraphs if p.text.startswith("(Kèm theo"))


BAC_SON_KT = {"authority": "KT", "body": "Chủ tịch", "title": "Phó Chủ tịch", "name": "Lê Thị Hoa"}
DONG_HOA = {"name": "ỦY BAN NHÂN DÂN XÃ ĐÔNG HÒA", "abbreviation": "UBND", "place": "Đông Hòa"}


@pytest.mark.parametrize(
    ("changes", "by"),
    [
        # The collective's decision (TM., or KT. under TM.): the body, as running text writes it.
        ({"agency": "ubnd-bimson", "signer": None}, "Ủy ban nhân dân thị xã Bỉm Sơn"),
        ({"agency": "bcd138-bimson", "signer": None}, "Ban Chỉ đạo 138"),
        (
            {
                "signer": {
                    "authority": "TM",
                    "body": "Ủy ban nhân dân",
                    "title": "Chủ tịch",
                    "name": "Trịnh Văn Hùng",
                }
            },
            "Ủy ban nhân dân phường Bắc Sơn",
        ),
        # The head's: the agency's configured head, else the signer's title (or the
        # head's, under KT.) before the body's name.
        ({}, "Chủ tịch Ủy ban nhân dân phường Bắc Sơn"),
        ({"signer": BAC_SON_KT}, "Chủ tịch Ủy ban nhân dân phường Bắc Sơn"),
        ({"agency": None, "issuer": DONG_HOA}, "Chủ tịch Ủy ban nhân dân xã Đông Hòa"),
        (
            {"agency": None, "issuer": DONG_HOA, "signer": BAC_SON_KT},
            "Chủ tịch Ủy ban nhân dân xã Đông Hòa",
        ),
        # An authority line of the data's own.
        ({"authority_line": "CHỦ TỊCH UBND PHƯỜNG BẮC SƠN"}, "Chủ tịch UBND phường Bắc Sơn"),
        ({"authority_line": "Chủ tịch UBND phường Bắc Sơn"}, "Chủ tịch UBND phường Bắc Sơn"),
    ],
)
def test_appendix_note_names_who_issued_the_decision(
    agencies: AgencyDirectory, changes: dict[str, Any], by: str
) -> None:
    data = example("quyet-dinh-cong-nhan", **changes)
    for key in [k for k, v in changes.items() if v is None]:
        del data[key]
    symbol = "12/QĐ-BCĐ" if data.get("agency") == "bcd138-bimson" else "12/QĐ-UBND"
    note = appendix_note(render(agencies, "quyet-dinh-cong-nhan", data, number=12))
    # Too long for one line: broken before "của", not inside the name.
    assert note.text == f"(Kèm theo Quyết định số {symbol} ngày 20 tháng 11 năm 2024\ncủa {by})"
    assert unicodedata.is_normalized("NFC", note.text)


def test_appendix_note_is_italic_centred_with_a_rule_under_it(agencies: AgencyDirectory) -> None:
    data = example("quyet-dinh-cong-nhan", agency="ubnd-bimson")
    del data["signer"]
    note = appendix_note(render(agencies, "quyet-dinh-cong-nhan", data, number=12))
    lines = note.text.split("\n")
    assert lines == [
        "(Kèm theo Quyết định số 12/QĐ-UBND ngày 20 tháng 11 năm 2024",
        "của Ủy ban nhân dân thị xã Bỉm Sơn)",
    ]
    assert all(r.italic is not False for r in note.runs) and note.style.font.italic
    assert note.paragraph_format.alignment is None
    assert note.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    # The next paragraph is the rule: empty, a solid bottom border, centred by equal indents
    # that make it 1/3–1/2 of the note's widest line (0.4, as under the subject).
    rule = note._p.getnext()
    assert rule.tag == f"{{{W}}}p" and "".join(rule.itertext()) == ""
    assert rule.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val") == "VBRule"
    bottom = rule.find("w:pPr/w:pBdr/w:bottom", NS)
    assert bottom is not None and bottom.get(f"{{{W}}}val") == "single"
    ind = rule.find("w:pPr/w:ind", NS)
    left, right = int(ind.get(f"{{{W}}}left")), int(ind.get(f"{{{W}}}right"))
    assert left == right > 0
    length = (layout.TEXT_W - left - right) / 20
    widest = max(vn.text_width_pt(line, 14, italic=True) for line in lines)
    assert widest / 3 < length < widest / 2
    # Then the list of units.
    assert rule.getnext().tag == f"{{{W}}}tbl"


STANDARD_2024 = "“AN TOÀN VỀ AN NINH, TRẬT TỰ” NĂM 2024"
LONG_KIND = "cơ quan, doanh nghiệp, trường học và đơn vị sự nghiệp công lập trên địa bàn"


@pytest.mark.parametrize(
    ("kind", "lines"),
    [
        (
            "khu dân cư",
            [
                "DANH SÁCH KHU DÂN CƯ ĐẠT TIÊU CHUẨN",
                "“AN TOÀN VỀ AN NINH, TRẬT TỰ” NĂM 2024",
            ],
        ),
        # The part before the standard is longer than a line: no break of ours.
        (LONG_KIND, [vn.upper(f"Danh sách {LONG_KIND} đạt tiêu chuẩn ") + STANDARD_2024]),
    ],
)
def test_appendix_title_breaks_before_the_quoted_standard(
    agencies: AgencyDirectory, kind: str, lines: list[str]
) -> None:
    """Too long for a line, the title breaks before "“AN TOÀN …”", not inside it."""
    content = render(
        agencies, "quyet-dinh-cong-nhan", example("quyet-dinh-cong-nhan", unit_kind=kind)
    )
    title = appendix_note(content)._p.getprevious()
    assert title.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val") == "VBAppendixTitle"
    assert len(title.findall(".//w:br", NS)) == len(lines) - 1
    assert Paragraph(title, None).text.split("\n") == lines
    if len(lines) > 1:
        assert all(vn.text_width_pt(line, 14, bold=True) <= layout.TEXT_W / 20 for line in lines)


def test_appendix_rule_does_not_move_with_the_number(agencies: AgencyDirectory) -> None:
    def rule_xml(number: int | None) -> bytes:
        content = render(
            agencies, "quyet-dinh-cong-nhan", example("quyet-dinh-cong-nhan"), number=number
        )
        return etree.tostring(appendix_note(content)._p.getnext())

    assert rule_xml(None) == rule_xml(1) == rule_xml(999_999)


def test_hostile_text_gives_a_valid_document(agencies: AgencyDirectory) -> None:
    nasty = "A <b>&amp; \"q\" 's' 🎉 \x00\x0b\x1f end"
    data = example("bao-cao", summary=nasty, content=[nasty, {"title": nasty, "content": [nasty]}])
    data["recipients"] = [nasty]
    content = render(agencies, "bao-cao", data)
    etree.fromstring(zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml"))
    printable = "A <b>&amp; \"q\" 's' 🎉  end"
    body = text(content)
    assert printable in body
    assert "\x00" not in body and "\x0b" not in body
    open_docx(content)


def test_signer_problems_are_422_with_loc(agencies: AgencyDirectory) -> None:
    data = example("bao-cao", signer={"authority": "KT", "title": "Phó Trưởng ban", "name": "A"})
    with pytest.raises(InvalidData) as info:
        render(agencies, "bao-cao", data)
    assert info.value.errors[0]["loc"] == ["data", "signer"]
    assert "KT" in info.value.errors[0]["msg"]


def test_template_error_names_template_and_line(tmp_path: Any) -> None:
    broken = tmp_path / "broken.docx"
    good = templates.get("ke-hoach").docx_path
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"{{ hdr.number }}", b"{{ hdr.number | nosuchfilter }}")
            dst.writestr(item, data)
    with pytest.raises(TemplateError) as info:
        compile_template("broken", broken, make_environment())
    assert "broken" in str(info.value) and info.value.line is not None


def test_undefined_value_is_a_template_error(agencies: AgencyDirectory) -> None:
    spec = templates.get("ke-hoach")
    with pytest.raises(TemplateError) as info:
        Engine().render(spec.id, spec.docx_path, {"hdr": {}})
    assert "ke-hoach" in str(info.value)


def test_each_template_is_compiled_once() -> None:
    eng = Engine()
    spec = templates.get("giay-cong-nhan")
    assert eng.get(spec.id, spec.docx_path) is eng.get(spec.id, spec.docx_path)


def test_same_input_gives_identical_bytes(agencies: AgencyDirectory) -> None:
    data = example("giay-cong-nhan")
    assert render(agencies, "giay-cong-nhan", data, number=3) == render(
        agencies, "giay-cong-nhan", data, number=3
    )


def test_sections_nested_too_deep_are_refused_in_vietnamese(agencies: AgencyDirectory) -> None:
    deep: dict[str, Any] = {"title": "5", "content": ["x"]}
    for level in range(4, 0, -1):
        deep = {"title": str(level), "content": [deep]}
    with pytest.raises(InvalidData) as info:
        render(agencies, "ke-hoach", example("ke-hoach", content=[deep]))
    error = info.value.errors[0]
    assert error["loc"] == ["data", "content"]
    assert error["msg"] == "Mục lồng nhau tối đa 4 cấp (I. → 1. → 1.1. → a))"


def test_figures_in_tables_use_vietnamese_separators(agencies: AgencyDirectory) -> None:
    table = {
        "table": {
            "columns": ["Chỉ tiêu", "Số lượng", "Tỷ lệ (%)"],
            "rows": [["Hộ tham gia", 15972, 95.38], ["Nhân khẩu", 63264, 100]],
        }
    }
    lines = paragraphs(render(agencies, "bao-cao", example("bao-cao", content=[table])))
    for cell in ("15.972", "95,38", "63.264", "100"):
        assert cell in lines


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_package_is_the_zip_zipfile_writes(agencies: AgencyDirectory, template_id: str) -> None:
    """The engine writes the ZIP itself (parts deflated once); zipfile must agree byte for byte."""
    content = render(agencies, template_id, example(template_id), number=149)
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        assert zf.testzip() is None
        infos = zf.infolist()
        parts = [(info.filename, zf.read(info)) for info in infos]
    assert [name for name, _ in parts][:1] == ["[Content_Types].xml"]
    assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in infos)
    expected = io.BytesIO()
    with zipfile.ZipFile(expected, "w") as zf:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=(2020, 3, 5, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            level = 1 if name == "word/document.xml" else None
            zf.writestr(info, data, compresslevel=level)
    assert content == expected.getvalue()


@pytest.mark.parametrize(
    "template_id", ["ke-hoach", "bao-cao", "quyet-dinh-thanh-lap", "quyet-dinh-cong-nhan"]
)
def test_last_paragraph_keeps_with_the_signature(
    agencies: AgencyDirectory, template_id: str
) -> None:
    # A page break never leaves the signature and Nơi nhận alone on the last page:
    # the paragraph ending "./." is kept with the signature table right after it.
    body = part(
        render(agencies, template_id, example(template_id), number=149), "word/document.xml"
    )
    top = list(body.find("w:body", NS))
    kept = [
        el for el in top if el.find("w:pPr/w:keepNext", NS) is not None and el.tag == f"{{{W}}}p"
    ]
    ends = [el for el in kept if "".join(el.itertext()).endswith("./.")]
    assert len(ends) == 1
    after = top[top.index(ends[0]) + 1]
    assert after.tag == f"{{{W}}}tbl"
    assert "Nơi nhận" in "".join(after.itertext())


def _kinh_gui_paragraphs(content: bytes) -> list[Any]:
    body = part(content, "word/document.xml").find("w:body", NS)
    return [
        p
        for p in body.findall("w:p", NS)
        if p.find("w:pPr/w:pStyle[@w:val='VBKinhGui']", NS) is not None
    ]


def _para_text(p: Any) -> str:
    return "".join(
        "\t" if el.tag == f"{{{W}}}tab" else (el.text or "")
        for el in p.iter(f"{{{W}}}t", f"{{{W}}}tab")
        if el.getparent().tag == f"{{{W}}}r"
    )


def test_kinh_gui_recipients_stand_in_one_column(agencies: AgencyDirectory) -> None:
    data = example("bao-cao", kinh_gui=["Ban Chỉ đạo 138 tỉnh", "Công an tỉnh", "UBND thị xã"])
    paras = _kinh_gui_paragraphs(render(agencies, "bao-cao", data))
    assert [_para_text(p) for p in paras] == [
        "Kính gửi:\t- Ban Chỉ đạo 138 tỉnh;",
        "- Công an tỉnh;",
        "- UBND thị xã.",
    ]
    lefts = [p.find("w:pPr/w:ind", NS).get(f"{{{W}}}left") for p in paras]
    assert lefts == ["2835"] * 3  # every dash at the same place
    first = paras[0].find("w:pPr", NS)
    assert first.find("w:tabs/w:tab", NS).get(f"{{{W}}}pos") == "2835"
    hanging = int(first.find("w:ind", NS).get(f"{{{W}}}hanging"))
    # "Kính gửi:" hangs before the column, its colon just before the first dash.
    assert (
        vn.text_width_pt("Kính gửi:", 14) * 20
        < hanging
        < vn.text_width_pt("Kính gửi: ", 14) * 20 + 200
    )
    assert all(p.find("w:pPr/w:jc", NS).get(f"{{{W}}}val") == "left" for p in paras)


def test_one_kinh_gui_recipient_is_one_centred_line(agencies: AgencyDirectory) -> None:
    data = example("bao-cao", kinh_gui=["Ban Chỉ đạo 138 tỉnh"])
    (para,) = _kinh_gui_paragraphs(render(agencies, "bao-cao", data))
    assert _para_text(para) == "Kính gửi: Ban Chỉ đạo 138 tỉnh."
    assert para.find("w:pPr/w:ind", NS) is None  # the style's centring


@pytest.mark.parametrize("template_id", ["ke-hoach", "bao-cao", "quyet-dinh-cong-nhan"])
def test_text_starts_a_paragraph_spacing_under_the_subject_line(
    agencies: AgencyDirectory, template_id: str
) -> None:
    body = part(render(agencies, template_id, example(template_id)), "word/document.xml")
    top = list(body.find("w:body", NS))
    subject = next(
        i
        for i, el in enumerate(top)
        if el.find("w:pPr/w:pStyle[@w:val='VBSubject']", NS) is not None
    )
    line = top[subject + 1].find("w:pPr", NS)
    assert line.find("w:pBdr/w:bottom", NS) is not None
    assert line.find("w:spacing", NS).get(f"{{{W}}}after") == "120"  # 6 pt, not 2 pt
    # The header's lines keep no space under them (the number line has its own).
    header_rules = body.findall("w:body/w:tbl//w:p/w:pPr/w:pBdr/..", NS)
    assert header_rules and all(p.find("w:spacing", NS) is None for p in header_rules)
