"""Write an issued document (register row, files, audit) with as few statements as possible.

Issuing is the register's hot path, and the ORM's unit of work used to cost
three times what the database itself spends on it (an insert per table, each
with its bookkeeping). Here the rows are plain column values written with
Core: on PostgreSQL one data-modifying CTE inserts the document, its files
and the audit row; on SQLite, where a statement costs no round trip, three
inserts. On PostgreSQL the statement is compiled once and run on the driver
(service.db.execute_while), and the ORM objects are made from the same
values while the database executes it (an autocommitted issue waits mostly
for its WAL flush); they are attached to the session as already persistent,
so callers go on using them as if they had been flushed.

``write`` can also take the number itself (``claim``): the CTE then starts
with ``UPDATE sequences SET last_number = n WHERE last_number = n - 1`` and
inserts nothing unless that row matched. That is the optimistic form of
numbering (service.register.issuing renders with the predicted number first
and takes the sequence row lock only for the length of one statement). The
statement fails as a whole on any unique violation (a twin's idempotency
key), so it never takes a number without writing its document; and its lock
order, sequence row first and then the documents indexes, is the same as in
the pessimistic path, so the two cannot deadlock each other. On that
pessimistic path (the number taken under the sequence row's lock first)
``commit`` sends the transaction's COMMIT with the statement, so the lock is
held for one round trip less (service.db.execute_and_commit).
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Dialect, Select, Table, bindparam, exists, insert, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from service.db import execute_and_commit, execute_while
from service.register.models import AuditRow, Document, FileRow, SequenceRow

DOCUMENTS: Table = Document.__table__  # type: ignore[assignment]
FILES: Table = FileRow.__table__  # type: ignore[assignment]
AUDIT: Table = AuditRow.__table__  # type: ignore[assignment]
SEQUENCES: Table = SequenceRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Rows:
    """Column values of what an issue writes: the document, its files, its audit row."""

    document: dict[str, Any]
    files: tuple[dict[str, Any], ...]
    audit: dict[str, Any]


@dataclass(frozen=True)
class Claim:
    """Take ``number`` of the book's sequence in the same statement."""

    agency_id: str
    book_id: str
    year: int
    number: int


@dataclass(frozen=True)
class Written:
    """The written document, persistent in the session, and what ``meanwhile`` returned."""

    document: Document
    extra: Any = field(default=None)


def _columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if c.name != "id" or table is not AUDIT]


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


@dataclass(frozen=True)
class _Driver:
    """A statement compiled once for the driver: its SQL, processors and fixed values."""

    sql: str
    processors: dict[str, Callable[[Any], Any]]
    fixed: dict[str, Any]

    def params(self, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` as the driver takes them (JSON serialised, ...), with the fixed ones."""
        for name, process in self.processors.items():
            value = values.get(name)
            if value is not None:
                values[name] = process(value)
        values.update(self.fixed)
        return values


# Per dialect (one per engine), not kept alive by the cache.
_DRIVER: weakref.WeakKeyDictionary[Dialect, dict[tuple[bool, int], _Driver]] = (
    weakref.WeakKeyDictionary()
)


def _driver_statement(dialect: Dialect, claim: bool, files: int) -> _Driver:
    """The issue statement of this shape compiled for ``dialect``'s driver (once)."""
    cached = _DRIVER.setdefault(dialect, {})
    found = cached.get((claim, files))
    if found is None:
        found = cached[(claim, files)] = _compile_for_driver(dialect, claim, files)
    return found


def _compile_for_driver(dialect: Dialect, claim: bool, files: int) -> _Driver:
    compiled = _pg_statement(claim, files).compile(dialect=dialect)
    if compiled.escaped_bind_names:  # pragma: no cover - our names need no escaping
        raise RuntimeError("bound parameter names need escaping")
    processors: dict[str, Callable[[Any], Any]] = {}
    fixed: dict[str, Any] = {}
    for bind, name in compiled.bind_names.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[name] = process
        if not bind.required:  # a literal of the statement (``last_number + 1``)
            fixed[name] = bind.value
    return _Driver(compiled.string, processors, fixed)


def _insert_for(doc: Any, table: Table, prefix: str) -> Any:
    """INSERT INTO ``table`` one row of bound values, its document_id from the CTE ``doc``."""
    names = _columns(table)
    values = [
        doc.c.id if name == "document_id" else p
        for name, p in zip(names, _params(table, prefix), strict=True)
    ]
    return insert(table).from_select(names, select(*values))


@functools.cache
def _names(table: Table, prefix: str) -> tuple[tuple[str, str], ...]:
    return tuple((f"{prefix}{name}", name) for name in _columns(table))


def _bind(values: dict[str, Any], table: Table, prefix: str, into: dict[str, Any]) -> None:
    for key, name in _names(table, prefix):
        into[key] = values.get(name)


def write(
    session: Session,
    rows: Rows,
    *,
    claim: Claim | None = None,
    meanwhile: Callable[[Document], Any] | None = None,
    commit: bool = False,
) -> Written | None:
    """Insert the document, its files and its audit row; None when ``claim`` missed.

    With ``claim`` (PostgreSQL only) the number is taken in the same statement,
    or nothing is written (None). A unique violation (the idempotency key of a
    committed twin) raises IntegrityError, and the statement writes nothing.
    The written document is persistent in ``session``, its files set as
    ``doc.files``. ``meanwhile`` is called with that document while the
    database executes and commits the statement (service.db.execute_while)
    and must not use the database; what it returns comes back as
    ``Written.extra``. When nothing was written, the document is taken out of
    the session again and what ``meanwhile`` made is dropped.
    ``commit`` (PostgreSQL, in a transaction the session opened for this
    document) commits that transaction in the same round trip as the statement
    (service.db.execute_and_commit): a lock taken earlier in it is released
    without waiting for this thread again.
    """
    conn = session.connection()
    params: dict[str, Any] = {}
    _bind(rows.document, DOCUMENTS, "d_", params)
    for i, f in enumerate(rows.files):
        _bind(f, FILES, f"f{i}_", params)
    _bind(rows.audit, AUDIT, "a_", params)
    made: list[Written] = []

    def build() -> None:
        doc = _persistent(session, rows)
        made.append(Written(doc, meanwhile(doc) if meanwhile is not None else None))

    if conn.dialect.name == "postgresql":
        if claim is not None:
            params.update(
                s_agency=claim.agency_id,
                s_book=claim.book_id,
                s_year=claim.year,
                s_previous=claim.number - 1,
            )
        driver = _driver_statement(conn.dialect, claim is not None, len(rows.files))
        run = execute_and_commit if commit else execute_while
        try:
            found = run(conn, driver.sql, driver.params(params), build)
        except BaseException:
            _forget(session, made)
            raise
        if claim is not None and found is None:
            _forget(session, made)
            return None
    else:
        if claim is not None or commit:
            raise ValueError("claiming a number or committing in the insert needs PostgreSQL")
        conn.execute(insert(DOCUMENTS), _strip(params, "d_"))
        for i in range(len(rows.files)):
            conn.execute(insert(FILES), _strip(params, f"f{i}_"))
        conn.execute(insert(AUDIT), _strip(params, "a_"))
    if not made:  # no overlap on this engine (SQLite, or an engine without the hook)
        build()
    return made[0]


def _strip(params: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {k[len(prefix) :]: v for k, v in params.items() if k.startswith(prefix)}


def _persistent(session: Session, rows: Rows) -> Document:
    """The document of ``rows`` with its files, persistent in ``session`` without a flush."""
    doc = Document(**rows.document)
    files = sorted((FileRow(**f) for f in rows.files), key=lambda f: f.format)
    for obj in (doc, *files):
        make_transient_to_detached(obj)
    set_committed_value(doc, "files", files)
    session.add(doc)  # cascades to the files
    return doc


def _forget(session: Session, made: list[Written]) -> None:
    """Take the objects of a statement that wrote nothing out of ``session`` again."""
    for written in made:
        for obj in (written.document, *written.document.files):
            if obj in session:
                session.expunge(obj)
