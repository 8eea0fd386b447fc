"""Batches through a real Celery worker on the embedded broker (and the app's database)."""

from __future__ import annotations

import datetime as dt
import io
import logging
import time
import zipfile
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from service import db, vn
from service.batches import run
from service.batches.models import Batch, BatchFile, BatchMerged, BatchRow
from service.errors import InvalidData, TemplateError
from service.register.models import Document
from templates_docx import giay_cong_nhan
from tests.batch_helpers import (
    Receiver,
    certificate_common,
    post_certificates,
    unit_rows,
    wait_done,
    worker,
)
from tests.conftest import docx_text
from tests.test_api_register import example, issue


def _register(app: Flask, batch_id: str) -> list[tuple[int, str, str | None]]:
    with app.app_context(), db.current().session() as session:
        docs = session.scalars(
            select(Document).where(Document.batch_id == batch_id).order_by(Document.number)
        )
        return [(d.number, d.status, d.reason) for d in docs]


def test_yearly_recognition_flow(app: Flask, client: FlaskClient) -> None:
    """The decision for N units, then N certificates citing it, numbered 1..N in row order."""
    units = [{"name": f"Khu phố {i}", "address": "Phường Bắc Sơn"} for i in range(1, 13)]
    decision = issue(
        client, "quyet-dinh-cong-nhan", example("quyet-dinh-cong-nhan", units=units)
    ).json
    assert decision["status"] == "issued"
    common = {"date": "2024-11-22", "signer": {"title": "Chủ tịch", "name": "Trịnh Văn Hùng"}}
    with Receiver() as receiver, worker(app):
        created = client.post(
            "/api/v1/batches",
            json={
                "template": "giay-cong-nhan",
                "common": common,
                "rows": [{"unit": u} for u in units],
                "issue": True,
                "parent": decision["id"],
                "callback_url": receiver.url,
            },
        )
        assert created.status_code == 202, created.json
        final = wait_done(client, created.json["id"])
        deadline = time.monotonic() + 10
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # a second POST would have arrived by now
    assert (final["status"], final["done"], final["failed"]) == ("done", 12, 0)
    assert len(receiver.received) == 1
    assert receiver.received[0]["id"] == final["id"]
    assert receiver.received[0]["status"] == "done" and receiver.received[0]["done"] == 12
    docs = [client.get(f"/api/v1/documents/{i}").json for i in final["documents"]]
    assert [d["number"] for d in docs] == list(range(1, 13))
    citation = f"Quyết định số {decision['symbol']} ngày {vn.short_date(_date(decision['date']))}"
    for doc, unit in zip(docs, units, strict=True):
        text = docx_text(client.get(doc["files"]["docx"]).data)
        assert citation in text
        assert "Chủ tịch Ủy ban nhân dân phường Bắc Sơn" in text
        assert vn.upper(unit["name"]) in text
    archive = zipfile.ZipFile(io.BytesIO(client.get(final["archive"]).data))
    names = archive.namelist()
    assert names[0] == "0001-01-GCN-UBND.docx" and names[-1] == "0012-12-GCN-UBND.docx"
    assert len(names) == 12


def _date(text: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(text)


def test_failed_row_keeps_its_number_then_retry(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = giay_cong_nhan.context

    def broken(p: Any) -> dict[str, Any]:
        if p.data.unit.name == "Khu phố 3":
            raise InvalidData(
                [{"loc": ["data", "unit"], "msg": "mẫu thiếu dữ liệu cho đơn vị này"}]
            )
        return original(p)

    monkeypatch.setattr(giay_cong_nhan, "context", broken)
    with worker(app):
        body = client.post(
            "/api/v1/batches",
            json={
                "common": certificate_common(),
                "rows": unit_rows(5),
                "issue": True,
                "template": "giay-cong-nhan",
            },
        ).json
        final = wait_done(client, body["id"])
        assert (final["status"], final["done"], final["failed"]) == ("done", 4, 1)
        (error,) = final["errors"]
        assert error["loc"] == ["rows", 2] and error["number"] == 3
        assert error["msg"].startswith("Dòng 3: ") and "mẫu thiếu dữ liệu" in error["msg"]
        register = _register(app, body["id"])
        assert [n for n, _, _ in register] == [1, 2, 3, 4, 5]  # no hole
        assert register[2][1] == "failed" and "mẫu thiếu dữ liệu" in str(register[2][2])
        failed_doc = client.get(f"/api/v1/documents/{error['document']}").json
        assert failed_doc["status"] == "failed" and failed_doc["number"] == 3

        monkeypatch.setattr(giay_cong_nhan, "context", original)  # the cause is fixed
        again = client.post(f"/api/v1/batches/{body['id']}/retry")
        assert again.status_code == 202
        final = wait_done(client, body["id"])
    assert (final["status"], final["done"], final["failed"]) == ("done", 5, 0)
    register = _register(app, body["id"])
    assert [(n, s) for n, s, _ in register] == [(n, "issued") for n in range(1, 6)]
    assert client.post(f"/api/v1/batches/{body['id']}/retry").status_code == 409


@pytest.mark.parametrize(
    "error",
    [
        ValueError("Số La Mã chỉ viết được cho số nguyên từ 1 đến 3999"),
        TemplateError("giay-cong-nhan", 3, "'dict object' has no attribute 'x'"),
    ],
)
def test_an_unforeseen_failure_is_stored_in_vietnamese_and_logged(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    """A bug while rendering a row: the register keeps a Vietnamese reason, the log the error."""
    original = giay_cong_nhan.context

    def broken(p: Any) -> dict[str, Any]:
        if p.data.unit.name == "Khu phố 2":
            raise error
        return original(p)

    monkeypatch.setattr(giay_cong_nhan, "context", broken)
    # A handler and level of its own: the test worker sets the root logger to ERROR.
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("service.batches.run")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        with worker(app):
            body = post_certificates(client, 3)
            final = wait_done(client, body["id"])
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert (final["status"], final["done"], final["failed"]) == ("done", 2, 1)
    (failed,) = final["errors"]
    assert failed["msg"] == "Dòng 2: Lỗi khi tạo văn bản; lỗi đã được ghi lại"
    register = _register(app, body["id"])
    assert register[1] == (2, "failed", "Dòng 2: Lỗi khi tạo văn bản; lỗi đã được ghi lại")
    (record,) = records
    assert record.exc_info is not None and record.exc_info[1] is error


def test_row_messages_are_the_service_s_own_in_vietnamese() -> None:
    invalid = InvalidData(
        [
            {"loc": ["data", "unit", "name"], "msg": "Quá dài (tối đa 300 ký tự)"},
            {"loc": ["data", "year"], "msg": "Phải là số nguyên"},
        ]
    )
    assert run.row_message(invalid, 7) == (
        "Dòng 7: 2 lỗi trong dữ liệu gửi lên: Quá dài (tối đa 300 ký tự); Phải là số nguyên"
    )

    class Short(BaseModel):
        items: list[int] = Field(max_length=1)

    with pytest.raises(ValidationError) as info:
        Short(items=[1, 2])
    message = run.row_message(info.value, 4)
    assert message == "Dòng 4: Lỗi khi tạo văn bản; lỗi đã được ghi lại"


def test_transient_error_is_retried(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = run.issue_reserved

    def flaky(session: Any, **kw: Any) -> Any:
        calls.append(kw["number"])
        if len(calls) == 2:
            raise OperationalError("INSERT …", {}, ConnectionError("injected: server closed"))
        return original(session, **kw)

    monkeypatch.setattr(run, "issue_reserved", flaky)
    with worker(app):
        body = post_certificates(client, 4)
        final = wait_done(client, body["id"])
    assert (final["status"], final["done"], final["failed"]) == ("done", 4, 0)
    assert calls.count(1) == 2  # the chunk was rolled back and run again
    assert [n for n, _, _ in _register(app, body["id"])] == [1, 2, 3, 4]


def test_preview_batch_takes_no_number(app: Flask, client: FlaskClient) -> None:
    with worker(app):
        body = post_certificates(client, 3, issue=False)
        assert body["first_number"] is None
        final = wait_done(client, body["id"])
    assert (final["status"], final["done"], final["documents"]) == ("done", 3, [])
    names = zipfile.ZipFile(io.BytesIO(client.get(final["archive"]).data)).namelist()
    assert names == [f"000{i}-giay-cong-nhan-du-thao.docx" for i in (1, 2, 3)]
    assert _register(app, body["id"]) == []


def test_old_previews_are_deleted_issued_batches_stay(app: Flask, client: FlaskClient) -> None:
    import workers.batches as tasks

    with worker(app):
        old = wait_done(client, post_certificates(client, 2, issue=False)["id"])
        recent = wait_done(client, post_certificates(client, 2, issue=False)["id"])
        issued = wait_done(client, post_certificates(client, 2)["id"])
        assert old["expires_at"] is not None and issued["expires_at"] is None
        finished = dt.datetime.fromisoformat(old["finished_at"].replace("Z", "+00:00"))
        expires = dt.datetime.fromisoformat(old["expires_at"].replace("Z", "+00:00"))
        assert expires - finished == dt.timedelta(days=app.config["BATCH_PREVIEW_DAYS"])
        aged = dt.datetime.now(dt.UTC) - dt.timedelta(days=15)
        with app.app_context(), db.current().session() as session:
            for batch_id in (old["id"], issued["id"]):
                session.execute(update(Batch).where(Batch.id == batch_id).values(finished_at=aged))
            # A kept merged.pdf goes with its batch (as if the preview had had PDFs).
            session.add(
                BatchMerged(batch_id=old["id"], format="pdf", content=b"%PDF-", sha256="0", size=5)
            )
        with app.app_context():
            tasks.expire_previews.delay()
        deadline = time.monotonic() + 30
        while client.get(old["url"]).status_code != 404:
            assert time.monotonic() < deadline, "the old preview was not deleted"
            time.sleep(0.1)
    assert client.get(old["archive"]).status_code == 404
    assert client.get(recent["url"]).json["status"] == "done"
    assert client.get(issued["url"]).json["done"] == 2
    assert [n for n, _, _ in _register(app, issued["id"])] == [1, 2]
    with app.app_context(), db.current().session() as session:
        left = {r.batch_id for r in session.scalars(select(BatchFile))}
        rows = {r.batch_id for r in session.scalars(select(BatchRow))}
        merged = set(session.scalars(select(BatchMerged.batch_id)))
    assert old["id"] not in left | rows | merged and recent["id"] in left


def test_sweeper_dispatches_a_batch_never_enqueued(app: Flask, client: FlaskClient) -> None:
    """The broker was down at accept time: the batch stays queued until a sweep."""
    import workers.batches as tasks
    from service.batches import dispatch

    app.config["BATCH_STALL_SECONDS"] = 1
    original = dispatch.enqueue
    dispatch.enqueue = lambda *a, **k: False  # type: ignore[assignment]
    try:
        body = post_certificates(client, 3)
    finally:
        dispatch.enqueue = original  # type: ignore[assignment]
    assert client.get(body["url"]).json["status"] == "queued"
    time.sleep(1.2)
    with worker(app):
        with app.app_context():
            tasks.sweep_batches.delay()
        final = wait_done(client, body["id"])
    assert (final["status"], final["done"]) == ("done", 3)


def test_cli_batch_embedded(app: Flask, runner: Any, tmp_path: Any) -> None:
    import json

    from service.cli import cli
    from tests.test_batches_upload import xlsx

    rows = tmp_path / "rows.xlsx"
    rows.write_bytes(xlsx([["unit.name"], ["Khu phố 1"], ["Khu phố 2"], ["Khu phố 3"]]))
    common = tmp_path / "common.json"
    common.write_text(json.dumps(certificate_common(), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.zip"
    result = runner.invoke(
        cli,
        ["batch", "giay-cong-nhan", str(rows), "--common", str(common), "--issue", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "done: 3 văn bản, 0 lỗi" in result.output
    assert zipfile.ZipFile(out).namelist() == [f"000{i}-0{i}-GCN-UBND.docx" for i in (1, 2, 3)]
