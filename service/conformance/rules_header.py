"""Header rules (nd30 §2 items 1–4, 10): Quốc hiệu, Tiêu ngữ, issuing body, number, date."""

from __future__ import annotations

import re
from datetime import date

from service.conformance.common import (
    all_bold,
    all_italic,
    any_bold,
    is_upper,
    para_style,
    quote,
    rule_ratio_finding,
    size_finding,
    text_width,
    widest_line,
)
from service.conformance.layout import Layout, avail_width, cell_of, line_under, siblings
from service.conformance.model import Document, Para
from service.conformance.report import Finding, error, warning
from service.conformance.values import count
from service.vn import TYPE_CODES, fold

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
_URGENCY = frozenset({"khan", "thuong khan", "hoa toc", "mat", "toi mat", "tuyet mat"})
_NUMBER = re.compile(r"^Số:(?P<space>\s*)(?P<num>[^/\s]*)/(?P<sym>\S+)$")
_DATE = re.compile(r"^[^,]+, ngày (?P<d>[0-9]{1,2}) tháng (?P<m>[0-9]{1,2}) năm (?P<y>[0-9]{4})$")
_DRAFT_DATE = re.compile(r"^[^,]+, ngày tháng năm [0-9]{4}$")
_OFFICIAL_CODES = frozenset(TYPE_CODES.values())
TIEU_NGU_TOLERANCE = 0.15
_BOX = frozenset({"top", "left", "bottom", "right"})
BOX_PADDING_PT = 24  # a mark's paragraph box wider than its word by more spans the column


def _missing_where(layout: Layout) -> str:
    return "header table" if layout.header_table is not None else "paragraph 1"


def _bold_check(rule: str, para: Para, findings: list[Finding]) -> None:
    if not all_bold(para):
        findings.append(error(rule, "đậm", para_style(para), para.where))


def _center_check(rule: str, para: Para, findings: list[Finding]) -> None:
    if para.props.jc != "center":
        findings.append(error(rule, "căn giữa", f"căn {para.props.jc or 'trái'}", para.where))


def check_national_title(doc: Document, layout: Layout) -> list[Finding]:
    """Check the Quốc hiệu and the Tiêu ngữ with the line under it."""
    out: list[Finding] = []
    qh, tn = layout.quoc_hieu, layout.tieu_ngu
    if qh is None:
        return [error("quoc_hieu.text", QUOC_HIEU, "không có", _missing_where(layout))]
    if qh.display != QUOC_HIEU:
        out.append(error("quoc_hieu.text", QUOC_HIEU, quote(qh.display), qh.where))
    if (f := size_finding("quoc_hieu.size", qh, 12, 13)) is not None:
        out.append(f)
    _bold_check("quoc_hieu.bold", qh, out)
    _center_check("quoc_hieu.align", qh, out)
    if tn is None:
        out.append(error("tieu_ngu.text", TIEU_NGU, "không có", qh.where))
        return out
    if tn.display != TIEU_NGU:
        out.append(error("tieu_ngu.text", TIEU_NGU, quote(tn.display), tn.where))
    if (f := size_finding("tieu_ngu.size", tn, 13, 14)) is not None:
        out.append(f)
    _bold_check("tieu_ngu.bold", tn, out)
    _center_check("tieu_ngu.align", tn, out)
    expected = "đường kẻ liền dưới Tiêu ngữ, dài bằng dòng chữ"
    if any(r.props.underline for r in tn.text_runs):
        out.append(error("tieu_ngu.line", expected, "gạch chân chữ", tn.where))
        return out
    paras = siblings(doc, tn)
    line = line_under(layout, paras, paras.index(tn))
    if line is None:
        out.append(error("tieu_ngu.line", expected, "không có đường kẻ", tn.where))
    elif line.length is not None:
        width = widest_line(tn, avail_width(layout, tn))
        if abs(line.length - width) > TIEU_NGU_TOLERANCE * width:
            found = f"{line.length:.0f} pt (chữ {width:.0f} pt)"
            out.append(warning("tieu_ngu.line", f"≈ {width:.0f} pt (±15%)", found, line.para.where))
    return out


def check_issuer(doc: Document, layout: Layout) -> list[Finding]:
    """Check the parent and issuing body lines and the line under the issuing body."""
    cell = layout.issuer_cell
    if cell is None:
        where = _missing_where(layout)
        return [
            warning("header.layout", "bảng 2 cột: cơ quan ban hành | Quốc hiệu", "không có", where)
        ]
    out: list[Finding] = []
    lines: list[Para] = []
    for para in cell.paras:
        if para.empty:
            if lines:
                break
            continue
        if para is layout.number or para is layout.vv or fold(para.display) in _URGENCY:
            break
        lines.append(para)
    if not lines:
        return [error("issuer.text", "tên cơ quan ban hành", "không có", cell.paras[0].where)]
    for para in lines:
        if not is_upper(para.display):
            out.append(error("issuer.upper", "chữ in hoa", quote(para.display), para.where))
        if (f := size_finding("issuer.size", para, 12, 13)) is not None:
            out.append(f)
    # The parent body (regular) may come first; from the first bold line on, all is the issuer.
    first_bold = next((i for i, p in enumerate(lines) if all_bold(p)), len(lines) - 1)
    issuing = lines[first_bold:]
    for para in issuing:
        if not all_bold(para):
            found = para_style(para)
            out.append(error("issuer.bold", "tên cơ quan ban hành in đậm", found, para.where))
    line = line_under(layout, cell.paras, cell.paras.index(lines[-1]))
    if line is None:
        expected = "đường kẻ dài 1/3–1/2 dòng chữ"
        out.append(error("issuer.line", expected, "không có đường kẻ", lines[-1].where))
    elif line.length is not None:
        # The name wraps in its cell: the rule goes by the widest line as it wraps.
        width = max(widest_line(p, cell.text_width) for p in issuing)
        where = line.para.where
        if (f := rule_ratio_finding("issuer.line", line.length, width, where)) is not None:
            out.append(f)
    return out


def check_number(layout: Layout) -> list[Finding]:
    """Check "Số: 05/QĐ-UBND": two digits at least, no separator, symbol upper case."""
    para = layout.number
    example = "Số: 05/QĐ-UBND"
    if para is None:
        return [error("number.format", example, "không có", _missing_where(layout))]
    out: list[Finding] = []
    text = para.text.strip()
    m = _NUMBER.match(text)
    ok = m is not None
    if m is not None:
        num, parts = m.group("num"), m.group("sym").split("-")
        if num:
            n = count(num)
            ok = n is not None and n > 0 and num == f"{n:02d}"
        else:
            ok = bool(m.group("space"))  # draft: the number is left blank for the văn thư
        ok = ok and len(parts) >= 2 and all(_symbol_part(p) for p in parts)
    if not ok:
        out.append(error("number.format", example, quote(text), para.where))
    if (f := size_finding("number.size", para, 13, 13)) is not None:
        out.append(f)
    if any_bold(para) or any(r.props.italic for r in para.text_runs):
        out.append(error("number.style", "đứng, không đậm", para_style(para), para.where))
    return out


def _symbol_part(part: str) -> bool:
    if part in _OFFICIAL_CODES:
        return True
    return bool(part) and all(ch.isalnum() and not ch.islower() for ch in part)


def number_symbol_type(layout: Layout) -> str | None:
    """Return the type abbreviation of the symbol ("QĐ" in "05/QĐ-UBND"), when it is one."""
    m = _NUMBER.match(layout.number.text.strip()) if layout.number is not None else None
    if m is None:
        return None
    first = m.group("sym").split("-")[0]
    return first if first in _OFFICIAL_CODES else None


def check_date(layout: Layout) -> list[Finding]:
    """Check "<place>, ngày 05 tháng 3 năm 2020": leading zeros, italic, 13–14 pt."""
    para = layout.date
    example = "<địa danh>, ngày 05 tháng 3 năm 2020"
    if para is None:
        return [error("date.format", example, "không có", _missing_where(layout))]
    out: list[Finding] = []
    text = para.display
    m = _DATE.match(text)
    if m is not None:
        d, mo, y = int(m.group("d")), int(m.group("m")), int(m.group("y"))
        want_d, want_m = f"{d:02d}", f"{mo:02d}" if mo <= 2 else str(mo)
        if m.group("d") != want_d:
            out.append(error("date.format", f"ngày {want_d}", f"ngày {m.group('d')}", para.where))
        if m.group("m") != want_m:
            out.append(error("date.format", f"tháng {want_m}", f"tháng {m.group('m')}", para.where))
        try:
            date(y, mo, d)
        except ValueError:
            out.append(error("date.format", "ngày có thật", quote(text), para.where))
    elif not _DRAFT_DATE.match(text):
        out.append(error("date.format", example, quote(text), para.where))
    if not all_italic(para):
        out.append(error("date.italic", "nghiêng", para_style(para), para.where))
    if (f := size_finding("date.size", para, 13, 14)) is not None:
        out.append(f)
    return out


def check_urgency(layout: Layout) -> list[Finding]:
    """Check urgency and secrecy stamps: upper, bold, 13–14 pt, each in a box of its own."""
    out: list[Finding] = []
    scope = layout.header_table.paragraphs() if layout.header_table is not None else []
    for para in scope:
        if fold(para.display) not in _URGENCY:
            continue
        if not is_upper(para.display):
            out.append(error("urgency.upper", "chữ in hoa", quote(para.display), para.where))
        _bold_check("urgency.bold", para, out)
        if (f := _box_finding(layout, para)) is not None and f not in out:
            out.append(f)  # marks sharing one box: one finding for the cell
        if (f := size_finding("urgency.size", para, 13, 14)) is not None:
            out.append(f)
    return out


def _box_finding(layout: Layout, para: Para) -> Finding | None:
    """The box of a mark: a run border around the word, or a paragraph border of its own."""
    if all(r.props.boxed for r in para.text_runs):
        return None
    if para.props.borders != _BOX:
        return error("urgency.box", "khung viền bốn cạnh", "không đủ khung", para.where)
    # Word and LibreOffice draw adjacent paragraphs with the same borders as one frame.
    cell = cell_of(para)
    paras = cell.paras if cell is not None and para in cell.paras else [para]
    i = paras.index(para)
    for other in paras[max(i - 1, 0) : i] + paras[i + 1 : i + 2]:
        if other.props.borders and _same_box(para, other):
            found = "chung một khung với đoạn liền kề"
            return error("urgency.box", "mỗi dấu một khung riêng", found, para.where)
    avail = avail_width(layout, para)
    if avail:
        box = (avail - para.props.left - para.props.right) / 20
        width = text_width(para)
        if box > width + BOX_PADDING_PT:
            found = f"khung rộng {box:.0f} pt, chữ {width:.0f} pt"
            return warning("urgency.box", "khung bao quanh chữ", found, para.where)
    return None


def _same_box(a: Para, b: Para) -> bool:
    def box(p: Para) -> tuple[frozenset[str], int, int]:
        return p.props.borders, p.props.left, p.props.right

    return box(a) == box(b)
