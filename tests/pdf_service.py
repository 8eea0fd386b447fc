"""A real pdf worker for the API tests: an app, a Celery worker on its broker, a real pool.

The worker consumes only the ``pdf`` queue in this process (``start_worker``,
threads pool) on the embedded filesystem broker, never eager mode; its
ConverterPool is started by the heartbeat thread exactly as in production
(``worker_init`` signal, ``service.pdf.wiring``).
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from flask import Flask

import workers.pdf_tasks  # noqa: F401  (registers the pdf.* tasks)
from service import create_app
from service.pdf.client import PdfClient
from service.pdf.settings import PoolSettings
from tests.conftest import _database_url

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def make_app(
    request: pytest.FixtureRequest, instance: Path, pool: PoolSettings, **config: Any
) -> Flask:
    """An app on a migrated, seeded database (SQLite copy, or PostgreSQL when asked)."""
    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": _database_url(request, instance),
            "PDF_POOL": pool,
            "PDF_HEARTBEAT": 0.5,
            **config,
        }
    )


@contextmanager
def pdf_worker(
    app: Flask,
    *,
    ready: str = "ok",
    timeout: float = 90,
    queues: tuple[str, ...] = ("pdf",),
    concurrency: int = 2,
) -> Iterator[None]:
    """Run a worker on ``queues`` (pdf among them) until its heartbeat reports ``ready``."""
    with start_worker(
        app.extensions["celery"],
        pool="threads",
        concurrency=concurrency,
        queues=list(queues),
        perform_ping_check=False,
        shutdown_timeout=60,
    ):
        try:
            wait_for_state(app, ready, timeout)
            yield
        finally:
            app.extensions["vanban.pdf.runner"].close()


def wait_for_state(app: Flask, status: str, timeout: float) -> None:
    """Wait until the heartbeats say ``status`` (and, for ok, that the pool is warm)."""
    client: PdfClient = app.extensions["vanban.pdf"]
    deadline = time.monotonic() + timeout
    state = client.state()
    while time.monotonic() < deadline:
        state = client.state()
        warm = all(b.status == "ok" for b in state.workers)
        if state.status == status and (status != "ok" or warm):
            return
        time.sleep(0.1)
    raise AssertionError(f"pdf state never became {status}: {state}")


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from the IHDR chunk, after checking the PNG signature."""
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def leftover_jobs(app: Flask) -> list[str]:
    """Job directories still in the file job store (there should be none)."""
    jobs = Path(app.instance_path) / "pdf" / "jobs"
    return sorted(p.name for p in jobs.iterdir()) if jobs.is_dir() else []
