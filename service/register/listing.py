"""The register view: page by page, oldest number first, with diacritic-free search."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from service import templates, vn
from service.errors import InvalidData, UnknownTemplate
from service.register.agencies import check_agency
from service.register.models import AgencyRow, Document
from service.register.numbering import check_book
from service.register.records import document_dict

MAX_PER_PAGE = 500


def _filtered(
    stmt: Select[Any], agency_id: str, year: int | None, book: str | None, q: str | None
) -> Select[Any]:
    stmt = stmt.where(Document.agency_id == agency_id)
    if year is not None:
        stmt = stmt.where(Document.year == year)
    if book is not None:
        stmt = stmt.where(Document.book_id == book)
    # Every folded word must appear: "bim son" finds "Bỉm Sơn" on both databases.
    for word in vn.fold(q or "").split():
        stmt = stmt.where(Document.search_text.contains(word, autoescape=True))
    return stmt


def _check(session: Session, agency_id: str, book: str | None) -> AgencyRow:
    row = check_agency(session, agency_id)
    if book is not None:
        check_book(session, agency_id, book)
    return row


def _ordered(stmt: Select[Any]) -> Select[Any]:
    return stmt.order_by(Document.year, Document.book_id, Document.number)


def register_page(
    session: Session,
    agency_id: str,
    *,
    year: int | None = None,
    book: str | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> dict[str, Any]:
    """One page of an agency's register: ``{"items", "page", "per_page", "total"}``."""
    errors = []
    if page < 1:
        errors.append({"loc": ["page"], "msg": "Trang phải từ 1 trở lên"})
    if not 1 <= per_page <= MAX_PER_PAGE:
        errors.append({"loc": ["per_page"], "msg": f"Số dòng mỗi trang từ 1 đến {MAX_PER_PAGE}"})
    if errors:
        raise InvalidData(errors)
    _check(session, agency_id, book)
    total = session.scalar(_filtered(select(func.count(Document.id)), agency_id, year, book, q))
    stmt = _ordered(_filtered(select(Document), agency_id, year, book, q))
    docs = session.scalars(stmt.limit(per_page).offset((page - 1) * per_page))
    return {
        "items": [document_dict(d) for d in docs],
        "page": page,
        "per_page": per_page,
        "total": total or 0,
    }


@dataclass(frozen=True)
class RegisterRow:
    """One line of the sổ đăng ký văn bản đi."""

    number: int
    symbol: str
    date: dt.date | None
    title: str
    signer: str
    recipients: str
    archive: str
    copies: int | None
    note: str
    book: str
    year: int


# (header, attribute, column width in characters)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("Số", "number", 7),
    ("Ký hiệu", "symbol", 16),
    ("Ngày tháng", "date", 12),
    ("Tên loại và trích yếu nội dung", "title", 60),
    ("Người ký", "signer", 22),
    ("Nơi nhận", "recipients", 40),
    ("Đơn vị/người nhận bản lưu", "archive", 22),
    ("Số lượng bản", "copies", 9),
    ("Ghi chú", "note", 30),
)


def _type_name(doc: Document) -> str:
    try:
        name = templates.get(doc.template).type_name
    except UnknownTemplate:  # a template retired since: its type code still names it
        return doc.doc_type
    return vn.capitalize_first(name.lower())


def _note(doc: Document) -> str:
    if doc.status == "revoked":
        return f"Đã thu hồi: {doc.reason}"
    if doc.status == "failed":
        return f"Lỗi, không ban hành: {doc.reason}"
    return ""


def register_row(doc: Document) -> RegisterRow:
    """The register line of one document."""
    archive = ["VT", *((doc.data or {}).get("archive") or [])]
    return RegisterRow(
        number=doc.number,
        symbol=doc.symbol,
        date=doc.date,
        title=f"{_type_name(doc)}: {doc.summary}" if doc.summary else _type_name(doc),
        signer=doc.signer_name,
        recipients="; ".join(line for line in doc.recipients.split("\n") if line),
        archive=", ".join(archive),
        copies=None,  # the register clerk writes the number of copies by hand
        note=_note(doc),
        book=doc.book_id,
        year=doc.year,
    )


def export_rows(
    session: Session,
    agency_id: str,
    *,
    year: int | None = None,
    book: str | None = None,
    q: str | None = None,
) -> list[RegisterRow]:
    """The whole register (every status), oldest number first, as register lines."""
    _check(session, agency_id, book)
    docs = session.scalars(_ordered(_filtered(select(Document), agency_id, year, book, q)))
    return [register_row(d) for d in docs]
