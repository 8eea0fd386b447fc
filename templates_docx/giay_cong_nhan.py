"""Giấy công nhận: the landscape certificate for one recognised unit, citing its decision.

Not an ND30 text document (nd30 §1, §3): A4 landscape, numbered in a book of
its own (GCN), no Nơi nhận, no page numbers.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from pydantic import ConfigDict, Field, model_validator

from service import layout, vn
from service.schemas import CommonData, DocDate, Model, ShortText, Text
from templates_docx import _decision
from templates_docx import _fragments as f
from templates_docx.quyet_dinh_cong_nhan import STANDARD, Unit

ID = "giay-cong-nhan"
DOC_TYPE = "GCN"
TYPE_NAME = "GIẤY CÔNG NHẬN"
NAME = "Giấy công nhận"
VERSION = "1"
ORIENTATION = "landscape"


class DecisionRef(Model):
    """The recognition decision the certificate cites."""

    symbol: ShortText = Field(
        pattern=r"^\d{2,}/[^\s/]+$", description="Số, ký hiệu, ví dụ: 15/QĐ-UBND"
    )
    date: DocDate
    by: ShortText | None = Field(
        default=None, description="Người/cơ quan ban hành, ví dụ: Chủ tịch UBND phường Bắc Sơn"
    )
    about: Text | None = Field(
        default=None, description="Trích yếu của quyết định, ví dụ: Về việc công nhận khu dân cư …"
    )


def _summary_optional(schema: dict[str, Any]) -> None:
    """The published schema says what validation does: a missing summary gets the default."""
    schema["required"] = [name for name in schema.get("required", []) if name != "summary"]


class Data(CommonData):
    """A certificate for one unit; it cites its decision and has no Nơi nhận."""

    model_config = ConfigDict(json_schema_extra=_summary_optional)

    summary: ShortText = Field(
        description="Trích yếu ghi vào sổ (mặc định: Giấy công nhận <đơn vị> đạt tiêu chuẩn …)",
    )
    unit: Unit
    year: int = Field(ge=2000, le=2100)
    decision: DecisionRef
    achievement: ShortText = Field(default=f"Đạt tiêu chuẩn {STANDARD}")
    authority_line: ShortText | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_summary(cls, value: Any) -> Any:
        """Name the unit in the trích yếu of the register when none is given.

        Without a usable unit name there is no default to make; the unit's own
        error is reported then, not a second one for the summary it would give.
        """
        if isinstance(value, dict) and not value.get("summary"):
            unit, year = value.get("unit"), value.get("year")
            name = unit.get("name") if isinstance(unit, dict) else None
            value = {**value, "summary": _summary(name if isinstance(name, str) else "", year)}
        return value


# The summary's limit (ShortText): the default must stay within it.
SUMMARY_MAX = 300


def _summary(unit_name: str, year: Any) -> str:
    """The default trích yếu, within SUMMARY_MAX whatever the unit's name.

    A name too long for the whole sentence (some 230 characters and more; a name
    may take 300) is cut at a word and marked "…": the summary only identifies
    the certificate in the register, which prints the name in full.
    """
    name = unicodedata.normalize("NFC", unit_name).strip()
    if isinstance(year, str) and year.strip().isdecimal() and len(year.strip()) == 4:
        year = int(year)  # "2024" from a CSV cell or a lax client: validation takes it
    tail = f" năm {year}" if isinstance(year, int) and not isinstance(year, bool) else ""
    head, rest = "Giấy công nhận ", f" đạt tiêu chuẩn {STANDARD}{tail}"
    room = SUMMARY_MAX - len(head) - len(rest)
    if len(name) > room:
        cut = name[: room - 1]
        word = cut.rsplit(" ", 1)[0] if " " in cut[room // 2 :] else cut
        name = word.rstrip(" ,;:-") + "…"
    return f"{head}{name}{rest}"


def context(p: Any) -> dict[str, Any]:
    """Template values for a prepared certificate."""
    data = p.data
    ref = data.decision
    by = f" của {ref.by}" if ref.by else ""
    about = (ref.about or f"về việc công nhận đạt tiêu chuẩn {STANDARD} năm {data.year}").rstrip(
        ".;,"
    )
    about = about[:1].lower() + about[1:]
    return {
        "authority": _decision.authority_line(p),
        "basis": f"Căn cứ Quyết định số {ref.symbol} ngày {vn.short_date(ref.date)}{by} {about},",
        "unit_name": vn.upper(data.unit.name),
        "unit_address": data.unit.address or "",
        "achievement": f"{data.achievement} năm {data.year}",
    }


def _big(expr: str, half_points: int, *, b: bool = True, i: bool = False) -> str:
    rpr = "<w:b/><w:bCs/>" if b else '<w:b w:val="0"/><w:bCs w:val="0"/>'
    rpr += "<w:i/><w:iCs/>" if i else ""
    rpr += f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
    return f.para(
        "VBSubject",
        f"<w:r><w:rPr>{rpr}</w:rPr>{f.t('{{ ' + expr + ' }}')}</w:r>",
        ppr='<w:spacing w:before="200" w:after="120"/>',
    )


def source() -> str:
    """The template body."""
    return (
        f.header_table(layout.LAND_TEXT_W)
        + f.para(
            "VBTypeName",
            '<w:r><w:rPr><w:b/><w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr>'
            + f.t(TYPE_NAME)
            + "</w:r>",
            ppr='<w:spacing w:before="360" w:after="120"/>',
        )
        + f.value("VBAuthority", "authority")
        + f.para("VBAppendixNote", f.run("{{ basis }}", i=True))
        + f.literal("VBDecides", "CÔNG NHẬN:")
        + _big("unit_name", 36)
        + f.tag("{%p if unit_address %}")
        + _big("unit_address", 28, b=False)
        + f.tag("{%p endif %}")
        + _big("achievement", 32)
        + f.signature_table(recipients=False, width=layout.LAND_TEXT_W)
    )
