"""Agencies and their books kept in the database (the directory the register trusts)."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.agencies import Agency, AgencyDirectory, check_books
from service.errors import Conflict, UnknownAgency
from service.register import audit
from service.register.models import AgencyRow, BookRow, Document, SequenceRow, utcnow


def _agency(row: AgencyRow) -> Agency:
    books = [{"id": b.id, "name": b.name, "types": list(b.types)} for b in row.books]
    return Agency.model_validate({**row.data, "books": books})


def list_agencies(session: Session) -> list[Agency]:
    """Every agency in the database, in the order they were first stored."""
    rows = session.scalars(select(AgencyRow).order_by(AgencyRow.position, AgencyRow.id))
    return [_agency(row) for row in rows]


# Parsed directories by database URL: (checked at, stamp, directory). Every
# change goes through put_agency, which moves max(updated_at) and clears this
# process's cache; other processes and hosts see a change within STAMP_TTL
# seconds, when they compare the stamp again (one cheap query).
STAMP_TTL = 2.0
_CACHE: dict[str, tuple[float, tuple[Any, ...], AgencyDirectory]] = {}


def load_directory(session: Session) -> AgencyDirectory:
    """The AgencyDirectory of the agencies and books tables (cached while unchanged)."""
    key = str(session.get_bind().engine.url)
    now = time.monotonic()
    cached = _CACHE.get(key)
    if cached is not None and now - cached[0] < STAMP_TTL:
        return cached[2]
    stamp = tuple(session.execute(select(func.count(), func.max(AgencyRow.updated_at))).one())
    if cached is not None and cached[1] == stamp:
        _CACHE[key] = (now, stamp, cached[2])
        return cached[2]
    directory = AgencyDirectory(list_agencies(session))
    _CACHE[key] = (now, stamp, directory)
    return directory


def check_agency(session: Session, agency_id: str) -> AgencyRow:
    """The agency's row, or UnknownAgency (404)."""
    row = session.get(AgencyRow, agency_id)
    if row is None:
        raise UnknownAgency(f"Không có cơ quan mã {agency_id!r}")
    return row


def get_agency(session: Session, agency_id: str) -> Agency | None:
    """The agency ``agency_id`` from the database, or None."""
    row = session.get(AgencyRow, agency_id)
    return _agency(row) if row is not None else None


def agency_dict(agency: Agency) -> dict[str, Any]:
    """The api.md JSON shape of an agency (unset optional fields left out)."""
    return agency.model_dump(mode="json", exclude_none=True)


def _book_label(agency: Agency, book_id: str) -> str:
    name = next((b.name for b in agency.books if b.id == book_id), None)
    return f"{book_id!r} ({name})" if name else repr(book_id)


def _numbering_problems(session: Session, old: Agency, new: Agency) -> list[dict[str, Any]]:
    """How replacing ``old`` by ``new`` would let a number be given twice (409 items).

    A book of ``old`` that holds documents (or numbers reserved for them) must stay:
    its register would become unreadable, and its types would start again at 01 in
    another book. A type with documents in a book must not be sent to another book
    either: that book's sequence would give numbers the type already has in the same
    year ("01/KH-…" twice). Sending a type to no book at all is allowed (nothing can
    be issued), and so is sending it back to the book that holds its documents.
    """
    rows = session.execute(
        select(Document.book_id, Document.doc_type, func.count())
        .where(Document.agency_id == old.id)
        .group_by(Document.book_id, Document.doc_type)
    ).all()
    documents: dict[str, int] = {}
    holders: dict[str, dict[str, int]] = {}  # doc type -> {book id: documents}
    for book_id, doc_type, count in rows:
        documents[book_id] = documents.get(book_id, 0) + count
        holders.setdefault(doc_type, {})[book_id] = count
    reserved = dict(
        session.execute(
            select(SequenceRow.book_id, func.sum(SequenceRow.last_number))
            .where(SequenceRow.agency_id == old.id)
            .group_by(SequenceRow.book_id)
        ).all()
    )
    kept = {b.id for b in new.books}
    found: list[dict[str, Any]] = []
    for book in old.books:
        if book.id in kept:
            continue
        label = _book_label(old, book.id)
        if documents.get(book.id):
            held = f"đang có {documents[book.id]} văn bản"
        elif reserved.get(book.id):
            held = f"đã cấp {reserved[book.id]} số (văn bản đang phát hành)"
        else:
            continue  # never numbered anything: it may go
        message = (
            f"Không bỏ được sổ {label}: sổ {held}; số đã cấp trong sổ không được cấp lại. "
            "Giữ sổ này trong danh sách (được đổi tên sổ)"
        )
        found.append({"loc": ["books"], "msg": message, "type": "book_in_use"})
    for doc_type, books in sorted(holders.items()):
        before, after = old.book_for(doc_type), new.book_for(doc_type)
        if not doc_type or after is None or (before is not None and before.id == after.id):
            continue  # nowhere to issue it, or where it went before
        # Books that keep this type's documents while new ones go to ``after``; a
        # book being removed is refused above already.
        elsewhere = {b: n for b, n in books.items() if b != after.id and b in kept}
        if not elsewhere:
            continue
        book_id = max(sorted(elsewhere), key=elsewhere.__getitem__)
        index = next(i for i, b in enumerate(new.books) if b.id == after.id)
        message = (
            f"Không chuyển được loại {doc_type} sang sổ {_book_label(new, after.id)}: "
            f"loại này đã có {elsewhere[book_id]} văn bản trong sổ {_book_label(old, book_id)}, "
            "sổ kia sẽ cấp lại những số đã dùng trong cùng năm"
        )
        found.append({"loc": ["books", index, "types"], "msg": message, "type": "type_moved"})
    return found


def put_agency(session: Session, agency: Agency, actor: str) -> bool:
    """Create or replace ``agency`` and its books; return True when it was created.

    Sequences are keyed by (agency, book, year) and never deleted, so a book
    dropped and later restored continues its numbering. Books that make the
    document's book ambiguous are refused (InvalidData, 422), and so is a
    replacement that would number a document twice (Conflict, 409): see
    ``_numbering_problems``.
    """
    check_books(agency)
    row = session.get(AgencyRow, agency.id, with_for_update=True)
    if row is not None:
        found = _numbering_problems(session, _agency(row), agency)
        if found:
            detail = f"Không thay được sổ của cơ quan {agency.id}: " + "; ".join(
                p["msg"] for p in found
            )
            raise Conflict(detail, errors=found)
    data = agency.model_dump(mode="json", exclude={"books"})
    books = [
        BookRow(id=b.id, name=b.name, types=list(b.types), position=i)
        for i, b in enumerate(agency.books)
    ]
    created = row is None
    _CACHE.clear()
    if row is None:
        position = session.scalar(select(func.coalesce(func.max(AgencyRow.position), -1)))
        row = AgencyRow(
            id=agency.id, position=(position or 0) + 1, data=data, books=books, updated_at=utcnow()
        )
        session.add(row)
    else:
        row.data = data
        row.updated_at = utcnow()
        row.books.clear()
        session.flush()  # delete the old books before inserting their replacements
        row.books.extend(books)
    session.flush()
    audit.record(
        session,
        actor,
        "agency.create" if created else "agency.replace",
        agency_id=agency.id,
        detail={"agency": agency_dict(agency)},
    )
    return created
