"""The job store (files and Redis), the batch domain function convert_documents, and the
whole render-to-PDF path on the Redis broker."""

from __future__ import annotations

import io
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import event, select

from service.db import READ_ONLY, Database
from service.errors import NotFound
from service.pdf import ConverterPool, jobs
from service.pdf.jobstore import FileJobStore, Heartbeat, Job, JobStore, Outcome
from service.pdf.jobstore_redis import RedisJobStore
from service.pdf.settings import PoolSettings
from service.register import issue
from service.register.models import AuditRow
from service.register.storage import DEFAULT_STORAGE
from tests.dbfixtures import *  # noqa: F403
from tests.dbfixtures import example_data
from tests.pdf_service import make_app, pdf_worker
from tests.services import require_redis
from tests.test_pdf_support import NEED_OFFICE, pdf_text

STORES = ["files", pytest.param("redis", marks=pytest.mark.redis)]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[JobStore]:
    """A file store in tmp_path, or a Redis store on the test database (keys cleaned after)."""
    if request.param == "files":
        yield FileJobStore(tmp_path / "pdf")
        return
    redis_store = RedisJobStore(require_redis())
    redis_store.PREFIX = f"vanban-test:{uuid.uuid4().hex[:8]}:"  # type: ignore[misc]
    yield redis_store
    keys = list(redis_store.redis.scan_iter(match=f"{redis_store.PREFIX}*"))
    if keys:
        redis_store.redis.delete(*keys)


def test_job_round_trip(store: JobStore) -> None:
    job = Job(format="pdfa", metadata={"title": "Trích yếu"})
    store.create(job, b"PK docx")
    loaded = store.load(job.id)
    assert loaded is not None
    assert loaded[0] == job and loaded[0].pdfa and loaded[1] == b"PK docx"
    assert not store.finished(job.id)
    assert store.wait(job.id, 0.2) is None
    assert store.finish(job.id, Outcome(True, pages=2, content=b"%PDF-1.7"))
    assert store.finished(job.id)
    assert store.wait(job.id, 1) == Outcome(True, "", "", 2, b"%PDF-1.7")
    store.delete(job.id)
    assert store.load(job.id) is None
    # A worker finishing a job nobody waits for any more is told so.
    assert not store.finish(job.id, Outcome(False, "timeout", "quá giờ"))


def test_document_jobs_carry_no_bytes(store: JobStore) -> None:
    job = Job(document_id="d" * 32, preview={"page": 2, "width": 300})
    store.create(job, None)
    assert store.load(job.id) == (job, None)
    store.delete(job.id)


def test_heartbeats_expire(store: JobStore) -> None:
    store.beat(Heartbeat("celery@a:1", True, "ok", pool={"size": 2}), ttl=5)
    store.beat(Heartbeat("celery@b:2", False, "unavailable", at=time.time() - 60), ttl=120)
    [fresh] = store.heartbeats(max_age=5)
    assert (fresh.worker, fresh.available, fresh.pool) == ("celery@a:1", True, {"size": 2})


def test_file_store_sweeps_forgotten_jobs(tmp_path: Path) -> None:
    store = FileJobStore(tmp_path / "pdf")
    old, new = Job(), Job()
    store.create(old, b"x")
    store.create(new, b"y")
    past = time.time() - 7200
    os.utime(store.jobs / old.id, (past, past))
    assert store.sweep() == 1
    assert store.load(old.id) is None and store.load(new.id) is not None


@pytest.fixture(scope="module")
def pool() -> Iterator[ConverterPool]:
    """One warm LibreOffice for the module."""
    with ConverterPool(1, timeout=60) as started:
        yield started


def _certificates(database: Database, count: int) -> list[str]:
    ids = []
    with database.session() as session:
        for n in range(count):
            data = example_data("giay-cong-nhan")
            data["unit"] = {**data["unit"], "name": f"Khu dân cư số {n + 1}"}
            ids.append(
                issue(session, template_id="giay-cong-nhan", data=data, actor="t").document.id
            )
    return ids


def stored_pdfs(database: Database, document_ids: list[str]) -> list[bytes | None]:
    """The stored PDF of each document, None where it has none (yet)."""
    with database.read_sessions() as session:
        return [DEFAULT_STORAGE.get(session, doc_id, "pdf") for doc_id in document_ids]


@NEED_OFFICE
def test_convert_documents(seeded: Database, pool: ConverterPool) -> None:
    ids = _certificates(seeded, 3)
    result = jobs.convert_documents(seeded, [*ids, "0" * 32], pool=pool)
    assert result.conversions == 1  # the three certificates went through LibreOffice at once
    assert list(result.errors) == [3] and isinstance(result.errors[3], NotFound)
    assert result.page_counts == [1, 1, 1, 0]
    stored = stored_pdfs(seeded, ids)
    assert stored == result.pdfs[:3]
    for n, pdf in enumerate(stored, start=1):
        assert pdf is not None and f"khu dân cư số {n}" in pdf_text(pdf).lower()
    assert result.merged is not None
    assert len(PdfReader(io.BytesIO(result.merged)).pages) == 3
    # A re-run converts nothing and returns the stored bytes.
    again = jobs.convert_documents(seeded, ids, pool=pool)
    assert again.conversions == 0 and again.pdfs == stored
    assert again.merged is not None and len(PdfReader(io.BytesIO(again.merged)).pages) == 3


@NEED_OFFICE
def test_a_chunk_is_read_and_stored_in_one_transaction_each(
    seeded: Database, pool: ConverterPool
) -> None:
    ids = _certificates(seeded, 5)
    transactions: list[str] = []

    def began(conn: Any) -> None:
        transactions.append("read" if conn.get_execution_options().get(READ_ONLY) else "write")

    event.listen(seeded.engine, "begin", began)
    try:
        result = jobs.convert_documents(seeded, ids, pool=pool, merged=False)
    finally:
        event.remove(seeded.engine, "begin", began)
    assert result.ok and all(result.pdfs)
    # The chunk's .docx read in a reader's transaction, its 5 PDFs stored in one other.
    assert transactions == ["read", "write"]
    with seeded.session() as session:
        audited = session.scalars(
            select(AuditRow.document_id).where(
                AuditRow.action == "pdf", AuditRow.document_id.in_(ids)
            )
        ).all()
    assert len(audited) == len(ids) and set(audited) == set(ids)  # one audit row per PDF


def test_store_pdfs_falls_back_to_one_row_at_a_time(seeded: Database) -> None:
    """A row that cannot be inserted (here: the same document twice) does not lose the others."""
    first, second = _certificates(seeded, 2)
    kept = jobs.store_pdfs(
        seeded, "pdf", [(first, b"%PDF-a"), (first, b"%PDF-b"), (second, b"%PDF-c")]
    )
    assert kept == [b"%PDF-a", b"%PDF-a", b"%PDF-c"]  # the first one stored is kept
    assert stored_pdfs(seeded, [first, second]) == [b"%PDF-a", b"%PDF-c"]
    again = jobs.store_pdfs(seeded, "pdf", [(second, b"%PDF-d"), ("0" * 32, b"%PDF-e")])
    assert again[0] == b"%PDF-c" and isinstance(again[1], NotFound)
    with seeded.session() as session:
        audited = session.scalars(
            select(AuditRow.document_id).where(
                AuditRow.action == "pdf", AuditRow.document_id.in_([first, second])
            )
        ).all()
    assert len(audited) == 2 and set(audited) == {first, second}  # one per stored PDF


@NEED_OFFICE
@pytest.mark.redis
def test_render_pdf_on_the_redis_broker(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = require_redis()
    monkeypatch.setattr(RedisJobStore, "PREFIX", f"vanban-test:{uuid.uuid4().hex[:8]}:")
    instance = tmp_path / "instance"
    instance.mkdir()
    app = make_app(request, instance, PoolSettings(size=1, timeout=60), REDIS_URL=url)
    assert isinstance(app.extensions["vanban.pdf"].store, RedisJobStore)
    data = example_data("ke-hoach", number=3)
    try:
        with pdf_worker(app):
            response = app.test_client().post(
                "/api/v1/render", json={"template": "ke-hoach", "data": data, "format": "pdf"}
            )
            assert response.status_code == 200, response.get_data(as_text=True)
            assert "Số: 03/KH-BCĐ" in pdf_text(response.data)
    finally:
        app.extensions["vanban.db"].dispose()
        store = app.extensions["vanban.pdf"].store
        keys = list(store.redis.scan_iter(match=f"{RedisJobStore.PREFIX}*"))
        if keys:
            store.redis.delete(*keys)


@pytest.mark.parametrize("raw", ["abc", "0", "-3"])
def test_pdf_wait_parses_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    from config.settings import SettingsError
    from service import create_app

    monkeypatch.setenv("VANBAN_PDF_WAIT", raw)
    with pytest.raises(SettingsError, match="VANBAN_PDF_WAIT"):
        create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
