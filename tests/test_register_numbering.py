"""Gapless numbering on real databases: sequences, threads, processes, crashes."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from service.db import Database
from service.errors import TemplateError, UnknownBook
from service.register import allocate, issue, last_number, reserve_block, writing
from service.register.models import Document, FileRow
from service.render.engine import CompiledTemplate
from tests.dbfixtures import *  # noqa: F403  (the database fixtures)
from tests.dbfixtures import example_data

AGENCY, BOOK = "bcd138-bimson", "van-ban-di"
SPAWN = multiprocessing.get_context("spawn")


def _issue_ke_hoach(db: Database, date: str = "2018-03-26", actor: str = "test") -> int:
    with db.session() as s:
        result = issue(
            s, template_id="ke-hoach", data=example_data("ke-hoach", date=date), actor=actor
        )
        return result.document.number


def test_allocation_runs_one_to_n_per_book_and_restarts_each_year(seeded: Database) -> None:
    with seeded.session() as s:
        assert [allocate(s, AGENCY, BOOK, 2018) for _ in range(5)] == [1, 2, 3, 4, 5]
        assert allocate(s, AGENCY, "giay-cong-nhan", 2018) == 1
        assert allocate(s, AGENCY, BOOK, 2019) == 1
        assert allocate(s, "ubnd-bimson", BOOK, 2018) == 1
    with seeded.session() as s:
        assert allocate(s, AGENCY, BOOK, 2018) == 6
        assert allocate(s, AGENCY, BOOK, 2019, count=3) == 2
        assert allocate(s, AGENCY, BOOK, 2019) == 5
        assert last_number(s, AGENCY, BOOK, 2019) == 5
        assert last_number(s, AGENCY, BOOK, 2030) == 0


def test_issued_numbers_follow_the_document_year(seeded: Database) -> None:
    numbers = [_issue_ke_hoach(seeded, d) for d in ("2018-12-31", "2018-12-31", "2019-01-01")]
    assert numbers == [1, 2, 1]


def test_unknown_book_is_refused(seeded: Database) -> None:
    with pytest.raises(UnknownBook), seeded.session() as s:
        allocate(s, AGENCY, "khong-co", 2018)


def test_rollback_releases_the_number(seeded: Database) -> None:
    with pytest.raises(RuntimeError), seeded.session() as s:
        assert allocate(s, AGENCY, BOOK, 2018) == 1
        raise RuntimeError("abandon")
    with seeded.session() as s:
        assert allocate(s, AGENCY, BOOK, 2018) == 1


def test_reserve_block_is_consecutive(seeded: Database) -> None:
    with seeded.session() as s:
        assert allocate(s, AGENCY, BOOK, 2018) == 1
        assert reserve_block(s, AGENCY, BOOK, 2018, 10) == 2
        assert allocate(s, AGENCY, BOOK, 2018) == 12


def test_render_failure_takes_no_number(seeded: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _issue_ke_hoach(seeded) == 1

    def broken(_self: Any, _context: Any) -> Any:
        raise TemplateError("ke-hoach", 3, "hỏng")

    with monkeypatch.context() as m:
        m.setattr(CompiledTemplate, "render_body", broken)
        with pytest.raises(TemplateError):
            _issue_ke_hoach(seeded)
    assert _issue_ke_hoach(seeded) == 2
    with seeded.session() as s:
        assert s.scalar(select(func.count(Document.id))) == 2


def test_threads_get_exactly_one_to_two_hundred(
    seeded: Database, db_url: str, make_database: Callable[[str], Database]
) -> None:
    # Each thread has its own engine (as a separate host would) and session per issue.
    engines = [make_database(db_url) for _ in range(8)]

    def work(db: Database) -> list[int]:
        return [_issue_ke_hoach(db, actor=f"thread-{id(db)}") for _ in range(25)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, engines))
    numbers = sorted(n for chunk in results for n in chunk)
    assert numbers == list(range(1, 201))
    for chunk in results:
        assert chunk == sorted(chunk)  # each worker sees its own numbers increase
    with seeded.session() as s:
        stored = s.scalars(select(Document.number).order_by(Document.number)).all()
        assert stored == list(range(1, 201))


def _process_worker(url: str, count: int) -> list[int]:
    """Run in a spawned process: its own engine, ``count`` issues."""
    db = Database(url)
    try:
        return [_issue_ke_hoach(db, actor=f"pid-{os.getpid()}") for _ in range(count)]
    finally:
        db.dispose()


@pytest.mark.slow
def test_processes_get_exactly_one_to_n(seeded: Database, db_url: str) -> None:
    with SPAWN.Pool(4) as pool:
        results = pool.starmap(_process_worker, [(db_url, 15)] * 4)
        pool.close()
        pool.join()
    assert sorted(n for chunk in results for n in chunk) == list(range(1, 61))


def _stall(ready: Any) -> None:
    ready.set()
    time.sleep(120)
    raise AssertionError("should have been killed")


def _stalled_issue(url: str, where: str, ready: Any) -> None:
    """Run in a spawned process: issue, then stall at ``where`` until killed."""
    db = Database(url)
    if where == "render":
        # Where the number goes into the .docx: under the book's lock on SQLite,
        # before the claim on PostgreSQL.
        original_package = CompiledTemplate.package

        def stalling_package(self: CompiledTemplate, body: str) -> bytes:
            _stall(ready)
            return original_package(self, body)

        CompiledTemplate.package = stalling_package  # type: ignore[method-assign]
    else:
        original_write = writing.write

        def stalling_write(*args: Any, **kwargs: Any) -> Any:
            outcome = original_write(*args, **kwargs)
            _stall(ready)
            return outcome

        writing.write = stalling_write  # type: ignore[assignment]
    with db.session() as s:
        issue(s, template_id="ke-hoach", data=example_data("ke-hoach"), actor="doomed")


@pytest.mark.slow
@pytest.mark.parametrize("where", ["render", "write"])
def test_killed_process_leaves_no_half_document_and_no_hole(
    seeded: Database, db_url: str, backend: str, where: str
) -> None:
    assert _issue_ke_hoach(seeded) == 1
    ready = SPAWN.Event()
    child = SPAWN.Process(target=_stalled_issue, args=(db_url, where, ready))
    child.start()
    try:
        assert ready.wait(60), "the child never reached the stall point"
    finally:
        os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
        child.join(30)
        child.close()
    # Killed while rendering: nothing of it. Killed after writing but before its
    # session committed: on SQLite (number taken under the lock, then written in the
    # caller's transaction) nothing either; on PostgreSQL the one statement that
    # claimed the number and wrote the document was its own transaction, so the whole
    # document is there. Either way: every number has its document and its file.
    doomed_kept = where == "write" and backend == "postgresql"
    expected = (
        [(1, "test"), (2, "doomed"), (3, "test")] if doomed_kept else [(1, "test"), (2, "test")]
    )
    assert _issue_ke_hoach(seeded) == len(expected)
    with seeded.session() as s:
        docs = s.scalars(select(Document).order_by(Document.number)).all()
        assert [(d.number, d.created_by) for d in docs] == expected
        assert s.scalar(select(func.count()).select_from(FileRow)) == len(expected)
        assert last_number(s, AGENCY, BOOK, 2018) == len(expected)
