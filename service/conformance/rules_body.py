"""Body rules (nd30 §1, §2 items 5–6): type name, subject, decision parts, body text, end mark."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from service.conformance.common import (
    all_bold,
    all_italic,
    any_bold,
    is_upper,
    mm,
    para_style,
    quote,
    rule_ratio_finding,
    size_finding,
    widest_line,
)
from service.conformance.layout import TYPE_NAMES, Layout, Line, line_under
from service.conformance.model import Para
from service.conformance.report import Finding, error, warning
from service.conformance.rules_header import number_symbol_type
from service.vn import TYPE_CODES, fold, upper

_TYPE_BY_FOLD = {fold(name): name for name in TYPE_NAMES}
_CODE_BY_NAME = {upper(name): code for name, code in TYPE_CODES.items()}
_DECISION_HEADING = re.compile(r"^QUYẾT ĐỊNH\s*:$")
_INDENTS = (567, 720)
_INDENT_TOLERANCE = 10


@dataclass
class Body:
    """The top-level paragraphs of the body, split into title, subject and content."""

    title: Para | None = None
    subject: list[Para] = field(default_factory=list)
    line: Line | None = None
    content: list[Para] = field(default_factory=list)
    # "Kính gửi:" and its "- …" lines before the content (nd30 §2 item 9a): not body text.
    kinh_gui: list[Para] = field(default_factory=list)

    @property
    def doc_type(self) -> str | None:
        """Return the type name in upper case ("QUYẾT ĐỊNH"), when the title is one."""
        if self.title is None:
            return None
        return _TYPE_BY_FOLD.get(fold(self.title.display))


def split_body(layout: Layout) -> Body:
    """Split the body blocks into the type name, the subject and the content paragraphs."""
    paras = [b for b in layout.body if isinstance(b, Para)]
    body = Body()
    filled = [i for i, p in enumerate(paras) if not p.empty]
    if layout.vv is not None or not filled or layout.profile != "nd30":
        body.content = [p for p in paras if not p.empty]
        return body
    start = filled[0]
    body.title = paras[start]
    if body.doc_type is None:
        body.content = [p for p in paras[start:] if not p.empty]
        return body
    end = start
    for i in range(start + 1, len(paras)):
        para = paras[i]
        if para.empty or para.props.jc != "center":
            break
        if body.subject and is_upper(para.display):
            break  # an authority line ("CHỦ TỊCH …") right under a subject without its line
        body.subject.append(para)
        end = i
        if "bottom" in para.props.borders:
            break
    if body.subject:
        body.line = line_under(layout, paras, end)
        if body.line is not None and body.line.para is not body.subject[-1]:
            end = paras.index(body.line.para)
    body.content = [p for p in paras[end + 1 :] if not p.empty]
    _split_kinh_gui(body)
    return body


def _split_kinh_gui(body: Body) -> None:
    content = body.content
    if not content or not content[0].display.startswith("Kính gửi"):
        return
    n = 1
    after = content[0].display.partition(":")[2].strip()
    multi = not after or after.startswith("-")  # "Kính gửi:" alone, or with its first "- …"
    while multi and n < len(content) and content[n].display.startswith("- "):
        n += 1
    body.kinh_gui, body.content = content[:n], content[n:]


def check_title(layout: Layout, body: Body) -> list[Finding]:
    """Check the type name, the subject and its line (or the V/v line of a công văn)."""
    out: list[Finding] = []
    if layout.vv is not None:
        vv = layout.vv
        if (f := size_finding("subject.size", vv, 12, 13)) is not None:
            out.append(f)
        if any_bold(vv):
            out.append(error("subject.bold", "đứng, không đậm", para_style(vv), vv.where))
        return out
    title = body.title
    if title is None:
        return [error("title.type", "tên loại văn bản", "không có", "paragraph 1")]
    expected = "tên loại in hoa (QUYẾT ĐỊNH, KẾ HOẠCH, BÁO CÁO …)"
    if body.doc_type is None or title.display != body.doc_type:
        out.append(error("title.type", expected, quote(title.display), title.where))
    if body.doc_type is None:
        return out
    if not all_bold(title):
        out.append(error("title.bold", "đậm", para_style(title), title.where))
    if (f := size_finding("title.size", title, 13, 14)) is not None:
        out.append(f)
    if title.props.jc != "center":
        out.append(error("title.align", "căn giữa", f"căn {title.props.jc or 'trái'}", title.where))
    code, symbol_code = _CODE_BY_NAME.get(body.doc_type), number_symbol_type(layout)
    if code is not None and symbol_code is not None and code != symbol_code:
        out.append(error("number.type", f"ký hiệu {code}-…", f"{symbol_code}-…", title.where))
    out += _check_subject(layout, body)
    return out


def _check_subject(layout: Layout, body: Body) -> list[Finding]:
    assert body.title is not None
    if not body.subject:
        return [
            error("subject.text", "trích yếu căn giữa dưới tên loại", "không có", body.title.where)
        ]
    out: list[Finding] = []
    for para in body.subject:
        if not all_bold(para):
            out.append(error("subject.bold", "đậm", para_style(para), para.where))
        if (f := size_finding("subject.size", para, 13, 14)) is not None:
            out.append(f)
    expected = "đường kẻ dài 1/3–1/2 dòng chữ"
    last = body.subject[-1]
    if body.line is None:
        return out + [error("subject.line", expected, "không có đường kẻ", last.where)]
    if body.line.length is not None and layout.page_width:
        # A long subject wraps: the rule goes by the widest line as it wraps.
        width = max(widest_line(p, layout.page_width) for p in body.subject)
        where = body.line.para.where
        if (f := rule_ratio_finding("subject.line", body.line.length, width, where)) is not None:
            out.append(f)
    return out


def check_decision(body: Body, collective: str | None = None) -> list[Finding]:
    """Check a decision's authority line, legal bases and the "QUYẾT ĐỊNH:" line.

    ``collective``: the body a ``TM.`` signature signs for. The power used is then
    the collective's, and the authority line names the body, not its head (nd30
    §2 item 6): "ỦY BAN NHÂN DÂN PHƯỜNG …", not "CHỦ TỊCH ỦY BAN NHÂN DÂN …".
    """
    if body.doc_type != "QUYẾT ĐỊNH":
        return []
    out: list[Finding] = []
    content = body.content
    heading = next((p for p in content if _DECISION_HEADING.match(p.display)), None)
    where = content[0].where if content else (body.title.where if body.title else "paragraph 1")
    if heading is None:
        out.append(error("decision.heading", "QUYẾT ĐỊNH:", "không có", where))
        return out
    if not all_bold(heading) or heading.props.jc != "center":
        found = f"{para_style(heading)}, căn {heading.props.jc or 'trái'}"
        out.append(error("decision.heading", "đậm, căn giữa", found, heading.where))
    before = content[: content.index(heading)]
    authority = before[0] if before and not fold(before[0].display).startswith("can cu") else None
    if authority is None:
        expected = "thẩm quyền ban hành (CHỦ TỊCH …)"
        out.append(error("decision.authority", expected, "không có", where))
    else:
        bad = not (is_upper(authority.display) and all_bold(authority))
        if bad or authority.props.jc != "center":
            found = f"{quote(authority.display, 40)}, {para_style(authority)}"
            out.append(error("decision.authority", "in hoa, đậm, căn giữa", found, authority.where))
        named, signs_for = fold(authority.display), fold(collective or "")
        if collective and not (named.startswith(signs_for) or signs_for.startswith(named)):
            expected = f"tên tập thể ({collective} …), vì ký TM. {collective}"
            found = quote(authority.display, 40)
            out.append(error("decision.authority", expected, found, authority.where))
        before = before[1:]
    for i, para in enumerate(before):
        last = i == len(before) - 1
        end = ";" if not last else "."
        if not para.display.endswith(end):
            tail = quote(para.display[-12:], 20)
            out.append(error("legal_basis.punctuation", f"kết thúc bằng “{end}”", tail, para.where))
        if not all_italic(para):
            out.append(error("legal_basis.italic", "nghiêng", para_style(para), para.where))
    return out


def check_body_text(layout: Layout, body: Body) -> list[Finding]:
    """Check size, alignment, indent and spacing of the body paragraphs."""
    out: list[Finding] = []
    for para in body.content:
        if (f := size_finding("body.size", para, 13, 14)) is not None:
            out.append(f)
        props = para.props
        if props.jc == "center":
            continue  # headings inside the body (authority line, QUYẾT ĐỊNH:)
        if props.jc != "both":
            out.append(
                error("body.justify", "căn đều hai bên", f"căn {props.jc or 'trái'}", para.where)
            )
        indent = -props.hanging if props.hanging else props.first_line
        if not any(abs(indent - want) <= _INDENT_TOLERANCE for want in _INDENTS):
            out.append(
                error("body.indent", "thụt đầu dòng 10 mm hoặc 12.7 mm", mm(indent), para.where)
            )
        spacing = 0 if props.contextual else props.before + props.after
        if spacing < 120:
            found = f"{spacing / 20:g} pt" + (" (contextualSpacing)" if props.contextual else "")
            out.append(error("body.spacing", "trước + sau ≥ 6 pt", found, para.where))
        if props.line_rule != "auto":
            found = f"{props.line_rule} {(props.line or 0) / 20:g} pt"
            out.append(warning("body.line_spacing", "từ 1 đến 1,5 dòng", found, para.where))
        elif props.line is not None and not 240 <= props.line <= 360:
            found = f"{props.line / 240:.2f} dòng"
            out.append(warning("body.line_spacing", "từ 1 đến 1,5 dòng", found, para.where))
    return out


def check_end_mark(layout: Layout, body: Body) -> list[Finding]:
    """Check that the last content paragraph ends with "./."."""
    if not body.content:
        where = layout.signature_table.label if layout.signature_table else "paragraph 1"
        return [error("end.mark", "./.", "không có nội dung", where)]
    last = body.content[-1]
    if last.display.endswith("./."):
        return []
    return [error("end.mark", "kết thúc bằng “./.”", quote(last.display[-20:], 24), last.where)]
