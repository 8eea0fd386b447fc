"""Agencies and their books kept in the database (the directory the register trusts)."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.agencies import Agency, AgencyDirectory, check_books
from service.errors import UnknownAgency
from service.register import audit
from service.register.models import AgencyRow, BookRow, utcnow


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


def put_agency(session: Session, agency: Agency, actor: str) -> bool:
    """Create or replace ``agency`` and its books; return True when it was created.

    Sequences are keyed by (agency, book, year) and never deleted, so a book
    dropped and later restored continues its numbering. Books that make the
    document's book ambiguous are refused (InvalidData, 422).
    """
    check_books(agency)
    row = session.get(AgencyRow, agency.id)
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
