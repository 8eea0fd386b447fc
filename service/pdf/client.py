"""The web side of PDF: hand a conversion to the pdf queue and wait for its outcome.

The web process never starts LibreOffice. For a synchronous answer it writes a
job (``jobstore``), enqueues ``pdf.convert(job_id)`` on the ``pdf`` queue and
waits up to ``wait`` seconds (the conversion timeout plus a margin). Before
that, the workers' heartbeats tell whether anyone can convert: if none is
running, or none has LibreOffice, the answer is 503 at once, naming the cause;
DOCX never depends on any of this. A job is deleted once answered or given up,
so a worker that picks up an abandoned job skips it.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from celery import Celery
from kombu.exceptions import OperationalError

from service.errors import ConverterUnavailable, ServiceUnavailable, VanbanError
from service.pdf.jobstore import STORE_ERRORS, Heartbeat, Job, JobStore, Outcome
from service.pdf.pdfparts import PdfMetadata
from service.pdf.runner import ERROR_CODES

log = logging.getLogger(__name__)

TASK = "pdf.convert"
DOCX_STILL_WORKS = 'Định dạng DOCX vẫn dùng được ("format": "docx").'
NO_WORKER = (
    "Chưa có tiến trình chuyển đổi PDF nào chạy (Celery worker nghe hàng đợi pdf), "
    "nên chưa tạo được tệp PDF."
)


@dataclass(frozen=True)
class State:
    """Whether PDF can be made now: ``ok``, ``no_worker`` or ``unavailable``."""

    status: str
    reason: str = ""
    detail: str = ""
    workers: list[Heartbeat] = field(default_factory=list)

    def check(self) -> str:
        """The /healthz value: ``ok``, ``no_worker`` or ``unavailable: <reason>``."""
        return f"unavailable: {self.reason}" if self.status == "unavailable" else self.status


@dataclass(frozen=True)
class Preview:
    """A PNG of one page, and how many pages the document has."""

    png: bytes
    pages: int


class PdfClient:
    """Conversions through the pdf queue, for the web process."""

    def __init__(
        self,
        store: JobStore,
        celery: Callable[[], Celery],
        *,
        wait: float,
        heartbeat: float,
    ):
        self.store = store
        self.celery = celery
        self.wait = wait
        self.max_age = 3 * heartbeat

    # -- state --------------------------------------------------------------

    def state(self) -> State:
        """The converter state from the fresh heartbeats of the pdf workers."""
        try:
            beats = [b for b in self.store.heartbeats(self.max_age) if b.status != "stopped"]
        except STORE_ERRORS as exc:
            raise _store_down(exc) from exc
        if not beats:
            return State("no_worker", detail=NO_WORKER, workers=beats)
        if any(b.available for b in beats):
            return State("ok", workers=beats)
        return State("unavailable", beats[0].reason, beats[0].detail, beats)

    def require(self) -> None:
        """Raise ConverterUnavailable (503) unless some worker can convert now."""
        state = self.state()
        if state.status != "ok":
            detail = state.detail or f"Bộ chuyển đổi PDF không sẵn sàng: {state.reason}."
            raise ConverterUnavailable(f"{detail} {DOCX_STILL_WORKS}")

    def health(self) -> str:
        """The ``pdf`` check of /healthz."""
        try:
            return self.state().check()
        except ServiceUnavailable:
            return "unreachable"

    def details(self) -> dict[str, Any]:
        """The workers and their pools, for the body of /healthz."""
        state, now = self.state(), time.time()
        workers = []
        for beat in state.workers:
            pool = {k: v for k, v in beat.pool.items() if k != "workers"}
            workers.append(
                {
                    "worker": beat.worker,
                    "status": beat.status,
                    "available": beat.available,
                    "reason": beat.reason or None,
                    "age": round(now - beat.at, 1),
                    "pool": pool or None,
                }
            )
        return {"status": state.check(), "workers": workers}

    # -- conversions --------------------------------------------------------

    def convert(
        self, docx: bytes, *, fmt: str = "pdf", metadata: PdfMetadata | None = None
    ) -> bytes:
        """The PDF (PDF/A-2b when ``fmt`` is ``pdfa``) of ``docx``, made by a pdf worker."""
        job = Job(format=fmt, metadata=metadata.to_json() if metadata else None)
        outcome = self._run(job, docx)
        assert outcome.content is not None
        return outcome.content

    def preview(
        self, docx: bytes, *, page: int, width: int, metadata: PdfMetadata | None = None
    ) -> Preview:
        """A PNG of ``page`` of the PDF of ``docx``, ``width`` pixels wide."""
        job = Job(metadata=metadata.to_json() if metadata else None)
        job.preview = {"page": page, "width": width}
        outcome = self._run(job, docx)
        assert outcome.content is not None
        return Preview(outcome.content, outcome.pages)

    def store_document(self, document_id: str, fmt: str = "pdf") -> None:
        """Have a worker convert the stored .docx of a document and store its ``fmt`` file.

        The caller must hold no database transaction: the worker writes meanwhile.
        """
        self._run(Job(document_id=document_id, format=fmt), None)

    def document_preview(
        self, document_id: str, fmt: str = "pdf", *, page: int, width: int
    ) -> Preview:
        """A PNG of a page of the document's stored PDF (made and stored first if missing)."""
        job = Job(document_id=document_id, format=fmt, preview={"page": page, "width": width})
        outcome = self._run(job, None)
        assert outcome.content is not None
        return Preview(outcome.content, outcome.pages)

    def _run(self, job: Job, docx: bytes | None) -> Outcome:
        self.require()
        try:
            self.store.create(job, docx)
        except STORE_ERRORS as exc:
            raise _store_down(exc) from exc
        try:
            try:
                self.celery().send_task(TASK, args=[job.id])
            except OperationalError as exc:
                log.warning("cannot enqueue pdf job %s: %s", job.id, exc)
                raise ServiceUnavailable(
                    f"Không gửi được yêu cầu tạo PDF vào hàng đợi (broker): {exc}. "
                    + DOCX_STILL_WORKS
                ) from exc
            outcome = self.store.wait(job.id, self.wait)
        except STORE_ERRORS as exc:
            raise _store_down(exc) from exc
        finally:
            with contextlib.suppress(*STORE_ERRORS):  # else it expires (JOB_TTL)
                self.store.delete(job.id)
        if outcome is None:
            log.warning("pdf job %s: no answer within %.1f s", job.id, self.wait)
            raise ConverterUnavailable(
                f"Tiến trình chuyển đổi PDF không trả lời trong {self.wait:g} giây "
                "(hàng đợi pdf quá tải hoặc worker đã dừng). " + DOCX_STILL_WORKS
            )
        if not outcome.ok:
            raise _error(outcome)
        return outcome


def _store_down(exc: Exception) -> ServiceUnavailable:
    log.warning("pdf job store unreachable: %s", exc)
    return ServiceUnavailable(
        f"Không kết nối được kho tạm của bộ chuyển đổi PDF (Redis/thư mục instance): {exc}. "
        + DOCX_STILL_WORKS
    )


def _error(outcome: Outcome) -> VanbanError:
    cls = dict(ERROR_CODES).get(outcome.code)
    if cls is None:
        return VanbanError(outcome.detail)
    if cls is ConverterUnavailable:
        return cls(f"{outcome.detail} {DOCX_STILL_WORKS}")
    return cls(outcome.detail)
