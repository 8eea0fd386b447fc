"""Structured content (sections, paragraphs, bullets, tables, articles) and its numbering.

Callers send structure; numbering (I. → 1. → 1.1./a) → a), Điều n., points
a, b, c, d, đ …) is generated here, never typed by the caller. The result is a
flat list of blocks the templates print: a paragraph is a style and runs, a
table is widths and rows of cells.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from service import layout, vn
from service.schemas import LongText, Model, ShortText

Cell = str | int | float | Decimal | None


class Paragraph(Model):
    """A body paragraph, optionally opened by an italic lead such as "Một là"."""

    text: LongText
    lead: ShortText | None = Field(default=None, description="Chữ nghiêng mở đầu, ví dụ: Một là")


class Bullets(Model):
    """Lines starting "- " (or "+ " under a bold "- " heading)."""

    bullets: list[LongText] = Field(min_length=1, max_length=500)
    heading: ShortText | None = None
    marker: Literal["-", "+"] | None = None


class Numbered(Model):
    """Numbered paragraphs 1., 2., 3. …"""

    numbered: list[LongText] = Field(min_length=1, max_length=500)


class TableData(Model):
    """A table of figures: header cells and rows; numbers are formatted vi-VN."""

    columns: list[ShortText] = Field(min_length=1, max_length=12)
    rows: list[list[Cell]] = Field(min_length=1, max_length=2000)
    widths: list[float] | None = Field(default=None, description="Tỷ lệ độ rộng các cột")
    caption: ShortText | None = None


class Amount(Model):
    """A sum of money: "<label>: 1.021 đồng (Bằng chữ: Một nghìn không trăm hai mươi mốt đồng)."."""

    amount: int = Field(ge=0, le=vn.MAX_NUMBER)
    label: ShortText = Field(default="Tổng kinh phí", description="Nhãn, ví dụ: Tổng kinh phí")


class Table(Model):
    """A table block."""

    table: TableData


def _block_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        for key, kind in (
            ("title", "section"),
            ("bullets", "bullets"),
            ("numbered", "numbered"),
            ("table", "table"),
            ("amount", "amount"),
            ("text", "paragraph"),
        ):
            if key in value:
                return kind
        return None
    if isinstance(value, Section | Bullets | Numbered | Table | Paragraph | Amount):
        return {
            Amount: "amount",
            Section: "section",
            Bullets: "bullets",
            Numbered: "numbered",
            Table: "table",
            Paragraph: "paragraph",
        }[type(value)]
    return None


class Section(Model):
    """A numbered part with a title and content (nested up to four levels)."""

    title: ShortText
    content: list[Block] = Field(default_factory=list, max_length=2000)
    numbering: Literal["decimal", "letter"] | None = Field(
        default=None, description="Đánh số mục con: 1.1. (decimal) hoặc a) (letter)"
    )


Block = Annotated[
    Annotated[LongText, Tag("text")]
    | Annotated[Paragraph, Tag("paragraph")]
    | Annotated[Bullets, Tag("bullets")]
    | Annotated[Numbered, Tag("numbered")]
    | Annotated[Table, Tag("table")]
    | Annotated[Amount, Tag("amount")]
    | Annotated[Section, Tag("section")],
    Discriminator(_block_kind),
]
Section.model_rebuild()

MAX_DEPTH = 4


def _p(style: str, *runs: tuple[str, bool, bool]) -> dict[str, Any]:
    return {"style": style, "runs": [{"t": t, "b": b, "i": i} for t, b, i in runs]}


def body(text: str) -> dict[str, Any]:
    """A plain body paragraph block."""
    return _p("VBBody", (text, False, False))


def _format_cell(value: Cell) -> tuple[str, bool]:
    """Cell text and whether it is a number (centred)."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("Có" if value else "Không"), False
    if isinstance(value, int):
        return vn.format_int(value), True
    if isinstance(value, float | Decimal):
        return vn.format_decimal(value), True
    return str(value), False


def table_block(data: TableData, *, width: int = layout.TEXT_W) -> dict[str, Any]:
    """A table block with widths in twips summing to ``width``."""
    n = len(data.columns)
    ratios = list(data.widths or [])
    if len(ratios) != n or any(r <= 0 for r in ratios):
        ratios = [0.6 if c.strip().upper() in {"STT", "TT"} else 1.0 for c in data.columns]
    total = sum(ratios)
    widths = [int(width * r / total) for r in ratios]
    widths[-1] += width - sum(widths)
    head = {
        "head": True,
        "cells": [
            {"t": c, "w": w, "style": "VBTableHead"}
            for c, w in zip(data.columns, widths, strict=True)
        ],
    }
    rows = [head]
    for raw in data.rows:
        cells = list(raw[:n]) + [None] * (n - len(raw))
        out = []
        for value, w in zip(cells, widths, strict=True):
            text, numeric = _format_cell(value)
            out.append({"t": text, "w": w, "style": "VBTableText" if numeric else "VBTableLeft"})
        rows.append({"head": False, "cells": out})
    return {"table": True, "width": width, "widths": widths, "rows": rows}


def _label(level: int, index: int, parent: str, numbering: str | None) -> tuple[str, str]:
    """The heading label and the style for a section at ``level``."""
    if level == 1:
        return f"{vn.roman(index)}.", "VBHeading1"
    if level == 2:
        return f"{index}.", "VBHeading2"
    if level == 3 and numbering != "letter":
        return f"{parent}.{index}.", "VBHeading3"
    return f"{vn.point_letter(index - 1)})", "VBHeading4"


def flatten(
    content: list[Any],
    *,
    level: int = 1,
    parent: str = "",
    numbering: str | None = None,
    number_style: vn.NumberStyle | None = None,
) -> list[dict[str, Any]]:
    """Turn nested content into numbered blocks; sections at ``level`` get its labels."""
    out: list[dict[str, Any]] = []
    section_no = 0
    for item in content:
        if isinstance(item, str):
            out.append(body(item))
        elif isinstance(item, Paragraph):
            if item.lead:
                out.append(_p("VBBody", (item.lead, False, True), (", " + item.text, False, False)))
            else:
                out.append(body(item.text))
        elif isinstance(item, Bullets):
            marker = item.marker or ("+" if item.heading else "-")
            if item.heading:
                out.append(_p("VBBody", (f"- {item.heading}", True, False)))
            out.extend(body(f"{marker} {line}") for line in item.bullets)
        elif isinstance(item, Numbered):
            out.extend(body(f"{n}. {line}") for n, line in enumerate(item.numbered, 1))
        elif isinstance(item, Amount):
            words = vn.amount_to_words(item.amount, style=number_style)
            out.append(
                body(f"{item.label}: {vn.format_int(item.amount)} đồng (Bằng chữ: {words}).")
            )
        elif isinstance(item, Table):
            if item.table.caption:
                out.append(_p("VBTableHead", (item.table.caption, True, False)))
            out.append(table_block(item.table))
        elif isinstance(item, Section):
            section_no += 1
            if level > MAX_DEPTH:
                raise ValueError("Mục lồng quá 4 cấp")
            label, style = _label(level, section_no, parent, numbering)
            title = vn.upper(item.title) if level == 1 else item.title
            out.append(_p(style, (f"{label} {title}", False, False)))
            out.extend(
                flatten(
                    item.content,
                    level=level + 1,
                    parent=label.rstrip("."),
                    numbering=item.numbering,
                    number_style=number_style,
                )
            )
    return out


def depth(content: list[Any]) -> int:
    """How deep sections nest in ``content``."""
    inner = [depth(i.content) + 1 for i in content if isinstance(i, Section)]
    return max(inner, default=0)


def end_mark(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Append "./." to the last paragraph of the content (nd30 §2 item 6).

    That paragraph is also kept with what follows (``keep``: the signature block
    right after the content), so a page break never leaves the signature and the
    Nơi nhận alone on the last page, with no text of the document above them.
    """
    for block in reversed(blocks):
        if block.get("table") or not block.get("runs"):
            continue
        last = block["runs"][-1]
        text = last["t"].rstrip()
        while text and text[-1] in ".;,:":
            text = text[:-1]
        last["t"] = text + "./."
        block["keep"] = True
        break
    return blocks


class Clause(Model):
    """A clause (khoản) of an article, with optional points (điểm)."""

    text: LongText
    points: list[LongText] = Field(default_factory=list, max_length=50)


class Article(Model):
    """An article (Điều) of a decision."""

    title: ShortText | None = Field(default=None, description="Tên điều (không bắt buộc)")
    text: LongText | None = None
    clauses: list[Annotated[LongText, Tag("text")] | Clause] = Field(
        default_factory=list, max_length=50
    )
    points: list[LongText] = Field(default_factory=list, max_length=50)


def article_blocks(articles: list[Article]) -> list[dict[str, Any]]:
    """Điều 1., Điều 2. … with clauses 1., 2. and points a), b) … in Vietnamese order."""
    out: list[dict[str, Any]] = []
    for n, art in enumerate(articles, 1):
        label = f"Điều {n}."
        head = [f" {art.title}" if art.title else "", f" {art.text}" if art.text else ""]
        if art.title:
            out.append(_p("VBArticle", (label + head[0], True, False), (head[1], False, False)))
        else:
            out.append(_p("VBArticle", (label, True, False), (head[1], False, False)))
        for i, point in enumerate(vn.legal_basis_lines(list(art.points))):
            out.append(body(f"{vn.point_letter(i)}) {point}"))
        for k, clause in enumerate(art.clauses, 1):
            text = clause if isinstance(clause, str) else clause.text
            out.append(body(f"{k}. {text}"))
            if isinstance(clause, Clause):
                for i, point in enumerate(vn.legal_basis_lines(list(clause.points))):
                    out.append(body(f"{vn.point_letter(i)}) {point}"))
    return out
