"""Helpers of the batch tests: rows, a real in-process worker, waiting, a callback receiver."""

from __future__ import annotations

import copy
import http.server
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery.contrib.testing.worker import start_worker
from flask import Flask
from flask.testing import FlaskClient

import workers.batches  # noqa: F401  (registers the batches.* tasks)
from service import templates


def certificate_common(**changes: Any) -> dict[str, Any]:
    """The giay-cong-nhan example without its unit: the common part of a batch."""
    data = copy.deepcopy(templates.get("giay-cong-nhan").example())
    data.pop("unit")
    data.update(changes)
    return data


def unit_rows(count: int) -> list[dict[str, Any]]:
    """``count`` rows, one recognised unit each."""
    return [
        {"unit": {"name": f"Khu phố {i}", "address": "Phường Bắc Sơn"}} for i in range(1, count + 1)
    ]


def post_certificates(
    client: FlaskClient, count: int, *, issue: bool = True, **extra: Any
) -> dict[str, Any]:
    """POST a batch of ``count`` giay-cong-nhan rows; the 202 body."""
    body = {"template": "giay-cong-nhan", "common": certificate_common(), "rows": unit_rows(count)}
    if issue:
        body["issue"] = True
    response = client.post("/api/v1/batches", json={**body, **extra})
    assert response.status_code == 202, response.get_json()
    result: dict[str, Any] = response.get_json()
    return result


@contextmanager
def worker(app: Flask) -> Iterator[None]:
    """A real Celery worker thread on the app's broker (never eager mode)."""
    celery_app = app.extensions["celery"]
    assert not celery_app.conf.task_always_eager
    with start_worker(
        celery_app,
        pool="solo",
        perform_ping_check=False,
        queues=["bulk", "maintenance", "render"],
        shutdown_timeout=30,
    ):
        yield


def wait_done(client: FlaskClient, batch_id: str, timeout: float = 60) -> dict[str, Any]:
    """Poll the batch until it is done or failed."""
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = client.get(f"/api/v1/batches/{batch_id}").get_json()
        if body["status"] in ("done", "failed"):
            return body
        assert time.monotonic() < deadline, f"batch not finished in {timeout}s: {body}"
        time.sleep(0.1)


class Receiver:
    """A tiny HTTP server on 127.0.0.1 recording the JSON bodies POSTed to it."""

    def __init__(self) -> None:
        received: list[dict[str, Any]] = []
        self.received = received

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                received.append(json.loads(self.rfile.read(length)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
