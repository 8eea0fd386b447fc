"""Structured content (sections, paragraphs, bullets, tables, articles) and its numbering.

Callers send structure; numbering (I. → 1. → 1.1./a) → a), Điều n., points
a, b, c, d, đ …) is generated here, never typed by the caller. The result is a
flat list of blocks the templates print: a paragraph is a style and runs, a
table is widths and rows of cells.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Discriminator, Field, Tag, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from service import layout, vn
from service.schemas import LongText, Model, ShortText
from service.vn.text import POINT_LETTERS, ROMAN_MAX


def _finite(value: Any) -> Any:
    """A figure in a table must be finite: JSON's 1e999 arrives as infinity."""
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("finite_number", "Phải là một số hữu hạn")
    if isinstance(value, Decimal) and not value.is_finite():
        raise PydanticCustomError("finite_number", "Phải là một số hữu hạn")
    return value


Cell = Annotated[str | int | float | Decimal | None, AfterValidator(_finite)]

# Column widths are ratios (0.7, 3.6 …, percentages, even twips): positive, finite and at
# most this; a figure such as 1e305 is a mistake to refuse, not a width to scale.
MAX_WIDTH = 100_000


def _width(value: float) -> float:
    if not 0 < value <= MAX_WIDTH:
        raise PydanticCustomError(
            "width_range",
            "Độ rộng cột là tỷ lệ: một số lớn hơn 0, tối đa {max}",
            {"max": vn.format_int(MAX_WIDTH)},
        )
    return value


Width = Annotated[
    float,
    Field(allow_inf_nan=False, json_schema_extra={"exclusiveMinimum": 0, "maximum": MAX_WIDTH}),
    AfterValidator(_width),
]


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
    widths: list[Width] | None = Field(
        default=None,
        max_length=12,
        description="Tỷ lệ độ rộng các cột, mỗi cột một số dương (ví dụ: 0.7, 3.6, 3.2)",
    )
    caption: ShortText | None = None

    @field_validator("widths")
    @classmethod
    def _one_width_a_column(cls, value: list[float] | None, info: ValidationInfo) -> Any:
        columns = info.data.get("columns")
        if value is not None and columns is not None and len(value) != len(columns):
            raise PydanticCustomError(
                "widths_count",
                "Cần đúng {columns} độ rộng, mỗi cột một số (nhận được {given})",
                {"columns": len(columns), "given": len(value)},
            )
        return value


class Amount(Model):
    """A sum of money: "<label>: 1.021 đồng (Bằng chữ: Một nghìn không trăm hai mươi mốt đồng)."."""

    amount: int = Field(ge=0, le=vn.MAX_NUMBER)
    label: ShortText = Field(default="Tổng kinh phí", description="Nhãn, ví dụ: Tổng kinh phí")


class Table(Model):
    """A table block."""

    table: TableData


def _block_kind(value: Any) -> str | None:
    """The tag of a block's branch: "block:<kind>", a prefix errors' locations leave out."""
    kind = _kind_of(value)
    return None if kind is None else f"block:{kind}"


def _kind_of(value: Any) -> str | None:
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


# The tags carry the "block:" prefix service.validation drops from errors' locations: the
# client wrote content[0].table.widths, not content[0].table.table.widths.
Block = Annotated[
    Annotated[LongText, Tag("block:text")]
    | Annotated[Paragraph, Tag("block:paragraph")]
    | Annotated[Bullets, Tag("block:bullets")]
    | Annotated[Numbered, Tag("block:numbered")]
    | Annotated[Table, Tag("block:table")]
    | Annotated[Amount, Tag("block:amount")]
    | Annotated[Section, Tag("block:section")],
    Discriminator(_block_kind),
]
Section.model_rebuild()

MAX_DEPTH = 4
# Parts I., II. … at the top: Roman numerals stop at 3999, readers long before; a plan or
# a report has a handful, tens at most.
MAX_PARTS = 100
# Sections lettered a), b) … (level 4, or level 3 under ``numbering: letter``): the 23
# letters, then doubled and tripled (aa) … yyy)), as far as the numbering rules read them.
MAX_LETTERED = 3 * len(POINT_LETTERS)
assert MAX_PARTS <= ROMAN_MAX


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


def column_widths(columns: list[str], ratios: list[float] | None, width: int) -> list[int]:
    """Twips for each column, in proportion to ``ratios``, summing to ``width``.

    Ratios are scaled by the largest first, so no sum or product overflows
    whatever their size; every column keeps at least one twip, and the widest
    column takes the rounding. Without usable ratios (none, or not one a
    column: validation refuses those) "STT" is narrower and the rest equal.
    """
    n = len(columns)
    usable = (
        ratios is not None and len(ratios) == n and all(math.isfinite(r) and r > 0 for r in ratios)
    )
    if not usable:
        ratios = [0.6 if c.strip().upper() in {"STT", "TT"} else 1.0 for c in columns]
    assert ratios is not None
    top = max(ratios)
    scaled = [r / top for r in ratios]
    total = math.fsum(scaled)
    out = [max(1, int(width * r / total)) for r in scaled]
    out[out.index(max(out))] += width - sum(out)
    return out


def table_block(data: TableData, *, width: int = layout.TEXT_W) -> dict[str, Any]:
    """A table block with widths in twips summing to ``width``."""
    n = len(data.columns)
    widths = column_widths(data.columns, data.widths, width)
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


# A document's content as a whole, every block at every depth: room for the largest real
# plan or report (a table of 2,000 rows by 12 columns, thousands of paragraphs), and small
# enough that a render stays well under a second and the checker takes what comes out
# (service.conformance.package.LIMITS). Without it the per-list limits multiplied: 20
# tables of 2,000 x 12 took 11 s and 1.4 GB to render.
MAX_TEXTS = 10_000
MAX_CELLS = (2000 + 1) * 12  # one full table, its header row included
MAX_TABLES = 200


def size(content: list[Any]) -> tuple[int, int, int]:
    """(paragraphs of text, table cells with the header row, tables) in ``content``."""
    texts = cells = tables = 0
    stack = list(content)
    while stack:
        item = stack.pop()
        if isinstance(item, Section):
            texts += 1
            stack.extend(item.content)
        elif isinstance(item, Table):
            tables += 1
            cells += (len(item.table.rows) + 1) * len(item.table.columns)
        elif isinstance(item, Bullets):
            texts += len(item.bullets)
        elif isinstance(item, Numbered):
            texts += len(item.numbered)
        else:
            texts += 1
    return texts, cells, tables


def size_problem(content: list[Any]) -> str | None:
    """Why ``content`` is too large for one document, or None."""
    texts, cells, tables = size(content)
    for found, most, what in (
        (texts, MAX_TEXTS, "đoạn văn (mục, đoạn, gạch đầu dòng)"),
        (cells, MAX_CELLS, "ô bảng (cả hàng tiêu đề)"),
        (tables, MAX_TABLES, "bảng"),
    ):
        if found > most:
            return (
                f"Nội dung quá lớn cho một văn bản: {vn.format_int(found)} {what}, "
                f"tối đa {vn.format_int(most)}"
            )
    return None


def numbering_problem(
    content: list[Any],
    *,
    level: int = 1,
    parent: str = "",
    numbering: str | None = None,
    where: str = "",
) -> str | None:
    """Why the sections of ``content`` cannot all be numbered, or None when they can.

    ``content`` nests at most MAX_DEPTH levels (checked first, by ``depth``). Parts
    stop at MAX_PARTS, lettered sections at MAX_LETTERED under one section; numbers
    1., 2. … and 1.1., 1.2. … have no such limit. ``where`` names the section
    holding ``content`` (its label and title) for the message.
    """
    sections = [item for item in content if isinstance(item, Section)]
    if level == 1 and len(sections) > MAX_PARTS:
        return (
            f"Tối đa {MAX_PARTS} phần đánh số La Mã (I, II, III …) ở cấp đầu, "
            f"nhận được {len(sections)}"
        )
    lettered = level >= MAX_DEPTH or (level == 3 and numbering == "letter")
    if lettered and len(sections) > MAX_LETTERED:
        last = vn.point_letter(MAX_LETTERED - 1)
        return (
            f"Mục “{where}” có {len(sections)} mục con đánh chữ a), b), c) …: "
            f"tối đa {MAX_LETTERED} (đến {last}))"
        )
    for index, section in enumerate(sections, 1):
        label, _ = _label(level, index, parent, numbering)
        title = section.title if len(section.title) <= 60 else section.title[:59] + "…"
        problem = numbering_problem(
            section.content,
            level=level + 1,
            parent=label.rstrip("."),
            numbering=section.numbering,
            where=f"{label} {title}",
        )
        if problem:
            return problem
    return None


def end_mark(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Append "./." to the last paragraph of the content (nd30 §2 item 6).

    That paragraph is also kept with what follows (``keep``: the signature block
    right after the content), so a page break never leaves the signature and the
    Nơi nhận alone on the last page, with no text of the document above them.
    Content that ends with a table (or has no paragraph) gets "./." in a
    paragraph of its own after it: on a paragraph above the table, the mark
    would end the text before the content does.
    """
    if blocks and (blocks[-1].get("table") or not blocks[-1].get("runs")):
        blocks.append({**body("./."), "keep": True})
        return blocks
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
