"""Write an issued document (register row, files, audit) with as few statements as possible.

Issuing is the register's hot path, and the ORM's unit of work used to cost
three times what the database itself spends on it (an insert per table, each
with its bookkeeping). Here the rows are plain column values written with
Core: on PostgreSQL one data-modifying CTE inserts the document, its files
and the audit row; on SQLite, where a statement costs no round trip, three
inserts. The ORM objects are then attached to the session as already
persistent, so callers go on using them as if they had been flushed.

``write`` can also take the number itself (``claim``): the CTE then starts
with ``UPDATE sequences SET last_number = n WHERE last_number = n - 1`` and
inserts nothing unless that row matched. That is the optimistic form of
numbering (service.register.issuing renders with the predicted number first
and takes the sequence row lock only for the length of one statement). The
statement fails as a whole on any unique violation (a twin's idempotency
key), so it never takes a number without writing its document; and its lock
order, sequence row first and then the documents indexes, is the same as in
the pessimistic path, so the two cannot deadlock each other.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Table, bindparam, exists, insert, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from service.register.models import AuditRow, Document, FileRow, SequenceRow

DOCUMENTS: Table = Document.__table__  # type: ignore[assignment]
FILES: Table = FileRow.__table__  # type: ignore[assignment]
AUDIT: Table = AuditRow.__table__  # type: ignore[assignment]
SEQUENCES: Table = SequenceRow.__table__  # type: ignore[assignment]


class Outcome(enum.Enum):
    """What ``write`` did."""

    WRITTEN = "written"
    # claim only: the sequence was not at number - 1 (another issue took it, or the
    # year's row does not exist yet); nothing was written.
    MISSED = "missed"


@dataclass(frozen=True)
class Claim:
    """Take ``number`` of the book's sequence in the same statement."""

    agency_id: str
    book_id: str
    year: int
    number: int


def _columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if c.name != "id" or table is not AUDIT]


def _values(obj: Any, table: Table, prefix: str) -> dict[str, Any]:
    state = obj.__dict__
    return {f"{prefix}{name}": state.get(name) for name in _columns(table)}


def _params(table: Table, prefix: str) -> list[Any]:
    return [bindparam(f"{prefix}{name}", type_=table.c[name].type) for name in _columns(table)]


@functools.cache
def _pg_statement(claim: bool, files: int) -> Select[Any]:
    """The one statement of an issue on PostgreSQL (cached: compiled once per shape)."""
    doc_cols = _columns(DOCUMENTS)
    if claim:
        seq = (
            update(SEQUENCES)
            .where(
                SEQUENCES.c.agency_id == bindparam("s_agency"),
                SEQUENCES.c.book_id == bindparam("s_book"),
                SEQUENCES.c.year == bindparam("s_year"),
                SEQUENCES.c.last_number == bindparam("s_previous"),
            )
            .values(last_number=SEQUENCES.c.last_number + 1)
            .returning(SEQUENCES.c.last_number)
            .cte("s")
        )
        source = select(*_params(DOCUMENTS, "d_")).where(exists(select(seq.c.last_number)))
        doc_insert = insert(DOCUMENTS).from_select(doc_cols, source)
    else:
        doc_insert = insert(DOCUMENTS).values(
            {name: p for name, p in zip(doc_cols, _params(DOCUMENTS, "d_"), strict=True)}
        )
    doc = doc_insert.returning(DOCUMENTS.c.id).cte("d")
    ctes = []
    for i in range(files):
        ctes.append(_insert_for(doc, FILES, f"f{i}_").cte(f"f{i}"))
    ctes.append(_insert_for(doc, AUDIT, "a_").cte("a"))
    final = select(seq.c.last_number) if claim else select(doc.c.id)
    return final.add_cte(*ctes)


def _insert_for(doc: Any, table: Table, prefix: str) -> Any:
    """INSERT INTO ``table`` one row of bound values, its document_id from the CTE ``doc``."""
    names = _columns(table)
    values = [
        doc.c.id if name == "document_id" else p
        for name, p in zip(names, _params(table, prefix), strict=True)
    ]
    return insert(table).from_select(names, select(*values))


def write(
    session: Session,
    doc: Document,
    files: Sequence[FileRow],
    audit_row: AuditRow,
    *,
    claim: Claim | None = None,
) -> Outcome:
    """Insert ``doc``, ``files`` and ``audit_row`` (transient, every column set).

    With ``claim`` (PostgreSQL only) the number is taken in the same statement,
    or nothing is written (MISSED). A unique violation (the idempotency key of a
    committed twin) raises IntegrityError, and the statement writes nothing.
    WRITTEN leaves ``doc`` and its files persistent in ``session``, the files
    set as ``doc.files``.
    """
    conn = session.connection()
    params = _values(doc, DOCUMENTS, "d_")
    for i, f in enumerate(files):
        params.update(_values(f, FILES, f"f{i}_"))
    params.update(_values(audit_row, AUDIT, "a_"))
    if conn.dialect.name == "postgresql":
        if claim is not None:
            params.update(
                s_agency=claim.agency_id,
                s_book=claim.book_id,
                s_year=claim.year,
                s_previous=claim.number - 1,
            )
        row = conn.execute(_pg_statement(claim is not None, len(files)), params).first()
        if claim is not None and row is None:
            return Outcome.MISSED
    else:
        if claim is not None:
            raise ValueError("claiming a number in the insert needs PostgreSQL")
        conn.execute(insert(DOCUMENTS), _strip(params, "d_"))
        for i in range(len(files)):
            conn.execute(insert(FILES), _strip(params, f"f{i}_"))
        conn.execute(insert(AUDIT), _strip(params, "a_"))
    _attach(session, doc, files)
    return Outcome.WRITTEN


def _strip(params: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {k[len(prefix) :]: v for k, v in params.items() if k.startswith(prefix)}


def _attach(session: Session, doc: Document, files: Sequence[FileRow]) -> None:
    """Make the written rows persistent objects of ``session`` without a flush."""
    for obj in (doc, *files):
        make_transient_to_detached(obj)
        session.add(obj)
    set_committed_value(doc, "files", sorted(files, key=lambda f: f.format))
