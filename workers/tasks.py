"""Thin, named, idempotent tasks: ids as arguments; the work lives in service/."""

from __future__ import annotations

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="maintenance.ping")
def ping() -> str:
    """Answer "pong": lets health checks and tests see a live worker."""
    return "pong"
