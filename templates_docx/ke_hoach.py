"""Kế hoạch: parts I. MỤC ĐÍCH, YÊU CẦU → II. NỘI DUNG → III. TỔ CHỨC THỰC HIỆN …"""

from __future__ import annotations

from typing import Any

from service import vn
from templates_docx import _fragments as f
from templates_docx import _structured
from templates_docx._structured import StructuredData

ID = "ke-hoach"
DOC_TYPE = "KH"
TYPE_NAME = "KẾ HOẠCH"
NAME = "Kế hoạch"
VERSION = "1"
ORIENTATION = "portrait"


class Data(StructuredData):
    """A plan: opening paragraphs and parts, numbered from their structure."""


def context(p: Any) -> dict[str, Any]:
    """Template values for a prepared plan."""
    data: Data = p.data
    return {
        "blocks": _structured.blocks(p),
        "recipients": vn.recipient_lines(list(data.recipients), list(data.archive)),
    }


def source() -> str:
    """The template body."""
    return f.header_table() + f.title(TYPE_NAME) + f.blocks() + f.signature_table()
