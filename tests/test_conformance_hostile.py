"""Conformance checker on hostile files: bad numbers, odd zip entries, huge documents.

Every case ends in a report or in a NotADocx the API turns into a 4xx with a Vietnamese
message, never in another exception (a 500).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import pytest
from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from service import vn
from service.conformance import NotADocx, check_docx
from service.conformance import package as pkg_module
from service.conformance.package import LIMITS, DocxTooLarge, UnreadableDocx
from service.conformance.styles import StyleResolver
from service.conformance.values import count, shown
from service.errors import BadRequest, PayloadTooLarge
from tests import conformance_docs as cd

BAD_NUMBERS = ["1e999", "inf", "-inf", "nan", "1e5", "²", "١٢", "1.2.3", ".", "12 34", "9" * 5000]


_edit = cd.edit_part


def _unreadable(data: bytes) -> UnreadableDocx:
    with pytest.raises(UnreadableDocx) as info:
        check_docx(data)
    exc = info.value
    assert isinstance(exc, NotADocx) and isinstance(exc, BadRequest)
    assert exc.status == 400
    assert str(exc) == exc.detail
    assert exc.detail.startswith("Tệp không phải .docx hợp lệ: ")
    return exc


def _set(attr: str, value: str) -> Callable[[DocxDocument], None]:
    """Return a change setting one measurement attribute of the decision to value."""

    def change(doc: DocxDocument) -> None:
        sect = doc.sections[0]._sectPr
        tc = doc.tables[0].rows[0].cells[0]._tc
        para = cd.find_paragraph(doc, "Điều 2.")
        targets = {
            "pgMar/left": (sect.find(qn("w:pgMar")), "w:left"),
            "pgSz/w": (sect.find(qn("w:pgSz")), "w:w"),
            "sz": (para.runs[0]._r.get_or_add_rPr().get_or_add_sz(), "w:val"),
            "ind/left": (para._p.get_or_add_pPr().get_or_add_ind(), "w:left"),
            "spacing/before": (para._p.get_or_add_pPr().get_or_add_spacing(), "w:before"),
            "tcW": (tc.get_or_add_tcPr().find(qn("w:tcW")), "w:w"),
        }
        el, name = targets[attr]
        el.set(qn(name), value)

    return change


ATTRIBUTES = ["pgMar/left", "pgSz/w", "sz", "ind/left", "spacing/before", "tcW"]


@pytest.mark.parametrize("value", BAD_NUMBERS, ids=lambda v: v if len(v) < 9 else "5000 digits")
@pytest.mark.parametrize("attr", ATTRIBUTES)
def test_unreadable_measurement_is_an_unreadable_file(attr: str, value: str) -> None:
    doc = cd.decision()
    _set(attr, value)(doc)
    exc = _unreadable(cd.to_bytes(doc))
    name = {"pgSz/w": "w:w", "tcW": "w:w", "sz": "w:val"}.get(attr, "w:" + attr.split("/")[-1])
    assert f"thuộc tính {name} của thẻ w:{attr.split('/')[0]}" in exc.detail
    assert "trong word/document.xml" in exc.detail
    assert "không phải số đo hợp lệ" in exc.detail
    assert len(exc.detail) < 200  # 5,000 digits are not echoed back


@pytest.mark.parametrize("value", ["99999999999", "-2147483648"])
def test_measurement_out_of_range_is_an_unreadable_file(value: str) -> None:
    doc = cd.decision()
    _set("pgMar/left", value)(doc)
    _unreadable(cd.to_bytes(doc))


@pytest.mark.parametrize("value", ["1701", "1701.0", "+1701", " 1701 ", "3cm", "30mm"])
def test_plain_decimals_and_universal_measures_are_read(value: str) -> None:
    doc = cd.decision()
    _set("pgMar/left", value)(doc)
    assert check_docx(cd.to_bytes(doc)).findings == []


def test_huge_plausible_margin_is_a_finding() -> None:
    doc = cd.decision()
    _set("pgMar/left", "2000000000")(doc)
    report = check_docx(cd.to_bytes(doc))
    margin = [f for f in report.findings if f.rule == "margin.left"]
    assert [f.found for f in margin] == ["35277777.8 mm"]


def test_bad_number_in_styles_names_the_styles_part() -> None:
    data = _edit(
        cd.to_bytes(cd.decision()),
        "word/styles.xml",
        lambda s: re.sub(r'(<w:sz w:val=")[^"]*', r"\g<1>1e999", s, count=1),
    )
    assert "trong word/styles.xml" in _unreadable(data).detail


@pytest.mark.parametrize("value", ["²", "", "x", "1.5", "9" * 20])
def test_bad_grid_span_is_an_unreadable_file(value: str) -> None:
    doc = cd.decision()
    tcpr = doc.tables[0].rows[0].cells[0]._tc.get_or_add_tcPr()
    tcpr.append(parse_xml(f'<w:gridSpan {nsdecls("w")} w:val="{value}"/>'))
    assert "không phải số nguyên hợp lệ" in _unreadable(cd.to_bytes(doc)).detail


# C2, C3, C4: numbers in the text are findings, whatever their digits.


@pytest.mark.parametrize("number", ["²", "١٥", "1" * 5000, "0" * 5000 + "15"])
def test_document_number_that_is_no_number_is_a_format_finding(number: str) -> None:
    doc = cd.decision()
    cd.set_text(cd.find_paragraph(doc, "Số:"), f"Số: {number}/QĐ-UBND")
    report = check_docx(cd.to_bytes(doc))
    found = [(f.rule, f.expected) for f in report.findings]
    assert found == [("number.format", "Số: 05/QĐ-UBND")]
    assert len(report.findings[0].found) <= 62


def test_article_with_thousands_of_digits_is_a_sequence_finding() -> None:
    doc = cd.decision()
    para = cd.find_paragraph(doc, "Điều 1.")
    para.runs[0].text = "Điều " + "9" * 5000 + "."
    report = check_docx(cd.to_bytes(doc))
    sequence = [(f.expected, f.found) for f in report.findings if f.rule == "article.sequence"]
    assert sequence == [("Điều 1", "Điều 99999999999…")]  # Điều 2 and 3 follow on from it


def test_article_in_other_digits_is_no_article() -> None:
    doc = cd.decision()
    cd.find_paragraph(doc, "Điều 1.").runs[0].text = "Điều ²."
    report = check_docx(cd.to_bytes(doc))
    assert ("article.sequence", "Điều 1", "Điều 2") in {
        (f.rule, f.expected, f.found) for f in report.findings
    }


def test_clause_with_thousands_of_digits_is_a_sequence_warning() -> None:
    doc = cd.decision()
    cd.set_text(cd.find_paragraph(doc, "a) Khu"), "9" * 5000 + ". Khu phố 1;")
    report = check_docx(cd.to_bytes(doc))
    clause = [(f.severity, f.expected, f.found) for f in report.findings if f.rule.startswith("cl")]
    assert clause == [("warning", "1.", "99999999999….")]


def test_recipient_naming_an_article_of_thousands_of_digits_is_a_warning() -> None:
    doc = cd.decision()
    cd.set_text(cd.find_paragraph(doc, "- Như Điều 3"), "- Như Điều " + "9" * 5000 + ";")
    report = check_docx(cd.to_bytes(doc))
    found = [(f.rule, f.severity, f.expected) for f in report.findings]
    assert found == [("recipients.lines", "warning", "Như Điều 3")]
    assert report.findings[0].found.endswith("…”")


def test_count_reads_ascii_digits_only() -> None:
    assert count("05") == 5
    assert count("0" * 5000 + "7") == 7
    assert count("999999999") == 999999999
    for text in ("²", "١٢", "", "1 2", "-1", "+1", "1.0", "9999999999", "9" * 5000):
        assert count(text) is None, text
    assert shown("007") == "7"
    assert shown("9" * 5000) == "99999999999…"


# C5: a font size of 0 is read as it stands; a negative one is no size.


def test_font_size_zero_in_the_styles_is_a_size_finding() -> None:
    data = _edit(
        cd.to_bytes(cd.decision()),
        "word/styles.xml",
        lambda s: re.sub(r'(<w:sz w:val=")[^"]*', r"\g<1>0", s),
    )
    data = _edit(data, "word/document.xml", lambda s: re.sub(r"<w:sz [^>]*/>", "", s))
    report = check_docx(data)
    assert report.ok is False
    assert ("quoc_hieu.size", "0 pt") in {(f.rule, f.found) for f in report.findings}


def test_run_size_zero_in_the_issuer_is_a_size_finding() -> None:
    doc = cd.decision()
    cd.find_paragraph(doc, "PHƯỜNG BẮC SƠN").runs[0]._r.get_or_add_rPr().get_or_add_sz().set(
        qn("w:val"), "0"
    )
    report = check_docx(cd.to_bytes(doc))
    assert ("issuer.size", "0 pt") in {(f.rule, f.found) for f in report.findings}


@pytest.mark.parametrize("value", ["-4", "-0.5pt"])
def test_negative_font_size_is_an_unreadable_file(value: str) -> None:
    doc = cd.decision()
    _set("sz", value)(doc)
    assert "w:val của thẻ w:sz" in _unreadable(cd.to_bytes(doc)).detail


# C6, C7: drawn lines.


def _line_paragraph(doc: DocxDocument, xml: str) -> DocxDocument:
    """Replace the bordered paragraph under the Tiêu ngữ with one holding xml."""
    line = cd.next_paragraph(cd.find_paragraph(doc, "Độc lập"))
    line._p.remove(line._p.find(qn("w:pPr")))
    line._p.append(parse_xml(xml))
    return doc


VML = 'xmlns:v="urn:schemas-microsoft-com:vml"'
WP = 'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'


def _vml_line(start: str, end: str) -> str:
    return f'<w:r {nsdecls("w")} {VML}><w:pict><v:line from="{start}" to="{end}"/></w:pict></w:r>'


def _vml_shape(style: str) -> str:
    return f'<w:r {nsdecls("w")} {VML}><w:pict><v:rect style="{style}"/></w:pict></w:r>'


def _extent(cx: str) -> str:
    return (
        f'<w:r {nsdecls("w")} {WP}><w:drawing><wp:inline><wp:extent cx="{cx}" cy="0"/>'
        "</wp:inline></w:drawing></w:r>"
    )


@pytest.mark.parametrize(
    ("xml", "attr"),
    [
        (_vml_line("1.2.3,0", "5,0"), "from"),
        (_vml_line("0,0", ".,0"), "to"),
        (_vml_line("0,0", "1e999pt,0"), "to"),
        (_vml_line("0,0", "inf,0"), "to"),
        (_vml_shape("position:absolute;width:..pt"), "style"),
        (_vml_shape("width:1e999pt;height:1pt"), "style"),
        (_extent("²"), "cx"),
        (_extent("-12700"), "cx"),
        (_extent("1e6"), "cx"),
        (_extent("9" * 5000), "cx"),
    ],
    ids=[
        "line 1.2.3",
        "line .",
        "line 1e999",
        "line inf",
        "shape ..pt",
        "shape 1e999",
        "extent ²",
        "extent negative",
        "extent 1e6",
        "extent 5000 digits",
    ],
)
def test_unreadable_drawn_line_is_an_unreadable_file(xml: str, attr: str) -> None:
    exc = _unreadable(cd.to_bytes(_line_paragraph(cd.decision(), xml)))
    assert f"thuộc tính {attr} của thẻ" in exc.detail


@pytest.mark.parametrize(
    "xml",
    [
        _vml_line("0,0", f"{158 / 72:.6f}in,0"),
        _vml_line("0pt,0", "158,0"),
        _vml_shape("mso-width-percent:0;width:158pt;height:.5pt"),
        _extent(str(158 * 12700)),
    ],
    ids=["line in inches", "line unitless", "shape width", "extent"],
)
def test_readable_drawn_lines_are_measured(xml: str) -> None:
    assert check_docx(cd.to_bytes(_line_paragraph(cd.decision(), xml))).findings == []


def test_drawn_line_in_an_unconverted_unit_has_no_length() -> None:
    xml = _vml_shape("width:50%;height:1pt")
    assert check_docx(cd.to_bytes(_line_paragraph(cd.decision(), xml))).findings == []


# C8: zip entries the reader cannot open.


_flag_entries = cd.flag_entries


def test_encrypted_zip_entry_is_an_unreadable_file() -> None:
    exc = _unreadable(_flag_entries(cd.to_bytes(cd.decision()), flag=1))
    assert "được mã hóa" in exc.detail


@pytest.mark.parametrize("method", [9, 12, 14, 99])
def test_unsupported_compression_is_an_unreadable_file(method: int) -> None:
    exc = _unreadable(_flag_entries(cd.to_bytes(cd.decision()), method=method))
    assert f"nén theo cách không hỗ trợ (phương thức {method})" in exc.detail


def test_corrupt_deflate_data_is_not_a_docx() -> None:
    data = cd.to_bytes(cd.decision())
    start = data.index(b"word/document.xml") + len("word/document.xml")  # its local header
    broken = data[:start] + bytes(b ^ 0x5A for b in data[start : start + 200]) + data[start + 200 :]
    with pytest.raises(NotADocx):
        check_docx(broken)


# C9: time in proportion to the document, and a limit on its size.


def _many_runs(n: int) -> bytes:
    doc = cd.decision()
    para = cd.find_paragraph(doc, "Điều 2.")
    run = para.runs[1]._r
    for _ in range(n):
        run.addnext(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve"> a</w:t></w:r>'))
    return cd.to_bytes(doc)


def test_paragraph_style_is_looked_up_once_per_paragraph(monkeypatch: pytest.MonkeyPatch) -> None:
    # Finding w:pPr/w:pStyle scans the paragraph's children: once per run was quadratic (a
    # 30,000-run paragraph took 7.6 s, 100,000 runs 100 s).
    calls = 0
    original = StyleResolver._para_style

    def counting(self: StyleResolver, p: object) -> str | None:
        nonlocal calls
        calls += 1
        return original(self, p)  # type: ignore[arg-type]

    monkeypatch.setattr(StyleResolver, "_para_style", counting)
    check_docx(_many_runs(10))
    few = calls
    calls = 0
    report = check_docx(_many_runs(30_000))
    assert calls == few  # per paragraph: the same count with 30,000 runs more
    assert few < 200
    assert "body.size" not in {f.rule for f in report.findings}


def test_deep_style_chain_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from service.conformance import styles

    data = cd.to_bytes(cd.decision())
    depth = 3000
    chain = "".join(
        f'<w:style w:type="paragraph" w:styleId="D{i}"><w:basedOn w:val="D{i - 1}"/>'
        f'<w:pPr><w:spacing w:after="{i % 7}"/></w:pPr></w:style>'
        for i in range(1, depth)
    )
    data = _edit(data, "word/styles.xml", lambda s: s.replace("</w:styles>", chain + "</w:styles>"))
    data = _edit(
        data,
        "word/document.xml",
        lambda s: s.replace("<w:p>", f'<w:p><w:pPr><w:pStyle w:val="D{depth - 1}"/></w:pPr>'),
    )
    calls = 0
    original = styles._read_ppr

    def counting(*args: object) -> None:
        nonlocal calls
        calls += 1
        original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(styles, "_read_ppr", counting)
    check_docx(data)
    assert calls < depth + 200  # each style once, then each paragraph's own w:pPr


def _limit(tag: str) -> int:
    return next(most for name, most, _ in LIMITS if name == tag)


@pytest.mark.parametrize(
    ("element", "message"),
    [
        (
            "<w:p/>" * (_limit("p") + 1),
            f"đoạn văn, giới hạn {vn.format_int(_limit('p'))} đoạn văn.",
        ),
        (
            "<w:p>" + "<w:r/>" * (_limit("r") + 1) + "</w:p>",
            f"giới hạn {vn.format_int(_limit('r'))} đoạn chữ (w:r).",
        ),
        (
            "<w:tbl>" + "<w:tr/>" * (_limit("tr") + 1) + "</w:tbl>",
            f"hàng bảng, giới hạn {vn.format_int(_limit('tr'))} hàng bảng.",
        ),
        (
            "<w:sectPr/>" * _limit("sectPr"),
            f"có {vn.format_int(_limit('sectPr') + 1)} phần (section), giới hạn "
            f"{vn.format_int(_limit('sectPr'))} phần (section).",
        ),
    ],
    ids=["paragraphs", "runs", "rows", "sections"],
)
def test_document_over_the_limits_is_refused(element: str, message: str) -> None:
    data = _edit(
        cd.to_bytes(cd.decision()),
        "word/document.xml",
        lambda s: s.replace("<w:body>", "<w:body>" + element, 1),
    )
    with pytest.raises(DocxTooLarge) as info:
        check_docx(data)
    exc = info.value
    assert isinstance(exc, NotADocx) and isinstance(exc, PayloadTooLarge)
    assert exc.status == 413
    assert exc.detail.startswith("Văn bản quá lớn để kiểm tra: có ")
    assert message in exc.detail


def test_limits_count_the_headers_and_footers_too(monkeypatch: pytest.MonkeyPatch) -> None:
    data = cd.to_bytes(cd.decision())
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        body = len(etree.fromstring(zf.read("word/document.xml")).findall(f".//{qn('w:p')}"))
        headers = sum(
            len(etree.fromstring(zf.read(name)).findall(f".//{qn('w:p')}"))
            for name in zf.namelist()
            if re.fullmatch(r"word/(header|footer)\d+\.xml", name)
        )
    assert headers > 0

    def limit_paragraphs(n: int) -> None:
        limits = tuple((tag, n if tag == "p" else most, label) for tag, most, label in LIMITS)
        monkeypatch.setattr(pkg_module, "LIMITS", limits)

    limit_paragraphs(body + headers)
    check_docx(data)
    limit_paragraphs(body + headers - 1)
    with pytest.raises(DocxTooLarge, match=f"có {body + headers} đoạn văn"):
        check_docx(data)
