"""Kế hoạch: parts I. MỤC ĐÍCH, YÊU CẦU → II. NỘI DUNG → III. TỔ CHỨC THỰC HIỆN …"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from service import content as ct
from service import vn
from service.schemas import CommonData
from templates_docx import _fragments as f

ID = "ke-hoach"
DOC_TYPE = "KH"
TYPE_NAME = "KẾ HOẠCH"
NAME = "Kế hoạch"
VERSION = "1"
ORIENTATION = "portrait"


class Data(CommonData):
    """A plan: opening paragraphs and parts, numbered from their structure."""

    content: list[ct.Block] = Field(min_length=1, max_length=5000)

    @field_validator("content")
    @classmethod
    def _depth(cls, value: list[Any]) -> list[Any]:
        if ct.depth(value) > ct.MAX_DEPTH:
            raise ValueError("Mục lồng nhau tối đa 4 cấp (I. → 1. → 1.1. → a))")
        return value


def context(p: Any) -> dict[str, Any]:
    """Template values for a prepared plan."""
    data: Data = p.data
    return {
        "blocks": ct.end_mark(ct.flatten(list(data.content), number_style=p.number_style)),
        "recipients": vn.recipient_lines(list(data.recipients), list(data.archive)),
    }


def source() -> str:
    """The template body."""
    return f.header_table() + f.title(TYPE_NAME) + f.blocks() + f.signature_table()
