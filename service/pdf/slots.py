"""The worker slots of a ``ConverterPool``: start, warm, replace and stop its workers.

A pool has ``size`` slots; each holds at most one live ``Worker`` (a process
group of ``uno_worker.py`` + LibreOffice, see ``worker.py``). This module owns
the slot table and its life cycle; ``pool.py`` builds jobs on top of it.

Guarantees: no process is started before ``start()`` (or the first
conversion); every worker is warmed (a .docx converted) before it is put on
the idle queue, so it takes jobs only once ready; a slot that fails to start is
retried ``START_ATTEMPTS`` times with a growing pause; a retired worker (timed
out, crashed or recycled) is killed at once, process group and all, and its
slot refilled in the background, so the caller never waits for LibreOffice to
boot; after ``close()`` nothing is (re)started and late starters kill
themselves.
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import shutil
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Self

from service.errors import ConverterUnavailable
from service.pdf import ooxml, settings
from service.pdf.worker import Worker, WorkerDied, WorkerTimeout

log = logging.getLogger(__name__)

START_ATTEMPTS = 3


class WorkerSlots:
    """``size`` slots, each (re)filled by a warm worker; the base of ``ConverterPool``."""

    def __init__(
        self,
        size: int | None = None,
        *,
        python: str | None = None,
        soffice: str | None = None,
        start_timeout: float = 90.0,
        work_dir: str | Path | None = None,
    ) -> None:
        self.size = size or os.cpu_count() or 1
        self.start_timeout = start_timeout
        self._python = python
        self._soffice = soffice
        self._work_dir = Path(work_dir) if work_dir else None
        self._base: Path | None = None
        self._lock = threading.Lock()
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._current: dict[int, Worker] = {}
        self._spawned: set[Worker] = set()  # every live worker, ready or still starting
        self._busy: set[int] = set()
        self._starting: set[int] = set()
        self._generations = itertools.count(1)
        self._stats: Counter[str] = Counter()
        self._last_error = ""
        self._started = False
        self._closed = False

    # -- life cycle ---------------------------------------------------------

    def start(self, *, wait: bool = True) -> Self:
        """Start and warm every worker (in parallel); ConverterUnavailable if none can start."""
        with self._lock:
            if self._closed:
                raise ConverterUnavailable("Bộ chuyển đổi PDF đã dừng.")
            if self._started:
                return self
            self._python, self._soffice = settings.check(self._python, self._soffice)
            parent = str(self._work_dir) if self._work_dir else None
            self._base = Path(tempfile.mkdtemp(prefix="vanban-pdf-", dir=parent))
            (self._base / "jobs").mkdir()
            warm = ooxml.minimal_docx("Khởi động bộ chuyển đổi: Cộng hòa xã hội chủ nghĩa Việt Nam")
            (self._base / "warm.docx").write_bytes(warm)
            self._started = True
            threads = [self._spawn_async(slot) for slot in range(self.size)]
        if wait:
            for thread in threads:
                thread.join()
            if not self._current:
                raise ConverterUnavailable(
                    f"Không khởi động được LibreOffice để tạo PDF: {self._last_error}"
                )
        return self

    def close(self) -> None:
        """Stop every worker and remove the working directory."""
        with self._lock:
            self._closed = True
            workers = list(self._spawned)
            self._current.clear()
        for worker in workers:
            worker.kill()
        if self._base is not None:
            shutil.rmtree(self._base, ignore_errors=True)

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Block until no slot is (re)starting; True if every slot has a live worker."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._starting:
                    return len(self._current) == self.size
            time.sleep(0.05)
        return False

    # -- workers ------------------------------------------------------------

    def _spawn_async(self, slot: int) -> threading.Thread:
        self._starting.add(slot)
        thread = threading.Thread(target=self._spawn, args=(slot,), name=f"pdf-start-{slot}")
        thread.daemon = True
        thread.start()
        return thread

    def _spawn(self, slot: int) -> None:
        assert self._base is not None and self._python and self._soffice
        for attempt in range(1, START_ATTEMPTS + 1):
            if self._closed:
                break
            try:
                worker = Worker(
                    slot,
                    next(self._generations),
                    python=self._python,
                    soffice=self._soffice,
                    base_dir=self._base,
                    warm_docx=self._base / "warm.docx",
                )
            except OSError as exc:  # e.g. the pool was closed and its directory removed
                self._last_error = str(exc)
                log.warning("pdf worker slot %s could not be created: %s", slot, exc)
                break
            with self._lock:
                self._spawned.add(worker)
                closed = self._closed
            if closed:
                self._forget(worker)
                break
            try:
                worker.wait_ready(self.start_timeout)
            except (WorkerDied, WorkerTimeout, ValueError) as exc:
                self._forget(worker)
                if self._closed:
                    break
                self._last_error = str(exc)
                self._stats["start_failures"] += 1
                log.warning(
                    "pdf worker slot %s failed to start (%s/%s): %s",
                    slot,
                    attempt,
                    START_ATTEMPTS,
                    exc,
                )
                time.sleep(0.5 * attempt)
                continue
            with self._lock:
                closed = self._closed
                if not closed:
                    self._current[slot] = worker
                    self._starting.discard(slot)
            if closed:
                self._forget(worker)
                break
            log.info("pdf worker %s ready (soffice pid %s)", worker.name, worker.office_pid)
            self._idle.put(worker)
            return
        with self._lock:
            self._starting.discard(slot)

    def _forget(self, worker: Worker) -> None:
        worker.kill()
        with self._lock:
            self._spawned.discard(worker)

    def _retire(self, worker: Worker, reason: str) -> None:
        """Kill ``worker`` now and start its replacement in the background."""
        self._forget(worker)
        with self._lock:
            self._stats["restarts"] += 1
            self._stats[reason] += 1
            self._busy.discard(worker.slot)
            if self._current.get(worker.slot) is worker:
                del self._current[worker.slot]
            if self._closed or worker.slot in self._starting:
                return
            self._spawn_async(worker.slot)
        log.info("pdf worker %s retired (%s)", worker.name, reason)

    def workers(self) -> list[Worker]:
        """The current workers (for diagnostics and tests)."""
        with self._lock:
            return sorted(self._current.values(), key=lambda w: w.slot)
