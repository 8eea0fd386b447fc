"""Báo cáo (sơ kết / tổng kết): nested numbered parts, bullets, tables of figures."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from service import vn
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
        "kinh_gui": vn.kinh_gui_lines(list(data.kinh_gui)) if data.kinh_gui else [],
        "blocks": blocks,
        "recipients": vn.recipient_lines(list(data.recipients), list(data.archive), first=first),
    }


def source() -> str:
    """The template body."""
    return (
        f.header_table()
        + f.title(TYPE_NAME)
        + f.tag("{%p for line in kinh_gui %}")
        + f.value("VBKinhGui", "line")
        + f.tag("{%p endfor %}")
        + f.blocks()
        + f.signature_table()
    )
