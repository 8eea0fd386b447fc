"""PDF wired into the app: settings, the job store, the web client, the worker runner.

Every app gets both halves; which one acts depends on the process. The web
uses ``app.extensions["vanban.pdf"]`` (a ``PdfClient``). A Celery worker whose
queues include ``pdf`` starts the app's ``PdfRunner`` when it initialises
(``worker_init``): heartbeats at once, the ConverterPool warmed in the
background, stopped at ``worker_shutdown``. Nothing starts at import or in
``init_app``.

Settings (``VANBAN_`` prefix in the environment, or the test mapping):
``PDF_POOL`` (a PoolSettings; default ``PoolSettings.from_env()``, i.e.
``VANBAN_PDF_POOL_SIZE``, ``_TIMEOUT``, ``_MAX_CONVERSIONS``, ``_CHUNK``,
``VANBAN_SOFFICE``, ``VANBAN_UNO_PYTHON``), ``PDF_WAIT`` (seconds the web waits
for a worker; default the conversion timeout + 30) and ``PDF_HEARTBEAT``
(seconds between heartbeats; default 2).
"""

from __future__ import annotations

import logging
import os
import weakref
from typing import Any

from celery import Celery
from celery.signals import worker_init, worker_process_shutdown, worker_shutdown
from flask import Flask, current_app

from config.settings import SettingsError
from service.api.health import register_check, register_detail
from service.pdf.client import PdfClient
from service.pdf.jobstore import make_store
from service.pdf.runner import PdfRunner
from service.pdf.settings import PoolSettings

log = logging.getLogger(__name__)

CLIENT = "vanban.pdf"
RUNNER = "vanban.pdf.runner"
QUEUE = "pdf"
WAIT_MARGIN = 30.0

_runners: weakref.WeakKeyDictionary[Celery, PdfRunner] = weakref.WeakKeyDictionary()
_connected = False


def _seconds(app: Flask, name: str, default: float) -> float:
    raw = app.config.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"VANBAN_{name}={raw!r}: expected a number of seconds") from None
    if value <= 0:
        raise SettingsError(f"VANBAN_{name}={raw!r}: expected a positive number of seconds")
    return value


def init_app(app: Flask) -> PdfClient:
    """Attach the PDF client and runner to ``app``; register the ``pdf`` health check."""
    conf = app.config.get("PDF_POOL") or PoolSettings.from_env()
    if not isinstance(conf, PoolSettings):
        raise SettingsError("PDF_POOL must be a service.pdf.PoolSettings")
    heartbeat = _seconds(app, "PDF_HEARTBEAT", 2.0)
    wait = _seconds(app, "PDF_WAIT", conf.timeout + WAIT_MARGIN)
    store = make_store(app.config.get("REDIS_URL"), app.instance_path)
    runner = PdfRunner(conf, store, lambda: app.extensions["vanban.db"], interval=heartbeat)
    client = PdfClient(store, lambda: app.extensions["celery"], wait=wait, heartbeat=heartbeat)
    app.extensions[CLIENT] = client
    app.extensions[RUNNER] = runner
    _runners[app.extensions["celery"]] = runner
    register_check(app, "pdf", client.health)
    register_detail(app, "pdf", client.details)
    _connect_signals()
    return client


def client() -> PdfClient:
    """The PDF client of the current app."""
    found: PdfClient = current_app.extensions[CLIENT]
    return found


def runner() -> PdfRunner:
    """The PDF runner of the current app (used by the pdf tasks)."""
    found: PdfRunner = current_app.extensions[RUNNER]
    return found


def consumes_pdf(celery_app: Celery) -> bool:
    """Whether a worker of ``celery_app`` consumes the pdf queue."""
    queues = celery_app.amqp.queues
    return QUEUE in (queues.consume_from or queues)


def _runner_of(sender: Any) -> PdfRunner | None:
    celery_app = getattr(sender, "app", None)
    return _runners.get(celery_app) if isinstance(celery_app, Celery) else None


def _on_worker_init(sender: Any = None, **_: Any) -> None:
    found = _runner_of(sender)
    if found is None or not consumes_pdf(sender.app):
        return
    prefork = "prefork" in str(getattr(sender, "pool_cls", "")).lower()
    found.start(f"{sender.hostname}:{os.getpid()}", own_pool=not prefork)
    where = "its children" if prefork else "this process"
    log.info("pdf worker %s: heartbeat started, converter pool in %s", found.name, where)


def _on_worker_shutdown(sender: Any = None, **_: Any) -> None:
    found = _runner_of(sender)
    if found is not None:
        found.close()


def _on_process_shutdown(**_: Any) -> None:
    for found in list(_runners.values()):
        found.close()


def _connect_signals() -> None:
    global _connected
    if _connected:
        return
    worker_init.connect(_on_worker_init, weak=False)
    worker_shutdown.connect(_on_worker_shutdown, weak=False)
    worker_process_shutdown.connect(_on_process_shutdown, weak=False)
    _connected = True
