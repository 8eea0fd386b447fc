"""PDF over HTTP through a real pdf worker: render, PDF/A, issuing, previews, health.

One app, one Celery worker on the pdf queue and one warm LibreOffice for the
whole module; numbers therefore keep growing from test to test.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, StreamObject

from service import templates
from service.pdf.settings import PoolSettings
from tests.conftest import PROBLEM
from tests.pdf_service import leftover_jobs, make_app, pdf_worker, png_size
from tests.test_pdf_support import NEED_OFFICE, pdf_text

pytestmark = NEED_OFFICE

A4 = (595.3, 841.9)


@pytest.fixture(scope="module")
def pdf_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """The module's app with a running pdf worker (one warm LibreOffice)."""
    instance = tmp_path_factory.mktemp("pdf-api") / "instance"
    instance.mkdir()
    app = make_app(request, instance, PoolSettings(size=1, timeout=60))
    try:
        with pdf_worker(app):
            yield app
    finally:
        app.extensions["vanban.db"].dispose()


@pytest.fixture
def app(pdf_app: Flask) -> Flask:
    """The module's app (named ``app`` so these tests also run on PostgreSQL)."""
    return pdf_app


def example(template_id: str, **changes: Any) -> dict[str, Any]:
    return templates.get(template_id).example() | changes


def xmp(pdf: bytes) -> str:
    root = cast(DictionaryObject, PdfReader(io.BytesIO(pdf)).trailer["/Root"])
    return cast(StreamObject, root["/Metadata"].get_object()).get_data().decode("utf-8")


def assert_a4(pdf: bytes) -> PdfReader:
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A4, abs=1)
    return reader


def test_render_pdf(client: FlaskClient, app: Flask) -> None:
    data = example("ke-hoach", number=149)
    response = client.post(
        "/api/v1/render", json={"template": "ke-hoach", "data": data, "format": "pdf"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type == "application/pdf"
    assert "149-KH-BC%C4%90-2018-03-26.pdf" in response.headers["Content-Disposition"]
    pdf = response.data
    text = pdf_text(pdf)
    assert "Số: 149/KH-BCĐ" in text
    assert "Bỉm Sơn, ngày 26 tháng 3 năm 2018" in text
    meta = assert_a4(pdf).metadata
    assert meta is not None
    assert (meta.title, meta.author, meta.subject) == (
        data["summary"],
        "BAN CHỈ ĐẠO 138",
        "149/KH-BCĐ",
    )
    assert leftover_jobs(app) == []  # a stateless job is deleted once delivered


@pytest.mark.parametrize("extra", [{"format": "pdf", "pdfa": True}, {"format": "pdfa"}])
def test_render_pdfa(client: FlaskClient, extra: dict[str, Any]) -> None:
    data = example("giay-cong-nhan", number=7)
    response = client.post(
        "/api/v1/render", json={"template": "giay-cong-nhan", "data": data, **extra}
    )
    assert response.status_code == 200 and response.content_type == "application/pdf"
    assert "-pdfa.pdf" in response.headers["Content-Disposition"]
    meta = xmp(response.data)
    assert "<pdfaid:part>2</pdfaid:part>" in meta and "<pdfaid:conformance>B" in meta
    assert '<rdf:li xml:lang="x-default">07/GCN-UBND</rdf:li>' in meta  # subject = symbol
    assert "Số: 07/GCN-UBND" in pdf_text(response.data)


def test_issue_with_pdf(client: FlaskClient) -> None:
    body = {"template": "ke-hoach", "data": example("ke-hoach"), "formats": ["docx", "pdf"]}
    response = client.post("/api/v1/documents", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    doc = response.get_json()
    assert "pdf_error" not in doc
    assert set(doc["files"]) == {"docx", "pdf"} and set(doc["sha256"]) == {"docx", "pdf"}
    first = client.get(doc["files"]["pdf"])
    second = client.get(doc["files"]["pdf"])
    assert first.status_code == 200 and first.content_type == "application/pdf"
    assert first.data == second.data
    assert hashlib.sha256(first.data).hexdigest() == doc["sha256"]["pdf"]
    assert f"Số: {doc['symbol']}" in pdf_text(first.data)
    meta = PdfReader(io.BytesIO(first.data)).metadata
    assert meta is not None and meta.subject == doc["symbol"]
    # The same Idempotency-Key: the same document, its PDF untouched.
    again = client.post("/api/v1/documents", json=body, headers={"Idempotency-Key": "k1"})
    replay = client.post("/api/v1/documents", json=body, headers={"Idempotency-Key": "k1"})
    assert (again.status_code, replay.status_code) == (201, 200)
    assert replay.get_json()["sha256"] == again.get_json()["sha256"]


def test_pdfa_on_request_after_issuing(client: FlaskClient) -> None:
    doc = client.post("/api/v1/documents", json={"template": "bao-cao", "data": example("bao-cao")})
    assert doc.status_code == 201 and set(doc.get_json()["files"]) == {"docx"}
    doc_id = doc.get_json()["id"]
    assert client.get(f"/api/v1/documents/{doc_id}/file?format=pdfa").status_code == 404
    made = client.post(f"/api/v1/documents/{doc_id}/pdf?format=pdfa")
    assert made.status_code == 200
    assert set(made.get_json()["files"]) == {"docx", "pdfa"}
    assert [a["action"] for a in made.get_json()["audit"]][-1] == "pdf"
    pdfa = client.get(f"/api/v1/documents/{doc_id}/file?format=pdfa")
    assert pdfa.content_type == "application/pdf"
    assert "-pdfa.pdf" in pdfa.headers["Content-Disposition"]
    assert "<pdfaid:part>2</pdfaid:part>" in xmp(pdfa.data)
    # Asking again converts nothing: the stored bytes stay.
    assert client.post(f"/api/v1/documents/{doc_id}/pdf?format=pdfa").status_code == 200
    assert client.get(f"/api/v1/documents/{doc_id}/file?format=pdfa").data == pdfa.data
    bad = client.post(f"/api/v1/documents/{doc_id}/pdf?format=odt")
    assert bad.status_code == 422 and bad.content_type == PROBLEM


def test_document_pages(client: FlaskClient) -> None:
    doc = client.post(
        "/api/v1/documents", json={"template": "ke-hoach", "data": example("ke-hoach")}
    )
    doc_id = doc.get_json()["id"]
    url = f"/api/v1/documents/{doc_id}/pages"
    first = client.get(f"{url}/1.png?width=640")  # converts and stores the PDF first
    assert first.status_code == 200 and first.content_type == "image/png"
    assert png_size(first.data)[0] == 640
    assert first.headers["X-Page-Count"] == "2"
    assert "pdf" in client.get(f"/api/v1/documents/{doc_id}").get_json()["files"]
    second = client.get(f"{url}/2.png?width=200")
    assert png_size(second.data)[0] == 200
    etag = second.headers["ETag"]
    assert client.get(f"{url}/2.png?width=200", headers={"If-None-Match": etag}).status_code == 304
    beyond = client.get(f"{url}/3.png")
    assert beyond.status_code == 404 and beyond.content_type == PROBLEM
    assert "2 trang" in beyond.get_json()["detail"]
    for width in ("99", "2001", "abc"):
        narrow = client.get(f"{url}/1.png?width={width}")
        assert narrow.status_code == 422
        assert narrow.get_json()["errors"][0]["loc"] == ["query", "width"]
    assert client.get(f"/api/v1/documents/{'0' * 32}/pages/1.png").status_code == 404


def test_render_pages(client: FlaskClient) -> None:
    body = {"template": "giay-cong-nhan", "data": example("giay-cong-nhan")}
    page = client.post("/api/v1/render/pages/1.png?width=300", json=body)
    assert page.status_code == 200 and page.content_type == "image/png"
    width, height = png_size(page.data)
    assert width == 300 and height < width  # the certificate is landscape
    assert page.headers["X-Page-Count"] == "1"
    beyond = client.post("/api/v1/render/pages/2.png", json=body)
    assert beyond.status_code == 404 and beyond.content_type == PROBLEM
    assert client.post("/api/v1/render/pages/1.png?width=5000", json=body).status_code == 422
    bad = client.post("/api/v1/render/pages/1.png", json={"template": "giay-cong-nhan", "data": {}})
    assert bad.status_code == 422


def test_healthz_reports_the_pool(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["checks"]["pdf"] == "ok"
    [worker] = body["details"]["pdf"]["workers"]
    assert worker["available"] and worker["status"] == "ok"
    assert worker["pool"]["size"] == 1 and worker["pool"]["alive"] == 1
    assert worker["pool"]["conversions"] >= 1


def test_docx_needs_no_worker(client: FlaskClient, tmp_path: Path) -> None:
    data = example("ke-hoach")
    response = client.post("/api/v1/render", json={"template": "ke-hoach", "data": data})
    assert response.status_code == 200 and response.data[:2] == b"PK"


def test_convert_documents_task(client: FlaskClient, app: Flask) -> None:
    """pdf.convert_documents (ids only) stores each document's PDF: the batch PDF step."""
    ids = []
    for n in range(2):
        data = example("giay-cong-nhan")
        data["unit"] = {**data["unit"], "name": f"Tổ dân phố {n + 1}"}
        doc = client.post("/api/v1/documents", json={"template": "giay-cong-nhan", "data": data})
        ids.append(doc.get_json()["id"])
    app.extensions["celery"].send_task("pdf.convert_documents", args=[ids])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        files = [client.get(f"/api/v1/documents/{i}").get_json()["files"] for i in ids]
        if all("pdf" in f for f in files):
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"the task stored no PDF: {files}")
    for n, doc_id in enumerate(ids, start=1):
        pdf = client.get(f"/api/v1/documents/{doc_id}/file?format=pdf").data
        assert f"tổ dân phố {n}" in pdf_text(pdf).lower()
