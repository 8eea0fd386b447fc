"""PDF faults over HTTP: LibreOffice missing (503 at once, DOCX fine), a conversion past its
timeout (504, then the next one succeeds), and no pdf worker answering (503 within the wait)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from service import templates
from service.pdf.jobstore import Heartbeat, Job
from service.pdf.settings import PoolSettings
from service.register.models import FileRow
from tests.conftest import PROBLEM
from tests.pdf_service import leftover_jobs, make_app, pdf_worker
from tests.test_pdf_support import NEED_OFFICE, render, table_docx

pytestmark = pytest.mark.appdb  # every test here runs on the app's database


def example(template_id: str, **changes: Any) -> dict[str, Any]:
    return templates.get(template_id).example() | changes


def pdf_body(template_id: str = "ke-hoach") -> dict[str, Any]:
    return {"template": template_id, "data": example(template_id), "format": "pdf"}


@pytest.fixture
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An app whose pdf wait is 1 s and that no pdf worker serves."""
    instance = tmp_path / "instance"
    instance.mkdir()
    app = make_app(request, instance, PoolSettings(size=1), PDF_WAIT=1.0, PDF_HEARTBEAT=5.0)
    yield app
    app.extensions["vanban.db"].dispose()


def test_no_worker_answering_is_503_within_the_wait(app: Flask) -> None:
    # A fresh heartbeat says a worker is there, but nothing consumes the pdf queue.
    app.extensions["vanban.pdf.runner"].publish(Heartbeat("celery@ghost:1", True, "ok"))
    client = app.test_client()
    started = time.monotonic()
    response = client.post("/api/v1/render", json=pdf_body())
    assert time.monotonic() - started < 5
    assert response.status_code == 503 and response.content_type == PROBLEM
    assert "không trả lời trong 1 giây" in response.get_json()["detail"]
    assert leftover_jobs(app) == []  # the abandoned job is gone: a late worker skips it

    # Issuing still succeeds: the number and the .docx are kept, the PDF failure is reported.
    body = {"template": "ke-hoach", "data": example("ke-hoach"), "formats": ["docx", "pdf"]}
    issued = client.post("/api/v1/documents", json=body)
    assert issued.status_code == 201
    doc = issued.get_json()
    assert doc["number"] == 1 and set(doc["files"]) == {"docx"}
    error = doc["pdf_error"]
    assert (error["status"], error["format"]) == (503, "pdf")
    assert error["retry"] == f"/api/v1/documents/{doc['id']}/pdf?format=pdf"
    assert client.get(doc["files"]["docx"]).status_code == 200
    assert leftover_jobs(app) == []


@pytest.fixture(scope="module")
def missing(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """A pdf worker whose LibreOffice is not installed (VANBAN_SOFFICE points nowhere)."""
    instance = tmp_path_factory.mktemp("pdf-missing") / "instance"
    instance.mkdir()
    conf = PoolSettings(size=1, soffice="/nonexistent/libreoffice/soffice")
    app = make_app(request, instance, conf)
    try:
        with pdf_worker(app, ready="unavailable", timeout=30):
            yield app
    finally:
        app.extensions["vanban.db"].dispose()


def test_libreoffice_missing(missing: Flask) -> None:
    client = missing.test_client()
    started = time.monotonic()
    response = client.post("/api/v1/render", json=pdf_body())
    assert time.monotonic() - started < 2  # answered from the heartbeat, no waiting
    assert response.status_code == 503 and response.content_type == PROBLEM
    problem = response.get_json()
    assert problem["title"] == "Bộ chuyển đổi PDF không sẵn sàng"
    assert "Chưa cài LibreOffice" in problem["detail"] and "DOCX" in problem["detail"]

    docx = client.post("/api/v1/render", json={**pdf_body(), "format": "docx"})
    assert docx.status_code == 200 and docx.data[:2] == b"PK"

    health = client.get("/healthz").get_json()
    assert health["checks"]["pdf"] == "unavailable: LibreOffice không được cài"
    assert health["failing"] == ["pdf"]

    body = {"template": "ke-hoach", "data": example("ke-hoach"), "formats": ["docx", "pdf"]}
    assert client.post("/api/v1/documents", json=body).status_code == 503
    body["formats"] = ["docx"]
    assert client.post("/api/v1/documents", json=body).get_json()["number"] == 1

    # Batches, issued or preview, are refused at once too: nothing could make their PDFs.
    batch = {"template": "ke-hoach", "rows": [example("ke-hoach")], "formats": ["pdf"]}
    for issue in (True, False):
        response = client.post("/api/v1/batches", json={**batch, "issue": issue})
        assert response.status_code == 503 and response.content_type == PROBLEM


def test_a_job_that_reaches_a_worker_without_libreoffice(missing: Flask) -> None:
    """Past the heartbeat (e.g. LibreOffice removed meanwhile), the worker answers 'unavailable'."""
    pdf = missing.extensions["vanban.pdf"]
    job = Job()
    pdf.store.create(job, render("ke-hoach"))
    missing.extensions["celery"].send_task("pdf.convert", args=[job.id])
    outcome = pdf.store.wait(job.id, 20)
    pdf.store.delete(job.id)
    assert outcome is not None and not outcome.ok
    assert outcome.code == "unavailable" and "LibreOffice" in outcome.detail


@NEED_OFFICE
def test_timeout_is_504_and_the_next_conversion_succeeds(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    app = make_app(request, instance, PoolSettings(size=1, timeout=3), PDF_WAIT=30.0)
    client = app.test_client()
    try:
        with pdf_worker(app):
            issued = client.post(
                "/api/v1/documents", json={"template": "ke-hoach", "data": example("ke-hoach")}
            ).get_json()
            # The stored .docx becomes a pathological one (~40 s of LibreOffice layout).
            hang = table_docx(300, 10, 5, base=render("ke-hoach"))
            with app.extensions["vanban.db"].session() as session:
                session.execute(
                    update(FileRow)
                    .where(FileRow.document_id == issued["id"], FileRow.format == "docx")
                    .values(content=hang, size=len(hang))
                )
            started = time.monotonic()
            response = client.post(f"/api/v1/documents/{issued['id']}/pdf")
            assert time.monotonic() - started < 15
            assert response.status_code == 504 and response.content_type == PROBLEM
            assert "3 giây" in response.get_json()["detail"]

            after = client.post("/api/v1/render", json=pdf_body())
            assert after.status_code == 200 and after.data.startswith(b"%PDF")
            doc = client.get(f"/api/v1/documents/{issued['id']}").get_json()
            assert doc["status"] == "issued" and set(doc["files"]) == {"docx"}
            health = app.extensions["vanban.pdf"].details()
            assert health["workers"][0]["pool"]["timeouts"] == 1
    finally:
        app.extensions["vanban.db"].dispose()


def test_job_store_unreachable_is_503(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    app = make_app(request, instance, PoolSettings(size=1), REDIS_URL="redis://127.0.0.1:1/0")
    try:
        client = app.test_client()
        response = client.post("/api/v1/render", json=pdf_body())
        assert response.status_code == 503 and response.content_type == PROBLEM
        assert "Redis" in response.get_json()["detail"]
        assert client.get("/healthz").get_json()["checks"]["pdf"] == "unreachable"
        docx = client.post("/api/v1/render", json={**pdf_body(), "format": "docx"})
        assert docx.status_code == 200
    finally:
        app.extensions["vanban.db"].dispose()
