"""Gapless yearly numbers per (agency, book), allocated in the caller's transaction.

``take`` is one upsert of the sequence row: it creates the year's row when
missing, increments it and returns the new last number, and holds the row
lock (on SQLite the ``BEGIN IMMEDIATE`` of service.db already holds the
database's write lock) until the caller commits or rolls back. A failed
render or a crash before the commit releases the number with the rollback:
no two documents share a number and none is skipped. No application locks.
``Predictions`` serves the optimistic path of service.register.issuing,
which claims the predicted number in the statement that writes the document.
"""

from __future__ import annotations

import time
import weakref

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from service.db import insert_for
from service.errors import UnknownBook
from service.register.models import BookRow, SequenceRow


def _where(agency_id: str, book_id: str, year: int) -> tuple:
    return (
        SequenceRow.agency_id == agency_id,
        SequenceRow.book_id == book_id,
        SequenceRow.year == year,
    )


def check_book(session: Session, agency_id: str, book_id: str) -> BookRow:
    """The book row, or UnknownBook (404)."""
    book = session.get(BookRow, (agency_id, book_id))
    if book is None:
        raise UnknownBook(f"Cơ quan {agency_id!r} không có sổ {book_id!r}")
    return book


def take(session: Session, agency_id: str, book_id: str, year: int, count: int = 1) -> int:
    """Take ``count`` numbers in one statement; return the first.

    An upsert that increments and returns ``last_number``: it creates the
    year's row when missing and holds the row lock until the caller commits,
    in one round trip instead of insert + select-for-update + update.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    values = {"agency_id": agency_id, "book_id": book_id, "year": year, "last_number": count}
    keys = ["agency_id", "book_id", "year"]
    bump = {"last_number": SequenceRow.last_number + count}
    stmt = insert_for(session, SequenceRow).values(values)
    stmt = stmt.on_conflict_do_update(index_elements=keys, set_=bump)
    last = session.scalar(stmt.returning(SequenceRow.last_number))
    assert last is not None
    return int(last) - count + 1


def advance(session: Session, agency_id: str, book_id: str, year: int, last: int) -> None:
    """Set the last number of a locked sequence row."""
    session.execute(
        update(SequenceRow).where(*_where(agency_id, book_id, year)).values(last_number=last)
    )


def allocate(session: Session, agency_id: str, book_id: str, year: int, count: int = 1) -> int:
    """Take ``count`` consecutive numbers; return the first. Committed with the caller."""
    if count < 1:
        raise ValueError("count must be at least 1")
    check_book(session, agency_id, book_id)
    return take(session, agency_id, book_id, year, count)


def reserve_block(session: Session, agency_id: str, book_id: str, year: int, count: int) -> int:
    """Reserve ``count`` consecutive numbers for a batch; return the first.

    Every reserved number must later become a document row, issued
    (``issue(..., number=n)``) or failed (``record_failed``), so the book has no hole.
    """
    return allocate(session, agency_id, book_id, year, count)


# After a wrong guess, a book is treated as contended for this long: issues in it take
# their number under the row lock, where several processes queue instead of each
# rendering with a number another one takes first.
CONTENDED_SECONDS = 1.0


class Predictions:
    """The next number this process expects each book to give: a hint, never a promise.

    Optimistic issuing (service.register.issuing) renders with the predicted
    number and takes it only if the sequence still stands at the one before;
    a wrong guess costs a statement that writes nothing (the document is not
    rendered again: only its number changes, documents.NumberedRenderer),
    never a duplicate or a hole. The guess is the number after the last one
    this process issued, else read from the sequence row. After a wrong guess
    no guess is made for CONTENDED_SECONDS: when several processes issue into
    one book at once, waiting for the row lock is cheaper than claims that
    miss. One per engine: a process may talk to several databases.
    """

    def __init__(self) -> None:
        self._next: dict[tuple[str, str, int], int] = {}
        self._contended_until: dict[tuple[str, str, int], float] = {}

    def predict(self, session: Session, agency_id: str, book_id: str, year: int) -> int | None:
        """The number to try; None when the book is contended or its year has no row yet."""
        key = (agency_id, book_id, year)
        if time.monotonic() < self._contended_until.get(key, 0.0):
            return None
        known = self._next.get(key)
        if known is not None:
            return known
        last = session.connection().scalar(
            select(SequenceRow.last_number).where(*_where(agency_id, book_id, year))
        )
        return None if last is None else int(last) + 1

    def taken(self, agency_id: str, book_id: str, year: int, number: int) -> None:
        """``number`` was issued here: expect the next one."""
        self._next[(agency_id, book_id, year)] = number + 1

    def missed(self, agency_id: str, book_id: str, year: int) -> None:
        """Another process took the number guessed: stop guessing for a while."""
        key = (agency_id, book_id, year)
        self._next.pop(key, None)
        self._contended_until[key] = time.monotonic() + CONTENDED_SECONDS


_PREDICTIONS: weakref.WeakKeyDictionary[Engine, Predictions] = weakref.WeakKeyDictionary()


def predictions(session: Session) -> Predictions:
    """The predictions kept for the session's engine."""
    engine = session.get_bind().engine
    found = _PREDICTIONS.get(engine)
    if found is None:
        found = _PREDICTIONS.setdefault(engine, Predictions())
    return found


def last_number(session: Session, agency_id: str, book_id: str, year: int) -> int:
    """The last number taken in a book for a year (0 when none), without locking."""
    value = session.scalar(select(SequenceRow.last_number).where(*_where(agency_id, book_id, year)))
    return value or 0
