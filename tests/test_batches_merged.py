"""merged.pdf of a finished batch is joined by one process at a time (service.batches.merged).

A preview batch whose rows all have their PDF is written straight into the
database (no LibreOffice needed: the PDFs are small pypdf files), then joined
by several sessions at once, on SQLite and on PostgreSQL. The join itself is
the real one (service.pdf.jobs.merged_pdf), only counted and slowed down so
that the others arrive while it runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import create_engine, delete, func, select, update

from service.batches import merged
from service.batches.models import Batch, BatchFile, BatchMerged, BatchRow
from service.db import Database, normalise_url
from service.errors import BatchNotFinished, BatchNotFound
from service.register.models import utcnow
from tests.dbfixtures import *  # noqa: F403  (the database fixtures)

ROWS = 6


def pdf_of_pages(pages: int, width: int) -> bytes:
    """A PDF of ``pages`` blank pages ``width`` points wide (the width tells the rows apart)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def finished_batch(database: Database, rows: int = ROWS) -> str:
    """A done preview batch whose every row has its PDF in batch_files; its id."""
    with database.session() as session:
        batch = Batch(
            template="giay-cong-nhan",
            issue=False,
            formats=["pdf"],
            common={},
            status="done",
            total=rows,
            finished_at=utcnow(),
        )
        session.add(batch)
        session.flush()
        for i in range(rows):
            session.add(
                BatchRow(
                    batch_id=batch.id,
                    row_index=i,
                    line=i + 2,
                    data={},
                    status="done",
                    pdf_status="done",
                )
            )
        session.flush()
        for i in range(rows):
            content = pdf_of_pages(1, 300 + i)
            session.add(
                BatchFile(
                    batch_id=batch.id,
                    row_index=i,
                    format="pdf",
                    filename=f"{i}.pdf",
                    media_type="application/pdf",
                    content=content,
                    sha256=hashlib.sha256(content).hexdigest(),
                    size=len(content),
                )
            )
        return batch.id


class Joins:
    """Counts the real joins, each made to last ``seconds`` longer."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.count = 0
        self.during: Callable[[], None] | None = None
        self._real = merged.jobs.merged_pdf
        self._lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> bytes:
        with self._lock:
            self.count += 1
        if self.during is not None:
            self.during()
        time.sleep(self.seconds)
        content: bytes = self._real(*args, **kwargs)
        return content


@pytest.fixture
def joins(monkeypatch: pytest.MonkeyPatch) -> Iterator[Joins]:
    counter = Joins(0.5)
    monkeypatch.setattr(merged.jobs, "merged_pdf", counter)
    yield counter


def download(database: Database, batch_id: str) -> bytes:
    """What GET …/merged.pdf answers, from a session of its own."""
    with database.session() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        return merged.build_merged(session, batch).content


def widths(content: bytes) -> list[int]:
    return [int(page.mediabox.width) for page in PdfReader(io.BytesIO(content)).pages]


def claimed_at(database: Database, batch_id: str) -> dt.datetime | None:
    with database.session() as session:
        return session.scalar(select(Batch.merged_claimed_at).where(Batch.id == batch_id))


def test_downloads_at_once_join_merged_pdf_once(seeded: Database, joins: Joins) -> None:
    batch_id = finished_batch(seeded)
    results: list[bytes] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            results.append(download(seeded, batch_id))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert joins.count == 1
    assert len(results) == 3 and len(set(results)) == 1
    assert widths(results[0]) == [300 + i for i in range(ROWS)]  # every row, in row order
    with seeded.session() as session:
        kept = session.scalars(select(BatchMerged).where(BatchMerged.batch_id == batch_id)).all()
        assert [(k.format, k.size) for k in kept] == [("pdf", len(results[0]))]
    assert claimed_at(seeded, batch_id) is None  # released once kept


def test_the_worker_leaves_a_join_to_the_download_that_claimed_it(
    seeded: Database, joins: Joins
) -> None:
    batch_id = finished_batch(seeded)
    kept: list[bool] = []

    def worker_keeps() -> None:
        with seeded.session() as session:
            batch = session.get(Batch, batch_id)
            assert batch is not None
            kept.append(merged.keep(session, batch))

    worker = threading.Thread(target=worker_keeps)

    def worker_arrives() -> None:  # the worker's task comes while the download joins
        worker.start()
        worker.join(timeout=10)

    joins.during = worker_arrives
    content = download(seeded, batch_id)
    worker.join(timeout=30)
    assert kept == [False]  # did not wait, did not join
    assert joins.count == 1
    with seeded.session() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        assert merged.keep(session, batch)  # now it is there: read back, not joined
    assert joins.count == 1
    assert download(seeded, batch_id) == content


def test_the_join_holds_no_transaction(seeded: Database, joins: Joins) -> None:
    """While merged.pdf is joined, others write the same batch at once (SQLite: no lock held)."""
    batch_id = finished_batch(seeded)
    # A writer that gives up after 0.5 s instead of waiting for a lock.
    if seeded.is_sqlite:
        other = create_engine(seeded.url, connect_args={"timeout": 0.5})
    else:
        other = create_engine(normalise_url(seeded.url))
    waited: list[float] = []

    def write_meanwhile() -> None:
        start = time.monotonic()
        with other.begin() as conn:
            if not seeded.is_sqlite:
                conn.exec_driver_sql("SET LOCAL lock_timeout = '500ms'")
            conn.execute(
                update(Batch)
                .where(Batch.id == batch_id)
                .values(callback_error="written during the join")
            )
        waited.append(time.monotonic() - start)

    joins.during = write_meanwhile
    try:
        download(seeded, batch_id)
    finally:
        other.dispose()
    assert joins.count == 1
    assert waited and waited[0] < 0.5
    with seeded.session() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None and batch.callback_error == "written during the join"


def test_a_download_waits_for_a_join_claimed_elsewhere(seeded: Database, joins: Joins) -> None:
    batch_id = finished_batch(seeded)
    with seeded.session() as session:  # another process claims the join
        batch = session.get(Batch, batch_id)
        assert batch is not None
        batch.merged_claimed_at = utcnow()
    other = pdf_of_pages(2, 777)  # what that process will keep
    got: list[bytes] = []
    waiting = threading.Thread(target=lambda: got.append(download(seeded, batch_id)))
    waiting.start()
    time.sleep(3 * merged.POLL_SECONDS)
    assert not got  # still waiting
    with seeded.session() as session:
        session.add(
            BatchMerged(
                batch_id=batch_id,
                format="pdf",
                content=other,
                sha256=hashlib.sha256(other).hexdigest(),
                size=len(other),
            )
        )
    waiting.join(timeout=10)
    assert got == [other]
    assert joins.count == 0


def test_a_stale_claim_is_taken_over(seeded: Database, joins: Joins) -> None:
    batch_id = finished_batch(seeded)
    with seeded.session() as session:  # a joiner that died long ago
        batch = session.get(Batch, batch_id)
        assert batch is not None
        batch.merged_claimed_at = utcnow() - dt.timedelta(seconds=merged.CLAIM_SECONDS + 5)
    content = download(seeded, batch_id)
    assert joins.count == 1
    assert widths(content) == [300 + i for i in range(ROWS)]
    assert claimed_at(seeded, batch_id) is None


def test_a_failed_join_releases_its_claim(seeded: Database, joins: Joins) -> None:
    batch_id = finished_batch(seeded)

    def broken() -> None:
        raise ValueError("pypdf could not read a part")

    joins.during = broken
    with pytest.raises(ValueError, match="pypdf"):
        download(seeded, batch_id)
    assert claimed_at(seeded, batch_id) is None  # the next download does not wait
    joins.during = None
    assert widths(download(seeded, batch_id)) == [300 + i for i in range(ROWS)]
    assert joins.count == 2


def test_a_batch_lacking_a_pdf_is_joined_for_the_download_only(
    seeded: Database, joins: Joins
) -> None:
    batch_id = finished_batch(seeded)
    with seeded.session() as session:
        row = session.get(BatchRow, (batch_id, 3))
        assert row is not None
        row.pdf_status, row.pdf_error = "failed", "LibreOffice gave up"
    with seeded.session() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        partial = merged.build_merged(session, batch)
        assert not merged.keep(session, batch)
    assert partial.missing == [5]  # the sheet line of row 3
    assert widths(partial.content) == [300, 301, 302, 304, 305]
    assert joins.count == 1
    assert claimed_at(seeded, batch_id) is None
    with seeded.session() as session:
        assert session.scalar(select(func.count()).select_from(BatchMerged)) == 0


def test_a_file_dropped_during_its_join_is_not_kept(seeded: Database, joins: Joins) -> None:
    batch_id = finished_batch(seeded)

    def dropped() -> None:  # what a retry of the batch does (service.batches.dispatch.retry)
        with seeded.session() as session:
            merged.forget(session, batch_id)

    joins.during = dropped
    content = download(seeded, batch_id)
    assert widths(content) == [300 + i for i in range(ROWS)]  # this download still gets it
    with seeded.session() as session:
        assert session.scalar(select(func.count()).select_from(BatchMerged)) == 0
    joins.during = None
    assert widths(download(seeded, batch_id)) == widths(content)  # joined again, and kept
    assert joins.count == 2
    with seeded.session() as session:
        assert session.scalar(select(func.count()).select_from(BatchMerged)) == 1
    download(seeded, batch_id)  # read back
    assert joins.count == 2


def test_a_download_of_a_batch_running_again_is_refused(seeded: Database, joins: Joins) -> None:
    batch_id = finished_batch(seeded)
    with seeded.session() as session:  # claimed by a joiner, then the batch ran again
        batch = session.get(Batch, batch_id)
        assert batch is not None
        batch.merged_claimed_at = utcnow()
    with seeded.session() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        rows = merged._rows(session, batch_id)
        session.commit()
        with seeded.session() as other:
            running = other.get(Batch, batch_id)
            assert running is not None
            running.status = "running"
        with pytest.raises(BatchNotFinished):
            merged._complete(session, batch, rows, "pdf", "x", wait=True)
    assert joins.count == 0


def test_a_failed_batch_with_every_pdf_is_joined_and_kept(seeded: Database, joins: Joins) -> None:
    batch_id = finished_batch(seeded)
    with seeded.session() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        batch.status = "failed"
    assert widths(download(seeded, batch_id)) == [300 + i for i in range(ROWS)]
    download(seeded, batch_id)
    assert joins.count == 1


def test_a_preview_expiring_while_a_download_waits_is_not_found(
    seeded: Database, joins: Joins
) -> None:
    batch_id = finished_batch(seeded)
    with seeded.session() as session:  # another process is joining it
        batch = session.get(Batch, batch_id)
        assert batch is not None
        batch.merged_claimed_at = utcnow()
    errors: list[BaseException] = []

    def waiting() -> None:
        try:
            download(seeded, batch_id)
        except BaseException as exc:  # reported below
            errors.append(exc)

    thread = threading.Thread(target=waiting)
    thread.start()
    time.sleep(3 * merged.POLL_SECONDS)
    with seeded.session() as session:  # service.batches.expiry deletes the preview
        session.execute(delete(Batch).where(Batch.id == batch_id))
    thread.join(timeout=10)
    assert [type(e) for e in errors] == [BatchNotFound]
    assert joins.count == 0
