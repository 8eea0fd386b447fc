"""Appendix rules (nd30, appendix form): the "(Kèm theo …)" note after the signature."""

from __future__ import annotations

import re

from service.conformance.common import quote
from service.conformance.layout import Layout, line_under
from service.conformance.model import Document, Para
from service.conformance.report import Finding, error
from service.vn import fold

_NOTE = re.compile(r"^\(\s*kem theo\b")
_BY = re.compile(r"\bcủa\s+\S.*\)$")


def check_appendix(doc: Document, layout: Layout) -> list[Finding]:
    """Check each appendix note after the signature: it names its issuer, a rule follows it.

    "(Kèm theo Quyết định số 12/QĐ-UBND ngày 20 tháng 11 năm 2024 của Ủy ban nhân
    dân thị xã Bỉm Sơn)", then a short line drawn under it.
    """
    table = layout.signature_table
    if table is None:
        return []
    after = doc.blocks[doc.blocks.index(table) + 1 :]
    out: list[Finding] = []
    for i, note in enumerate(after):
        if not isinstance(note, Para) or not _NOTE.match(fold(note.display)):
            continue
        if not _BY.search(note.display):
            expected = "(Kèm theo … của <cơ quan, người ban hành>)"
            out.append(error("appendix.note", expected, quote(note.display), note.where))
        # The paragraphs from the note on, up to a table: the line is the note's or the next's.
        paras = [note]
        for block in after[i + 1 :]:
            if not isinstance(block, Para):
                break
            paras.append(block)
        if line_under(layout, paras, 0) is None:
            expected = "đường kẻ ngang dưới dòng “(Kèm theo …)”"
            out.append(error("appendix.line", expected, "không có đường kẻ", note.where))
    return out
