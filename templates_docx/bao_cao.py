"""Báo cáo (sơ kết / tổng kết): nested numbered parts, bullets, tables of figures."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from service import layout, vn
from service.schemas import ShortText
from templates_docx import _fragments as f
from templates_docx import _structured
from templates_docx._structured import StructuredData

ID = "bao-cao"
DOC_TYPE = "BC"
TYPE_NAME = "BÁO CÁO"
NAME = "Báo cáo"
VERSION = "1"
ORIENTATION = "portrait"


class Data(StructuredData):
    """A report: optional Kính gửi, then content whose top sections are parts I., II. …"""

    kinh_gui: list[ShortText] = Field(
        default_factory=list, max_length=30, description="Nơi được kính gửi (báo cáo lên trên)"
    )


def context(p: Any) -> dict[str, Any]:
    """Template values for a prepared report."""
    data: Data = p.data
    blocks = _structured.blocks(p)
    first = "Như trên" if data.kinh_gui else None
    return {
        "kinh_gui": kinh_gui_entries(list(data.kinh_gui)) if data.kinh_gui else [],
        "blocks": blocks,
        "recipients": vn.recipient_lines(list(data.recipients), list(data.archive), first=first),
    }


# Several recipients after "Kính gửi:": their dashes stand in one column just after
# the colon (as the decree's forms set them), the first on the line of "Kính gửi:".
KINH_GUI_DASHES = 2835  # twips from the text's left edge (5 cm)
KINH_GUI_GAP = 170  # twips between the colon and the first dash (3 mm)


def kinh_gui_entries(recipients: list[str]) -> list[dict[str, str | None]]:
    """The Kính gửi paragraphs: one centred line, or "Kính gửi:" and a column of "- …" lines."""
    lines = vn.kinh_gui_lines(recipients)
    if len(lines) == 1:
        return [{"lead": None, "text": lines[0], "column": None}]
    first: dict[str, str | None] = {"lead": lines[0], "text": lines[1], "column": "first"}
    return [first, *({"lead": None, "text": line, "column": "next"} for line in lines[2:])]


def _kinh_gui() -> str:
    lead_w = round(vn.text_width_pt("Kính gửi:", layout.SIZE_BODY / 2) * 20) + KINH_GUI_GAP
    x = KINH_GUI_DASHES
    column = f'<w:spacing w:before="0"/><w:ind w:left="{x}"/><w:jc w:val="left"/>'
    first = (
        f'<w:tabs><w:tab w:val="left" w:pos="{x}"/></w:tabs>'
        f'<w:ind w:left="{x}" w:hanging="{lead_w}"/><w:jc w:val="left"/>'
    )
    ppr = (
        "{% if k.column == 'first' %}"
        + first
        + "{% elif k.column == 'next' %}"
        + column
        + "{% endif %}"
    )
    lead = "{% if k.lead %}" + f.run("{{ k.lead }}") + "<w:r><w:tab/></w:r>{% endif %}"
    return (
        f.tag("{%p for k in kinh_gui %}")
        + f.para("VBKinhGui", lead + f.run("{{ k.text }}"), ppr=ppr)
        + f.tag("{%p endfor %}")
    )


def source() -> str:
    """The template body."""
    return f.header_table() + f.title(TYPE_NAME) + _kinh_gui() + f.blocks() + f.signature_table()
