"""Signature table rules (nd30 §2 items 7, 9b, §5): Nơi nhận and the signer's block."""

from __future__ import annotations

import re

from service.conformance.common import (
    all_bold,
    any_bold,
    is_upper,
    para_style,
    quote,
    size_finding,
    style_label,
)
from service.conformance.layout import Layout
from service.conformance.model import Cell, Para, Table
from service.conformance.report import Finding, error, warning
from service.conformance.values import count

PREFIXES = frozenset({"TM.", "KT.", "TL.", "TUQ.", "Q."})
_PREFIX_LIKE = re.compile(r"^(?:T\.?/?M|K\.?/?T|T\.?/?L|TUQ|Q)\.?$")
_ACADEMIC = re.compile(r"^(?:PGS|GS|TSKH|TS|ThS|KS|BS|NCS)\s*\.", re.IGNORECASE)
_LAST_RECIPIENT = re.compile(r"^- Lưu: VT,\s*\S.*\.$")
_AS_ARTICLE = re.compile(r"Như Điều ([0-9]+)")
_MIN_BLANKS = 3
_MIN_GAP_TWIPS = 720  # spacing before the name that stands in for blank lines


def _signer_cell(table: Table) -> Cell | None:
    for row in table.rows:
        cells = [c for c in row if any(not p.empty for p in c.paras)]
        if cells and not any(p.display.startswith("Nơi nhận") for p in cells[-1].paras):
            return cells[-1]
    return None


def signing_collective(layout: Layout) -> str | None:
    """The collective a ``TM.`` signature signs for (``ỦY BAN NHÂN DÂN``), else None."""
    table = layout.signature_table
    cell = _signer_cell(table) if table is not None else None
    first = next((p for p in cell.paras if not p.empty), None) if cell is not None else None
    if first is None or not first.display.startswith("TM."):
        return None
    return first.display[3:].strip() or None


def check_recipients(layout: Layout, last_article: int | None) -> list[Finding]:
    """Check "Nơi nhận:" (12 pt bold italic) and its lines (11 pt, "- …;", "- Lưu: VT, ….")."""
    table = layout.signature_table
    if table is None:
        return []
    out: list[Finding] = []
    heading = next((p for p in table.paragraphs() if p.display.startswith("Nơi nhận")), None)
    if heading is None:
        return [error("recipients.heading", "Nơi nhận:", "không có", table.label)]
    found = []
    if heading.display != "Nơi nhận:":
        found.append(quote(heading.display, 20))
    if (f := size_finding("recipients.heading", heading, 12, 12)) is not None:
        found.append(f.found)
    if not all(r.props.bold and r.props.italic for r in heading.text_runs):
        found.append(para_style(heading))
    if found:
        expected = "“Nơi nhận:” 12 pt, đậm nghiêng"
        out.append(error("recipients.heading", expected, "; ".join(found), heading.where))
    cell = table.rows[heading.row - 1][heading.col - 1]
    lines = [p for p in cell.paras[cell.paras.index(heading) + 1 :] if not p.empty]
    if not lines:
        return out + [error("recipients.lines", "- Lưu: VT, ….", "không có", heading.where)]
    for i, para in enumerate(lines):
        text = para.display
        last = i == len(lines) - 1
        if last and not _LAST_RECIPIENT.match(text):
            out.append(error("recipients.lines", "- Lưu: VT, <đơn vị>.", quote(text), para.where))
        elif not last and not (text.startswith("- ") and text.endswith(";")):
            out.append(error("recipients.lines", "- <nơi nhận>;", quote(text), para.where))
        if (f := size_finding("recipients.lines", para, 11, 11)) is not None:
            out.append(f)
        if any_bold(para):
            out.append(error("recipients.lines", "đứng, không đậm", para_style(para), para.where))
        m = _AS_ARTICLE.search(text)
        if m and last_article is not None and count(m.group(1)) != last_article:
            expected = f"Như Điều {last_article}"
            out.append(warning("recipients.lines", expected, quote(m.group(0)), para.where))
    return out


def _authority_line(para: Para, out: list[Finding]) -> None:
    text = para.display
    token = text.split()[0]
    problems = []
    if token not in PREFIXES and _PREFIX_LIKE.match(token.upper()) and len(text.split()) > 1:
        problems.append(f"tiền tố {quote(token)}")
    if not is_upper(text):
        problems.append("không in hoa")
    if not all_bold(para):
        problems.append(para_style(para))
    if (f := size_finding("signature.authority", para, 13, 14)) is not None:
        problems.append(f.found)
    if problems:
        expected = "in hoa, đậm, 13–14 pt; tiền tố TM./KT./TL./TUQ./Q."
        found = f"{quote(text, 40)}: {', '.join(problems)}"
        out.append(error("signature.authority", expected, found, para.where))


def check_signature(layout: Layout) -> list[Finding]:
    """Check the signer block: authority lines, space for the signature, the signer's name."""
    table = layout.signature_table
    if table is None:
        if layout.profile == "certificate":
            return [warning("signature.authority", "khối chữ ký", "không tìm thấy", "section 1")]
        return [error("signature.authority", "bảng chữ ký 2 cột", "không có", "section 1")]
    cell = _signer_cell(table)
    texts = [p for p in cell.paras if not p.empty] if cell is not None else []
    if len(texts) < 2 or cell is None:
        return [error("signature.authority", "thẩm quyền ký và họ tên", "không có", table.label)]
    out: list[Finding] = []
    paras = cell.paras
    first_blank = next((i for i, p in enumerate(paras) if p.empty and i > 0), len(paras))
    authority = [p for p in paras[:first_blank] if not p.empty]
    name = texts[-1]
    position = [p for p in texts if p not in authority and p is not name]
    for para in authority + position:
        _authority_line(para, out)
    after = paras[first_blank:]
    blanks = next((i for i, p in enumerate(after) if not p.empty), len(after))
    following = texts[len(authority)] if len(texts) > len(authority) else name
    if blanks < _MIN_BLANKS and following.props.before < _MIN_GAP_TWIPS:
        found = f"{blanks} dòng trống"
        out.append(warning("signature.space", "3–4 dòng trống để ký", found, following.where))
    problems = []
    if _ACADEMIC.match(name.display):
        problems.append("có học hàm, học vị")
    if is_upper(name.display):
        problems.append("in hoa toàn bộ")
    if not all_bold(name):
        problems.append(para_style(name))
    if (f := size_finding("signature.name", name, 13, 14)) is not None:
        problems.append(f.found)
    if problems:
        expected = f"họ tên chữ thường, {style_label(True, False)}, không học hàm"
        found = f"{quote(name.display, 40)}: {', '.join(problems)}"
        out.append(error("signature.name", expected, found, name.where))
    return out
