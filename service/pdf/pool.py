"""A pool of long-lived LibreOffice processes converting .docx to PDF, one job each at a time.

LibreOffice converts one document at a time per process, so throughput comes
from N processes (default: one per core). Each is our own ``uno_worker.py``
under the system Python that has ``uno``, with its own profile directory, in
its own process group; the app side talks to it over JSON lines (see
``uno_worker.py``). We chose this over unoserver: unoserver's XML-RPC server
runs inside LibreOffice's Python and offers neither a per-request hard kill nor
a hook to set document properties or find page starts, all of which we need;
our worker is ~200 lines of stdlib + uno that we control end to end.

This module hands jobs to the workers: acquire an idle one, run with a hard
timeout, retry on a crash, recycle, report health. Starting, warming,
replacing and stopping the workers themselves is ``slots.py``'s job (the base
class), including its guarantees that every worker is warmed before it takes
jobs and that no process is started before ``start()`` (or the first
conversion).

Guarantees here: a job past its timeout gets ``killpg(SIGKILL)`` on the whole
group and the slot is refilled in the background, so the next job succeeds; a
worker whose LibreOffice dies mid-job is replaced and the job retried once on
another worker; a worker is recycled after ``max_conversions`` jobs so leaks
stay bounded.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from service.errors import ConversionFailed, ConversionTimeout, ConverterUnavailable
from service.pdf import settings
from service.pdf.pdfparts import PdfMetadata
from service.pdf.slots import WorkerSlots
from service.pdf.worker import Job, JobFailed, Worker, WorkerDied, WorkerTimeout

log = logging.getLogger(__name__)


class ConverterPool(WorkerSlots):
    """N warm LibreOffice workers; ``convert`` hands a job to an idle one and waits."""

    def __init__(
        self,
        size: int | None = None,
        *,
        timeout: float = 60.0,
        max_conversions: int = 200,
        python: str | None = None,
        soffice: str | None = None,
        start_timeout: float = 90.0,
        retries: int = 1,
        work_dir: str | Path | None = None,
    ) -> None:
        super().__init__(
            size, python=python, soffice=soffice, start_timeout=start_timeout, work_dir=work_dir
        )
        self.timeout = timeout
        self.max_conversions = max_conversions
        self.retries = retries

    @classmethod
    def from_settings(cls, conf: settings.PoolSettings) -> ConverterPool:
        """A pool configured by ``PoolSettings`` (e.g. ``PoolSettings.from_env()``)."""
        return cls(
            conf.size,
            timeout=conf.timeout,
            max_conversions=conf.max_conversions,
            python=conf.python,
            soffice=conf.soffice,
        )

    def __enter__(self) -> ConverterPool:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- acquiring workers --------------------------------------------------

    def _acquire(self, wait: float) -> Worker:
        if not self._started:
            self.start()
        deadline = time.monotonic() + wait
        while True:
            with self._lock:
                if self._closed:
                    raise ConverterUnavailable("Bộ chuyển đổi PDF đã dừng.")
                if not self._current and not self._starting:
                    raise ConverterUnavailable(
                        f"Không có tiến trình LibreOffice nào chạy được: {self._last_error}"
                    )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ConverterUnavailable("Bộ chuyển đổi PDF đang quá tải, hãy thử lại sau.")
            try:
                worker = self._idle.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                continue
            if self._current.get(worker.slot) is not worker:
                continue  # a stale entry of a retired worker
            if not worker.alive():
                self._retire(worker, "crashes")
                continue
            with self._lock:
                self._busy.add(worker.slot)
            return worker

    def _release(self, worker: Worker) -> None:
        if worker.conversions >= self.max_conversions:
            self._retire(worker, "recycled")
            return
        with self._lock:
            self._busy.discard(worker.slot)
        self._idle.put(worker)

    # -- conversions --------------------------------------------------------

    def run(self, job: Job, timeout: float | None = None) -> None:
        """Run ``job`` on an idle worker within ``timeout`` (retried once if the worker dies)."""
        limit = timeout or self.timeout
        for attempt in range(self.retries + 1):
            worker = self._acquire(self.timeout + self.start_timeout)
            started = time.monotonic()
            try:
                worker.run(job, limit)
            except WorkerTimeout:
                self._retire(worker, "timeouts")
                log.warning("pdf conversion of %s killed after %.1f s", job.input.name, limit)
                raise ConversionTimeout(
                    f"LibreOffice không chuyển xong tài liệu trong {limit:g} giây; "
                    "tiến trình đã bị dừng và được thay thế."
                ) from None
            except WorkerDied as exc:
                self._retire(worker, "crashes")
                _remove_lock(job.input)
                log.warning(
                    "pdf worker died during %s (attempt %s): %s", job.input.name, attempt + 1, exc
                )
                continue
            except JobFailed as exc:
                self._release(worker)
                with self._lock:
                    self._stats["failures"] += 1
                raise ConversionFailed(f"LibreOffice không chuyển được tài liệu: {exc}") from exc
            self._release(worker)
            with self._lock:
                self._stats["conversions"] += 1
            log.debug("pdf %s converted in %.3f s", job.input.name, time.monotonic() - started)
            return
        with self._lock:
            self._stats["failures"] += 1
        raise ConversionFailed("Tiến trình LibreOffice dừng bất thường trong khi chuyển đổi.")

    @contextlib.contextmanager
    def job_files(self) -> Iterator[tuple[Path, Path]]:
        """A fresh (input .docx, output .pdf) path pair, removed afterwards."""
        if not self._started:
            self.start()
        assert self._base is not None
        stem = self._base / "jobs" / uuid.uuid4().hex
        paths = (stem.with_suffix(".docx"), stem.with_suffix(".pdf"))
        try:
            yield paths
        finally:
            for path in paths:
                path.unlink(missing_ok=True)
            _remove_lock(paths[0])

    def convert(
        self,
        docx: bytes,
        *,
        pdfa: bool = False,
        metadata: PdfMetadata | None = None,
        timeout: float | None = None,
    ) -> bytes:
        """Convert one .docx to PDF (PDF/A-2b if ``pdfa``), with ``metadata`` set before export."""
        with self.job_files() as (src, dst):
            src.write_bytes(docx)
            meta = metadata.to_json() if metadata else None
            self.run(Job(src, dst, pdfa=pdfa, meta=meta), timeout)
            return _read_pdf(dst)

    def convert_many(self, docs: Sequence[bytes], **options: Any) -> Any:
        """Convert many documents in merged chunks; see ``service.pdf.batch.convert_many``."""
        from service.pdf.batch import convert_many

        return convert_many(self, docs, **options)

    # -- state --------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """Size, live/busy/starting workers, counters and each worker's memory."""
        with self._lock:
            workers = list(self._current.values())
            busy_slots, starting, stats = set(self._busy), len(self._starting), dict(self._stats)
        alive = [w for w in workers if w.alive()]
        status = "ok" if len(alive) == self.size else ("degraded" if alive or starting else "down")
        return {
            "status": status if self._started and not self._closed else "stopped",
            "size": self.size,
            "alive": len(alive),
            "busy": len(busy_slots),
            "starting": starting,
            "conversions": stats.get("conversions", 0),
            "restarts": stats.get("restarts", 0),
            "timeouts": stats.get("timeouts", 0),
            "crashes": stats.get("crashes", 0),
            "recycled": stats.get("recycled", 0),
            "failures": stats.get("failures", 0),
            "workers": [
                {
                    "slot": w.slot,
                    "pid": w.proc.pid,
                    "office_pid": w.office_pid,
                    "conversions": w.conversions,
                    "busy": w.slot in busy_slots,
                    "rss": w.rss(),
                }
                for w in sorted(alive, key=lambda w: w.slot)
            ],
        }


def _remove_lock(path: Path) -> None:
    """Drop the .~lock file a killed soffice leaves beside its input: it blocks the retry."""
    (path.parent / f".~lock.{path.name}#").unlink(missing_ok=True)


def _read_pdf(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConversionFailed("LibreOffice không tạo ra tệp PDF.") from exc
    if not data.startswith(b"%PDF"):
        raise ConversionFailed("LibreOffice tạo ra tệp không phải PDF.")
    return data
