"""Batches with PDF through a real worker and a real LibreOffice pool (embedded broker).

One app and one worker for the module, consuming every queue like ``bin/run``
(threads pool; the pdf runner owns a pool of two warm LibreOffice processes);
numbers keep growing from test to test. ``BATCH_PDF_CHUNK=5`` splits a dozen
rows over several ``pdf.convert_documents`` tasks, so the PDF phase's
last-chunk-finishes logic runs with chunks in parallel.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select

import workers.batches as tasks
from service import db
from service.batches import dispatch
from service.batches import merged as merged_module
from service.batches.models import Batch, BatchMerged
from service.errors import ConversionFailed
from service.pdf import batch as pdf_batch
from service.pdf.settings import PoolSettings
from templates_docx.quyet_dinh_cong_nhan import STANDARD
from tests.batch_helpers import Receiver, certificate_common, unit_rows, wait_done
from tests.conftest import PROBLEM
from tests.pdf_service import make_app, pdf_worker
from tests.test_api_pdf import xmp
from tests.test_pdf_support import NEED_OFFICE, pdf_text

pytestmark = NEED_OFFICE
QUEUES = ("bulk", "maintenance", "render", "pdf")
POISON = "Khu phố không chuyển được"


@pytest.fixture(scope="module")
def batch_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """The module's app with one worker on every queue and a warm pool of two."""
    instance = tmp_path_factory.mktemp("batch-pdf") / "instance"
    instance.mkdir()
    app = make_app(request, instance, PoolSettings(size=2, timeout=60), BATCH_PDF_CHUNK=5)
    try:
        with pdf_worker(app, queues=QUEUES, concurrency=4):
            yield app
    finally:
        app.extensions["vanban.db"].dispose()


@pytest.fixture
def app(batch_app: Flask) -> Flask:
    """The module's app (named ``app`` so these tests also run on PostgreSQL)."""
    return batch_app


def post(client: FlaskClient, rows: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    body = {
        "template": "giay-cong-nhan",
        "common": certificate_common(),
        "rows": rows,
        "issue": True,
        "formats": ["docx", "pdf"],
        **extra,
    }
    response = client.post("/api/v1/batches", json=body)
    assert response.status_code == 202, response.get_json()
    created: dict[str, Any] = response.get_json()
    return created


def watch(client: FlaskClient, batch_id: str, timeout: float = 120) -> list[dict[str, Any]]:
    """Every state the batch went through until it finished (the last one is final)."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while not seen or seen[-1]["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, f"batch not finished in {timeout}s: {seen[-1:]}"
        seen.append(client.get(f"/api/v1/batches/{batch_id}").get_json())
        time.sleep(0.05)
    return seen


def page_texts(pdf: bytes) -> list[str]:
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return [pdf_text(pdf, first=n, last=n) for n in range(1, pages + 1)]


def kept_merged(app: Flask, batch_id: str) -> int:
    """How many merged.pdf files are kept for the batch (batch_merged rows)."""
    with app.app_context(), db.current().session() as session:
        count = session.scalar(
            select(func.count()).select_from(BatchMerged).where(BatchMerged.batch_id == batch_id)
        )
    return int(count or 0)


def wait_kept(app: Flask, batch_id: str, timeout: float = 30) -> None:
    """Until the worker has kept the batch's merged.pdf (batches.keep_merged)."""
    deadline = time.monotonic() + timeout
    while kept_merged(app, batch_id) == 0:
        assert time.monotonic() < deadline, "merged.pdf was not kept after the batch closed"
        time.sleep(0.05)


def no_join(*_args: Any, **_kwargs: Any) -> bytes:
    raise AssertionError("merged.pdf joined again")


def test_batch_with_pdf(app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    with Receiver() as receiver:
        created = post(client, unit_rows(12), callback_url=receiver.url)
        seen = watch(client, created["id"])
        deadline = time.monotonic() + 10
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # a second POST would have arrived by now
    final = seen[-1]
    assert (final["status"], final["done"], final["failed"]) == ("done", 12, 0)
    assert (final["pdf_done"], final["pdf_failed"], final["pdf_pending"]) == (12, 0, 0)
    assert final["errors"] == [] and final["phase"] is None
    # Never "done" while a PDF was still missing; the PDF phase was visible as running.
    assert all(s["pdf_pending"] == 0 for s in seen if s["status"] == "done")
    assert all(s["phase"] in ("render", "pdf") for s in seen[:-1])
    [callback] = receiver.received
    assert (callback["status"], callback["pdf_done"], callback["pdf_pending"]) == ("done", 12, 0)

    docs = [client.get(f"/api/v1/documents/{i}").get_json() for i in final["documents"]]
    first = created["first_number"]
    assert [d["number"] for d in docs] == list(range(first, first + 12))
    sizes = []
    for doc in docs:
        assert set(doc["files"]) == {"docx", "pdf"}
        pdf = client.get(doc["files"]["pdf"]).data
        sizes.append(len(pdf))
        assert f"Số: {doc['symbol']}" in pdf_text(pdf)

    # The batch closed with every row's PDF: a worker joined merged.pdf and kept it, so even
    # the first download reads it back instead of joining a thousand pages in the request.
    wait_kept(app, created["id"])
    assert kept_merged(app, created["id"]) == 1
    monkeypatch.setattr(merged_module.jobs, "merged_pdf", no_join)
    merged = client.get(final["merged_pdf"])
    assert merged.status_code == 200 and merged.content_type == "application/pdf"
    assert "X-Missing-Rows" not in merged.headers
    # Every document's PDF carries the fonts of its conversion: merged.pdf holds them once.
    assert len(merged.data) < sum(sizes) / 3
    pages = page_texts(merged.data)
    assert len(pages) == 12
    for page, doc in zip(pages, docs, strict=True):  # row order, one certificate a page
        assert f"Số: {doc['symbol']}" in page
    again = client.get(final["merged_pdf"])
    assert again.status_code == 200 and again.data == merged.data
    assert again.headers["Content-Disposition"] == merged.headers["Content-Disposition"]
    monkeypatch.undo()

    archive = zipfile.ZipFile(io.BytesIO(client.get(final["archive"]).data))
    names = archive.namelist()
    assert len(names) == 24
    stem = docs[0]["symbol"].replace("/", "-")
    assert names[:2] == [f"{first:04d}-{stem}.docx", f"{first:04d}-{stem}.pdf"]
    assert archive.read(names[1]) == client.get(docs[0]["files"]["pdf"]).data


def _poisoned(original: Any) -> Any:
    """A converter that fails every chunk holding the poisoned certificate."""

    def convert_once(self: Any, indices: list[int]) -> None:
        for i in indices:
            with zipfile.ZipFile(io.BytesIO(self.docs[i])) as docx:
                if POISON.upper().encode() in docx.read("word/document.xml"):
                    raise ConversionFailed("LibreOffice không đọc được tệp (giả lập)")
        original(self, indices)

    return convert_once


def test_one_pdf_fails_alone_then_retry(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = unit_rows(6)
    rows[2] = {"unit": {"name": POISON, "address": "Phường Bắc Sơn"}}
    original = pdf_batch._Run._convert_once
    monkeypatch.setattr(pdf_batch._Run, "_convert_once", _poisoned(original))
    created = post(client, rows)
    final = watch(client, created["id"])[-1]
    assert (final["status"], final["done"], final["failed"]) == ("done", 6, 0)
    assert (final["pdf_done"], final["pdf_failed"]) == (5, 1)
    [error] = final["errors"]
    assert (error["loc"], error["format"], error["number"]) == (
        ["rows", 2],
        "pdf",
        created["first_number"] + 2,
    )
    assert error["msg"].startswith("Dòng 3: Không tạo được PDF") and "giả lập" in error["msg"]
    bad = client.get(f"/api/v1/documents/{error['document']}").get_json()
    assert bad["status"] == "issued" and set(bad["files"]) == {"docx"}  # number and .docx kept

    merged = client.get(final["merged_pdf"])
    assert merged.status_code == 200 and merged.headers["X-Missing-Rows"] == "3"
    assert len(page_texts(merged.data)) == 5
    assert kept_merged(app, created["id"]) == 0  # not while a row lacks its PDF
    joined = merged_module.jobs.merged_pdf
    monkeypatch.setattr(merged_module.jobs, "merged_pdf", no_join)
    with app.app_context(), db.current().session() as session:
        batch = session.get(Batch, created["id"])
        assert batch is not None and not merged_module.keep(session, batch)  # joins nothing
    monkeypatch.setattr(merged_module.jobs, "merged_pdf", joined)
    names = zipfile.ZipFile(io.BytesIO(client.get(final["archive"]).data)).namelist()
    assert len(names) == 6 + 5

    monkeypatch.setattr(pdf_batch._Run, "_convert_once", original)  # the cause is fixed
    again = client.post(f"/api/v1/batches/{created['id']}/retry")
    assert again.status_code == 202 and again.get_json()["status"] == "running"
    final = watch(client, created["id"])[-1]
    assert (final["status"], final["pdf_done"], final["pdf_failed"]) == ("done", 6, 0)
    assert final["errors"] == []
    wait_kept(app, created["id"])  # the retry dropped the old one; the worker kept the new one
    pages = page_texts(client.get(final["merged_pdf"]).data)
    assert len(pages) == 6 and POISON.upper() in pages[2]
    assert kept_merged(app, created["id"]) == 1


def test_sweeper_recovers_the_pdf_phase(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pdf tasks were lost (a killed worker, a flushed queue): a sweep sends them again."""
    original = dispatch.enqueue
    lost: list[str] = []

    def drop_pdf(name: str, *args: Any, **kw: Any) -> bool:
        if name == "pdf.convert_documents":
            lost.append(name)
            return True
        return original(name, *args, **kw)

    monkeypatch.setattr(dispatch, "enqueue", drop_pdf)
    created = post(client, unit_rows(3))
    deadline = time.monotonic() + 60
    while not lost:
        assert time.monotonic() < deadline, "the PDF phase never started"
        time.sleep(0.05)
    state = client.get(created["url"]).get_json()
    assert (state["status"], state["phase"], state["pdf_pending"]) == ("running", "pdf", 3)
    monkeypatch.setattr(dispatch, "enqueue", original)
    monkeypatch.setitem(app.config, "BATCH_STALL_SECONDS", 1)
    time.sleep(1.2)
    with app.app_context():
        tasks.sweep_batches.delay()
    final = wait_done(client, created["id"], timeout=120)
    assert (final["status"], final["pdf_done"], final["pdf_failed"]) == ("done", 3, 0)


def test_merged_pdf_of_a_batch_without_pdf(client: FlaskClient) -> None:
    created = post(client, unit_rows(1), formats=["docx"])
    response = client.get(f"/api/v1/batches/{created['id']}/merged.pdf")
    assert response.status_code == 404 and response.content_type == PROBLEM
    assert "không xuất PDF" in response.get_json()["detail"]
    wait_done(client, created["id"])


def test_merged_pdf_waits_for_the_pdfs(client: FlaskClient, app: Flask) -> None:
    created = post(client, unit_rows(2))
    wait_done(client, created["id"], timeout=120)
    url = f"/api/v1/batches/{created['id']}/merged.pdf"
    assert client.get(url).status_code == 200
    # Put the batch back in its PDF phase (a real run may finish before any request).
    set_status(app, created["id"], "running")
    early = client.get(url)
    assert early.status_code == 409 and early.content_type == PROBLEM
    assert "PDF của đợt chưa xong" in early.get_json()["detail"]
    set_status(app, created["id"], "done")


def set_status(app: Flask, batch_id: str, status: str) -> None:
    with app.app_context(), db.current().session() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        batch.status = status


def preview(client: FlaskClient, count: int, formats: list[str]) -> dict[str, Any]:
    """A finished preview batch (``"issue": false``: no number) of ``count`` certificates."""
    created = post(client, unit_rows(count), issue=False, formats=formats)
    assert created["first_number"] is None
    final = watch(client, created["id"])[-1]
    assert (final["status"], final["done"], final["failed"]) == ("done", count, 0)
    assert (final["pdf_done"], final["pdf_failed"], final["pdf_pending"]) == (count, 0, 0)
    assert final["errors"] == [] and final["documents"] == [] and final["phase"] is None
    return final


def test_preview_batch_with_pdf(client: FlaskClient) -> None:
    """Drafts get their PDFs the same way: batch_files, merged.pdf and the archive."""
    final = preview(client, 6, ["docx", "pdf"])
    names = [f"Khu phố {i}".upper() for i in range(1, 7)]
    merged = client.get(final["merged_pdf"])
    assert merged.status_code == 200 and merged.content_type == "application/pdf"
    assert "X-Missing-Rows" not in merged.headers
    pages = page_texts(merged.data)
    assert len(pages) == 6
    for page, name in zip(pages, names, strict=True):  # row order, one certificate a page
        assert name in page and re.search(r"Số:\s+/", page)  # a draft: no number

    archive = zipfile.ZipFile(io.BytesIO(client.get(final["archive"]).data))
    stem = "giay-cong-nhan-du-thao"
    expected = [f"{i:04d}-{stem}.{ext}" for i in range(1, 7) for ext in ("docx", "pdf")]
    assert archive.namelist() == expected
    for i, name in enumerate(names, 1):
        pdf = archive.read(f"{i:04d}-{stem}.pdf")
        text = pdf_text(pdf)
        assert name in text and "Số:" in text and not re.search(r"Số:\s*\d", text)
        info = PdfReader(io.BytesIO(pdf)).metadata  # title = the row's trích yếu
        title = f"Giấy công nhận Khu phố {i} đạt tiêu chuẩn {STANDARD} năm 2024"
        assert info is not None and info.title == title
        assert info.author == "ỦY BAN NHÂN DÂN PHƯỜNG BẮC SƠN" and not info.subject  # no number


def test_preview_batch_with_pdfa(client: FlaskClient) -> None:
    final = preview(client, 2, ["pdfa"])
    archive = zipfile.ZipFile(io.BytesIO(client.get(final["archive"]).data))
    names = archive.namelist()
    assert names == [f"{i:04d}-giay-cong-nhan-du-thao.pdf" for i in (1, 2)]  # only what was asked
    assert "<pdfaid:part>2</pdfaid:part>" in xmp(archive.read(names[0]))
    merged = client.get(final["merged_pdf"])
    assert merged.status_code == 200 and "<pdfaid:part>2</pdfaid:part>" in xmp(merged.data)


def test_preview_pdf_fails_alone_then_retry(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = unit_rows(3)
    rows[1] = {"unit": {"name": POISON, "address": "Phường Bắc Sơn"}}
    original = pdf_batch._Run._convert_once
    monkeypatch.setattr(pdf_batch._Run, "_convert_once", _poisoned(original))
    created = post(client, rows, issue=False)
    final = watch(client, created["id"])[-1]
    assert (final["status"], final["pdf_done"], final["pdf_failed"]) == ("done", 2, 1)
    [error] = final["errors"]
    assert (error["loc"], error["format"], error["number"], error["document"]) == (
        ["rows", 1],
        "pdf",
        None,
        None,
    )
    assert error["msg"].startswith("Dòng 2: Không tạo được PDF") and "giả lập" in error["msg"]
    merged = client.get(final["merged_pdf"])
    assert merged.headers["X-Missing-Rows"] == "2" and len(page_texts(merged.data)) == 2

    monkeypatch.setattr(pdf_batch._Run, "_convert_once", original)
    assert client.post(f"/api/v1/batches/{created['id']}/retry").status_code == 202
    final = watch(client, created["id"])[-1]
    assert (final["status"], final["pdf_done"], final["pdf_failed"]) == ("done", 3, 0)
    names = zipfile.ZipFile(io.BytesIO(client.get(final["archive"]).data)).namelist()
    assert len(names) == 6
