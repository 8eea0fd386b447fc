"""Requests that only read do not queue behind a writer, on SQLite and on PostgreSQL.

On SQLite every write transaction takes the database's one write lock at BEGIN
(``BEGIN IMMEDIATE``, service.db). A request that only reads begins DEFERRED
instead and reads its WAL snapshot while a writer holds the lock: a clerk's
register, a download, a batch's status or a stateless render does not wait for
a bulk chunk or another office's issue. A write in such a request is refused.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from service import db, templates
from service.db import Database
from service.pdf import jobs
from service.register import create_key, issue
from service.register import export as register_export
from service.register.models import AuditRow
from tests.batch_helpers import post_certificates, wait_done, worker
from tests.dbfixtures import *  # noqa: F403
from tests.dbfixtures import example_data

# Longer than any read below may take, far shorter than the 30 s busy timeout.
HOLD_SECONDS = 3.0
READ_BUDGET = 1.5
HELD_INSERT = "INSERT INTO audit (at, actor, action) VALUES (CURRENT_TIMESTAMP, 'w', 'x')"


@contextmanager
def writer_holding_the_lock(database: Database) -> Iterator[None]:
    """Another connection in the middle of a write transaction, for up to HOLD_SECONDS.

    On SQLite it holds the write lock (BEGIN IMMEDIATE); on PostgreSQL the row
    lock of every sequence, and on both an uncommitted audit row.
    """
    started, release = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def hold() -> None:
        try:
            with database.engine.connect() as conn:
                conn.begin()
                conn.execute(text("UPDATE sequences SET last_number = last_number"))
                conn.execute(text(HELD_INSERT))
                started.set()
                release.wait(HOLD_SECONDS)
                conn.rollback()
        except BaseException as exc:  # reported by the test, not lost in the thread
            failure.append(exc)
            started.set()

    thread = threading.Thread(target=hold)
    thread.start()
    assert started.wait(10)
    assert not failure, failure
    try:
        yield
    finally:
        release.set()
        thread.join()


def _timed(call: Any) -> tuple[Any, float]:
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


def test_reads_do_not_wait_for_a_writer(client: FlaskClient, app: Flask) -> None:
    data = templates.get("bao-cao").example()
    issued = client.post("/api/v1/documents", json={"template": "bao-cao", "data": data})
    assert issued.status_code == 201, issued.json
    doc = issued.json
    reads = {
        "document": lambda: client.get(f"/api/v1/documents/{doc['id']}"),
        "file": lambda: client.get(doc["files"]["docx"]),
        "register": lambda: client.get("/api/v1/registers/bcd138-bimson?q=bim son"),
        "agencies": lambda: client.get("/api/v1/agencies"),
        "agency": lambda: client.get("/api/v1/agencies/bcd138-bimson"),
        "render": lambda: client.post("/api/v1/render", json={"template": "bao-cao", "data": data}),
        "healthz": lambda: client.get("/healthz"),
    }
    with writer_holding_the_lock(app.extensions["vanban.db"]):
        for name, call in reads.items():
            response, seconds = _timed(call)
            if name == "healthz":  # 503 here only for want of a pdf worker
                assert response.json["checks"]["database"] == "ok", response.json
            else:
                assert response.status_code == 200, (name, response.json)
            assert seconds < READ_BUDGET, f"{name} waited {seconds:.2f} s for the writer"
        # The register the reader saw is the committed one (the writer's row is not in it).
        assert client.get("/api/v1/registers/bcd138-bimson").json["total"] == 1


def test_a_batch_status_and_archive_do_not_wait_for_a_writer(
    client: FlaskClient, app: Flask
) -> None:
    with worker(app):
        batch = post_certificates(client, 3)
        wait_done(client, batch["id"])
    with writer_holding_the_lock(app.extensions["vanban.db"]):
        status, seconds = _timed(lambda: client.get(f"/api/v1/batches/{batch['id']}"))
        assert status.status_code == 200 and status.json["status"] == "done", status.json
        assert seconds < READ_BUDGET
        archive, seconds = _timed(lambda: client.get(f"/api/v1/batches/{batch['id']}/archive"))
        assert archive.status_code == 200 and archive.data[:2] == b"PK"
        assert seconds < READ_BUDGET


def test_an_issue_does_not_wait_for_a_register_export(
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large register's workbook takes a while to build; it holds no lock meanwhile."""
    body = {"template": "bao-cao", "data": templates.get("bao-cao").example()}
    assert client.post("/api/v1/documents", json=body).status_code == 201
    building, release = threading.Event(), threading.Event()
    slow_build = register_export.export_xlsx

    def export_xlsx(rows: Any, title: str) -> bytes:
        building.set()
        release.wait(HOLD_SECONDS)
        return slow_build(rows, title)

    monkeypatch.setattr(register_export, "export_xlsx", export_xlsx)
    exported: list[Any] = []
    exporter = threading.Thread(
        target=lambda: exported.append(client.get("/api/v1/registers/bcd138-bimson?format=xlsx"))
    )
    exporter.start()
    try:
        assert building.wait(10)
        issued, seconds = _timed(lambda: client.post("/api/v1/documents", json=body))
    finally:
        release.set()
        exporter.join()
    assert issued.status_code == 201 and issued.json["number"] == 2
    assert seconds < READ_BUDGET, f"the issue waited {seconds:.2f} s for the export"
    [response] = exported
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None and sheet.cell(row=4, column=2).value == "01/BC-BCĐ"
    assert sheet.cell(row=5, column=2).value is None  # its rows were read before the issue
    with app.app_context(), db.current().session() as session:
        exports = session.scalars(select(AuditRow).where(AuditRow.action == "export")).all()
        assert [e.detail["rows"] for e in exports] == [1]


def test_a_write_still_waits_for_the_writer_and_then_succeeds(
    client: FlaskClient, app: Flask
) -> None:
    data = templates.get("bao-cao").example()
    body = {"template": "bao-cao", "data": data}
    assert client.post("/api/v1/documents", json=body).status_code == 201  # the book's row
    with writer_holding_the_lock(app.extensions["vanban.db"]):
        response, seconds = _timed(lambda: client.post("/api/v1/documents", json=body))
    assert response.status_code == 201, response.json
    assert response.json["number"] == 2
    assert seconds >= HOLD_SECONDS * 0.8  # it queued behind the writer, as a write must


def test_the_api_key_look_up_does_not_wait_for_a_writer(app: Flask) -> None:
    app.config["AUTH_REQUIRED"] = True
    with app.app_context(), db.current().session() as session:
        _, secret = create_key(session, role="clerk", agencies=["bcd138-bimson"])
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    with writer_holding_the_lock(app.extensions["vanban.db"]):
        response, seconds = _timed(lambda: client.get("/api/v1/agencies", headers=headers))
    assert response.status_code == 200, response.json
    assert [a["id"] for a in response.json["items"]] == ["bcd138-bimson"]
    assert seconds < READ_BUDGET


def test_a_read_only_request_cannot_write(app: Flask) -> None:
    with app.test_request_context("/"):
        db.reads_only()
        session = db.request_session()
        session.add(AuditRow(actor="t", action="x"))
        with pytest.raises(db.ReadOnlyWrite, match="INSERT INTO audit"):
            session.flush()


def test_reads_only_must_come_before_the_session(app: Flask) -> None:
    with app.test_request_context("/"):
        db.request_session()
        with pytest.raises(RuntimeError, match="before"):
            db.reads_only()


def test_a_pdf_worker_reads_its_sources_beside_a_writer(seeded: Database) -> None:
    with seeded.session() as session:
        doc = issue(
            session, template_id="bao-cao", data=example_data("bao-cao"), actor="t"
        ).document
    with writer_holding_the_lock(seeded):
        [source], seconds = _timed(lambda: jobs.load_sources(seeded, [doc.id]))
    assert seconds < READ_BUDGET
    assert isinstance(source, jobs.Source) and source.docx is not None
    assert source.docx[:2] == b"PK"
