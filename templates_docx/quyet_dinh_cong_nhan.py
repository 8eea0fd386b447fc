"""Quyết định công nhận units reaching "An toàn về an ninh, trật tự" (TT 124/2021/TT-BCA).

The recognised units are listed in a Danh sách attached after the signature,
whatever their number (1 or 2,000), as decisions of this kind usually do.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from service import content, layout, vn
from service.schemas import Model, ShortText
from templates_docx import _decision
from templates_docx import _fragments as f

ID = "quyet-dinh-cong-nhan"
DOC_TYPE = "QĐ"
TYPE_NAME = "QUYẾT ĐỊNH"
NAME = "Quyết định công nhận"
VERSION = "1"
ORIENTATION = "portrait"

STANDARD = "“An toàn về an ninh, trật tự”"
# A kind of unit is a short noun phrase ("khu dân cư"; "cơ quan, doanh nghiệp, nhà
# trường"); it heads the list's column and runs in the title and Điều 1 and 3.
UNIT_KIND_MAX = 100


class Unit(Model):
    """A recognised unit: khu dân cư, cơ quan, doanh nghiệp, nhà trường …"""

    name: ShortText = Field(description="Tên đơn vị, ví dụ: Khu phố 1")
    address: ShortText | None = Field(default=None, description="Thuộc / địa chỉ")
    note: ShortText | None = None


class Data(_decision.DecisionData):
    """Recognise ``units`` as reaching the standard in ``year``."""

    year: int = Field(ge=2000, le=2100, description="Năm công nhận")
    unit_kind: Annotated[ShortText, Field(max_length=UNIT_KIND_MAX)] = Field(
        default="khu dân cư", description="Loại đơn vị: khu dân cư; cơ quan, doanh nghiệp …"
    )
    units: list[Unit] = Field(min_length=1, max_length=2000)
    executors: list[ShortText] = Field(min_length=1, max_length=30)


def context(p: Any) -> dict[str, Any]:
    """Template values for a prepared recognition decision."""
    data: Data = p.data
    count = len(data.units)
    kind = data.unit_kind
    # Sentences made here from validated data: not validated again against the client's
    # limits, which they may exceed without being wrong.
    article = content.Article.model_construct
    articles = [
        article(
            text=f"Công nhận {vn.format_int(count)} {kind} đạt tiêu chuẩn {STANDARD} "
            f"năm {data.year} (có danh sách kèm theo)."
        ),
        article(text="Quyết định này có hiệu lực kể từ ngày ký."),
        article(
            text=", ".join(data.executors)
            + f" và các {kind} có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này."
        ),
    ]
    ctx = _decision.decision_context(p)
    ctx["blocks"] = content.end_mark(content.article_blocks(articles))
    ctx["recipients"] = vn.recipient_lines(
        list(data.recipients), list(data.archive), first=f"Như Điều {len(articles)}"
    )
    ctx["appendix"] = {
        "title": appendix_title(kind, data.year),
        **appendix_note(p),
        "blocks": [
            # Built from validated data, not validated again: a column heading made
            # from the kind is not the client's text, and must not fail its limits.
            content.table_block(
                content.TableData.model_construct(
                    columns=["STT", f"Tên {kind}", "Địa chỉ", "Ghi chú"],
                    widths=[0.7, 3.6, 3.2, 1.6],
                    rows=[[n, u.name, u.address, u.note] for n, u in enumerate(data.units, 1)],
                    caption=None,
                )
            )
        ],
    }
    return ctx


# The largest number a document takes (CommonData.number): the note is laid out for it.
_WIDEST_NUMBER = 999_999


def appendix_title(kind: str, year: int) -> list[str]:
    """The appendix's title in capitals, as lines.

    Too long for one line, it breaks before the quoted standard when both parts then
    fit a line each ("DANH SÁCH KHU DÂN CƯ ĐẠT TIÊU CHUẨN" / "“AN TOÀN VỀ AN NINH,
    TRẬT TỰ” NĂM 2024"), instead of inside it ("… VỀ AN" / "NINH, TRẬT TỰ” …").
    """
    head = vn.upper(f"Danh sách {kind} đạt tiêu chuẩn")
    tail = vn.upper(f"{STANDARD} năm {year}")

    def lines(text: str) -> int:
        return len(
            layout.wrapped_widths_pt(
                text, layout.SIZE_BODY / 2, bold=True, avail_twips=layout.TEXT_W
            )
        )

    whole = f"{head} {tail}"
    if lines(whole) > 1 and lines(head) == 1 and lines(tail) == 1:
        return [head, tail]
    return [whole]


def appendix_note(p: Any) -> dict[str, Any]:
    """The note under the appendix's title, as lines, and the rule under it.

    "(Kèm theo Quyết định số 12/QĐ-UBND ngày 20 tháng 11 năm 2024 của Ủy ban nhân
    dân thị xã Bỉm Sơn)": the decision the appendix belongs to and who issued it
    (nd30, appendix form), then a short centred rule sized as the subject's. A note
    too long for one line breaks before "của", as clerks break it, not inside the
    issuer's name. Both are laid out for the widest number: the register may give
    the number after the render (``documents.NumberedRenderer``), and its digits
    must move neither the break nor the rule.
    """
    by = _decision.issuing_authority(p)

    def note(symbol: str, *, split: bool) -> list[str]:
        cited = f"(Kèm theo Quyết định số{_sep(symbol)}{symbol} {citation_date(p)}"
        return [cited, f"của {by})"] if split else [f"{cited} của {by})"]

    widest = vn.symbol(_WIDEST_NUMBER, p.type_code, p.issuer.abbreviation)
    [whole] = note(widest, split=False)
    width = layout.TEXT_W
    split = len(layout.wrapped_widths_pt(whole, 14, bold=False, italic=True, avail_twips=width)) > 1
    return {
        "note": note(p.symbol, split=split),
        "rule": layout.centred_rule(
            note(widest, split=split), 14, bold=False, italic=True, avail_twips=width, ratio=0.4
        ),
    }


def _sep(symbol: str) -> str:
    """No extra space before a blank draft number, which starts with spaces."""
    return "" if symbol.startswith(" ") else " "


def citation_date(p: Any) -> str:
    """ "ngày 20 tháng 11 năm 2024" for a citation, blank day and month in a draft."""
    line = vn.date_line("-", None if p.data.draft else p.date, year=p.date.year)
    return line.split(", ", 1)[1]


def _appendix() -> str:
    page_break = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
    return (
        page_break
        + f.lines("VBAppendixTitle", "appendix.title")
        + f.lines("VBAppendixNote", "appendix.note")
        # The table starts a body paragraph's spacing (6 pt) under the line, as the text
        # under the subject's line does.
        + f.rule("appendix.rule", after=120)
        + f.blocks("appendix.blocks")
    )


def source() -> str:
    """The template body."""
    return _decision.decision_source(TYPE_NAME, appendix=_appendix())
