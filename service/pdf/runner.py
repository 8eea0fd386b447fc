"""The pdf worker's side: one ConverterPool per worker process, jobs, heartbeats.

Conversions run only in Celery workers consuming the ``pdf`` queue, never in the
web process. A worker process owns one ``ConverterPool``, created on first use
(after any fork) and warmed by the heartbeat thread as soon as the worker
starts, so the first request does not pay LibreOffice's start. The intended
deployment is ``--pool threads --concurrency N`` with ``VANBAN_PDF_POOL_SIZE=N``:
each Celery thread just waits on a LibreOffice process of the shared pool. With
prefork, every child builds its own pool on its first task and the parent's
heartbeat reports only whether LibreOffice is installed.

The heartbeat (every ``interval`` seconds, valid for three) says whether this
process can convert and carries the pool's figures; the web answers 503 at
once when no fresh heartbeat says a converter is available.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from service.db import Database
from service.errors import (
    Conflict,
    ConversionFailed,
    ConversionTimeout,
    ConverterUnavailable,
    NotFound,
    VanbanError,
)
from service.pdf import jobs, settings
from service.pdf.jobstore import Heartbeat, Job, JobStore, Outcome
from service.pdf.pdfparts import PdfMetadata
from service.pdf.pool import ConverterPool
from service.pdf.preview import page_png
from service.pdf.settings import PoolSettings

log = logging.getLogger(__name__)

RETRY_START = 30.0  # seconds between attempts to start a pool that could not start
SWEEP_EVERY = 60.0

# Error codes carried by a job's outcome, most specific first.
ERROR_CODES: tuple[tuple[str, type[VanbanError]], ...] = (
    ("unavailable", ConverterUnavailable),
    ("timeout", ConversionTimeout),
    ("failed", ConversionFailed),
    ("not_found", NotFound),
    ("conflict", Conflict),
)


def error_code(exc: VanbanError) -> str:
    """The outcome code of a domain error (``failed`` for anything unexpected)."""
    return next((code for code, cls in ERROR_CODES if isinstance(exc, cls)), "failed")


def short_reason(conf: PoolSettings) -> str:
    """What is missing, in a few words, for /healthz."""
    if settings.find_soffice(conf.soffice) is None:
        return "LibreOffice không được cài"
    if settings.find_python(conf.python) is None:
        return "python3-uno không được cài"
    return "LibreOffice không khởi động được"


class PdfRunner:
    """Runs conversion jobs of one app in this process and publishes its heartbeat."""

    def __init__(
        self,
        conf: PoolSettings,
        store: JobStore,
        database: Callable[[], Database],
        *,
        interval: float = 2.0,
    ):
        self.conf = conf
        self.store = store
        self.database = database
        self.interval = interval
        self._lock = threading.Lock()
        self._pool: ConverterPool | None = None
        self._failed_at = 0.0
        self._failure: ConverterUnavailable | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.name = f"pdf-{os.getpid()}"

    # -- the pool -----------------------------------------------------------

    def pool(self) -> ConverterPool:
        """This process's pool, started (and warmed) on first use; ConverterUnavailable if not."""
        with self._lock:
            if self._pool is None:
                self._pool = ConverterPool.from_settings(self.conf)
            pool = self._pool
        try:
            return pool.start()
        except ConverterUnavailable as exc:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
                self._failure, self._failed_at = exc, time.monotonic()
            pool.close()
            raise

    def close(self) -> None:
        """Stop the heartbeat and the pool."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)
            try:  # tell the web at once rather than when the heartbeat expires
                self.publish(Heartbeat(self.name, False, "stopped"))
            except Exception:  # the store is down: the heartbeat expires by itself
                log.warning("could not publish the stop of %s", self.name, exc_info=True)
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    # -- jobs ---------------------------------------------------------------

    def run_job(self, job_id: str) -> None:
        """Do job ``job_id`` and record its outcome; a job already done or gone is skipped."""
        if self.store.finished(job_id):
            log.info("pdf job %s already done (redelivered)", job_id)
            return
        loaded = self.store.load(job_id)
        if loaded is None:
            log.info("pdf job %s is gone (delivered, abandoned or expired)", job_id)
            return
        job, docx = loaded
        started = time.monotonic()
        try:
            outcome = self._execute(job, docx)
        except VanbanError as exc:
            outcome = Outcome(False, error_code(exc), exc.detail)
            log.warning("pdf job %s (document %s) failed: %s", job.id, job.document_id, exc)
        except Exception:
            # A bug: tell the waiting request at once, and let Celery log the traceback.
            detail = "Lỗi không mong đợi khi tạo PDF; lỗi đã được ghi lại."
            self.store.finish(job.id, Outcome(False, "failed", detail))
            raise
        if not self.store.finish(job.id, outcome):
            log.info("pdf job %s finished but nobody waits for it any more", job.id)
        log.info(
            "pdf job %s (document %s, %s) done in %.2f s: %s",
            job.id,
            job.document_id,
            job.format,
            time.monotonic() - started,
            "ok" if outcome.ok else outcome.code,
        )

    def _execute(self, job: Job, docx: bytes | None) -> Outcome:
        if job.document_id is not None:
            pdf = jobs.document_pdf(self.database(), job.document_id, job.format, self.pool)
            content: bytes | None = None
        else:
            if docx is None:
                raise ConversionFailed("Thiếu tệp .docx của yêu cầu chuyển đổi.")
            meta = PdfMetadata(**job.metadata) if job.metadata else None
            pdf = content = self.pool().convert(docx, pdfa=job.pdfa, metadata=meta)
        if job.preview is None:
            return Outcome(True, content=content)
        pages = jobs.page_count(pdf)
        page, width = job.preview["page"], job.preview["width"]
        if not 1 <= page <= pages:
            raise NotFound(f"Văn bản chỉ có {pages} trang, không có trang {page}.")
        return Outcome(True, pages=pages, content=page_png(pdf, page, width))

    # -- heartbeat ----------------------------------------------------------

    def heartbeat(self, *, own_pool: bool = True) -> Heartbeat:
        """This process's converter state (starting the pool when it owns one)."""
        try:
            settings.check(self.conf.python, self.conf.soffice)
        except ConverterUnavailable as exc:
            return self._unavailable(exc)
        if not own_pool:
            return Heartbeat(self.name, True, "ok")
        with self._lock:
            pool, failure, failed_at = self._pool, self._failure, self._failed_at
        if pool is None and failure is not None and time.monotonic() - failed_at < RETRY_START:
            return self._unavailable(failure)
        try:
            pool = self.pool()
        except ConverterUnavailable as exc:
            return self._unavailable(exc)
        health: dict[str, Any] = pool.health()
        status = health["status"]
        available = status in ("ok", "degraded") or health["starting"] > 0
        reason = "" if available else short_reason(self.conf)
        return Heartbeat(self.name, available, status, reason, "" if available else reason, health)

    def _unavailable(self, exc: ConverterUnavailable) -> Heartbeat:
        return Heartbeat(self.name, False, "unavailable", short_reason(self.conf), exc.detail)

    def publish(self, heartbeat: Heartbeat) -> None:
        """Publish ``heartbeat`` for three intervals."""
        self.store.beat(heartbeat, ttl=3 * self.interval)

    def start(self, name: str | None = None, *, own_pool: bool = True) -> None:
        """Publish heartbeats from a daemon thread until ``close()`` (idempotent)."""
        if self._thread is not None:
            return
        if name:
            self.name = name
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._loop, args=(own_pool,), name="pdf-heartbeat", daemon=True
        )
        self._thread.start()

    def _loop(self, own_pool: bool) -> None:
        swept = time.monotonic()
        if own_pool and settings.available(self.conf.python, self.conf.soffice):
            self.publish(Heartbeat(self.name, True, "starting"))  # warming up: jobs may queue
        while not self._stop.is_set():
            try:
                self.publish(self.heartbeat(own_pool=own_pool))
                if time.monotonic() - swept > SWEEP_EVERY:
                    swept = time.monotonic()
                    if removed := self.store.sweep():
                        log.info("swept %s abandoned pdf jobs", removed)
            except Exception:  # the store is down: keep beating, the next one may get through
                log.exception("pdf heartbeat of %s failed", self.name)
            self._stop.wait(self.interval)
