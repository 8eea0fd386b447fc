"""Celery wiring: real workers on the embedded broker and on real Redis (never eager)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_success
from flask import Flask

import workers.tasks as tasks
from service import create_app
from tests.services import require_redis


def _app(tmp_path: Path, **config: object) -> Flask:
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": f"sqlite:///{instance / 'vanban.sqlite3'}",
            **config,
        }
    )


def _ping_through_worker(app: Flask) -> str:
    """Send maintenance.ping through the broker and see a real worker run it."""
    celery_app = app.extensions["celery"]
    assert not celery_app.conf.task_always_eager
    seen: list[object] = []

    def record(result: object, **_: object) -> None:
        seen.append(result)

    task_success.connect(record, weak=False)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False):
            with app.app_context():
                tasks.ping.delay()
            deadline = time.monotonic() + 15
            while not seen and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        task_success.disconnect(record)
    assert seen, "the worker never ran the task"
    return str(seen[0])


def test_embedded_broker_runs_tasks_in_a_real_worker(tmp_path: Path) -> None:
    app = _app(tmp_path, REDIS_URL=None)
    assert app.extensions["celery"].conf.broker_url == "filesystem://"
    assert _ping_through_worker(app) == "pong"


@pytest.mark.redis
def test_redis_broker_runs_tasks_in_a_real_worker(tmp_path: Path) -> None:
    url = require_redis()
    app = _app(tmp_path, REDIS_URL=url)
    assert app.extensions["celery"].conf.broker_url == url
    assert _ping_through_worker(app) == "pong"


def test_queues_are_named_by_purpose(tmp_path: Path) -> None:
    conf = _app(tmp_path).extensions["celery"].conf
    assert {q.name for q in conf.task_queues} == {"render", "bulk", "pdf", "maintenance"}
    assert conf.task_routes["batches.*"] == {"queue": "bulk"}
    assert conf.task_acks_late and conf.task_reject_on_worker_lost


def test_healthz_reports_an_unreachable_broker(tmp_path: Path) -> None:
    app = _app(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["broker"] == "unreachable"
    assert response.content_type == "application/problem+json"


def test_embedded_broker_messages_appear_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A consumer never sees a half-written message file (celery/kombu#1551)."""
    import json
    import os

    app = _app(tmp_path, REDIS_URL=None)
    celery_app = app.extensions["celery"]
    folder = celery_app.conf.broker_transport_options["data_folder_in"]
    seen: list[tuple[str, str, list[str]]] = []
    real_replace = os.replace

    def replace(src: str, dst: str) -> None:
        # At the moment of the rename the message is complete and no consumer can see it yet.
        visible = [n for n in os.listdir(folder) if n.endswith(".render.msg")]
        with open(src, encoding="utf-8") as f:
            json.loads(f.read())
        seen.append((os.path.basename(src), os.path.basename(dst), visible))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with celery_app.connection_for_write() as conn:
        channel = conn.default_channel
        channel._put("render", {"body": "x" * 100_000})
        message = channel._get("render")
    assert message == {"body": "x" * 100_000}
    ((src, dst, visible),) = seen
    assert not src.endswith(".render.msg") and dst.endswith(".render.msg")
    assert visible == []
