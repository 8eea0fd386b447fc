"""Celery wired into the app factory: the broker, the queues and the task base class.

With ``REDIS_URL`` set, Redis is the broker and the result store. Without it
(the embedded default) the same tasks run through Celery on kombu's
filesystem transport under ``instance/broker/``: a worker process started by
``bin/run`` consumes them, so there is one code path, never a bypass.

Queues by purpose, so that a clerk's single document never waits behind a
1,000-row batch: ``render`` (single documents), ``bulk`` (batch rows), ``pdf``
(conversions), ``maintenance`` (sweeps).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from celery import Celery, Task
from flask import Flask
from kombu import Queue

log = logging.getLogger(__name__)

QUEUES = ("render", "bulk", "pdf", "maintenance")


def broker_settings(app: Flask) -> dict[str, Any]:
    """Celery settings for Redis, or for the embedded filesystem broker."""
    redis_url = app.config.get("REDIS_URL")
    common: dict[str, Any] = {
        "task_queues": [Queue(name) for name in QUEUES],
        "task_default_queue": "render",
        "task_routes": {
            "batches.*": {"queue": "bulk"},
            "pdf.*": {"queue": "pdf"},
            "maintenance.*": {"queue": "maintenance"},
        },
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_ignore_result": True,
        "broker_connection_retry_on_startup": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "beat_schedule": {
            "sweep-batches": {"task": "maintenance.sweep_batches", "schedule": 10.0},
            "expire-previews": {"task": "maintenance.expire_previews", "schedule": 3600.0},
        },
    }
    if redis_url:
        common.update(
            broker_url=redis_url,
            result_backend=redis_url,
            broker_transport_options={"visibility_timeout": 300},
        )
        return common
    folder = Path(app.instance_path) / "broker"
    for sub in ("queue", "processed", "control"):
        os.makedirs(folder / sub, exist_ok=True)
    common.update(
        broker_url="filesystem://",
        # kombu's own transport can hand a worker a half-written message (see
        # service/broker_fs.py); ours renames whole files into place.
        broker_transport="service.broker_fs:Transport",
        broker_transport_options={
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
            "polling_interval": 0.1,
        },
        result_backend=None,
    )
    return common


def init_app(app: Flask) -> Celery:
    """Create the app's Celery instance; its tasks run inside the app context."""

    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.import_name, task_cls=FlaskTask)
    celery_app.conf.update(broker_settings(app))
    celery_app.conf.update(app.config.get("CELERY", {}))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def current() -> Celery:
    """The Celery instance of the current Flask app."""
    from flask import current_app

    celery_app: Celery = current_app.extensions["celery"]
    return celery_app


def broker_check() -> str:
    """``ok`` when the broker answers, else a short reason (for /healthz)."""
    celery_app = current()
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # any transport error means the broker is down
        log.warning("broker unreachable: %s", exc)
        return "unreachable"
    return "ok"
