"""Conversion jobs and converter heartbeats, kept beside the broker (no database table).

The web side cannot convert (LibreOffice lives only in the pdf workers) but owes
its caller a synchronous answer, so a conversion is a small job record: the web
writes the .docx (or names a stored document), enqueues ``pdf.convert(job_id)``
on the ``pdf`` queue (ids in the message, never bytes) and waits for the
result; the worker writes the result and signals. Heartbeats let the web tell
at once whether any worker can convert, instead of waiting for nobody.

The store follows the broker: Redis keys with a TTL when ``REDIS_URL`` is set
(the broker is Redis), else files under ``instance/pdf/`` next to the
filesystem broker's queue. Anything that can deliver the task can therefore
deliver its bytes, and neither needs a migration: jobs are transient (deleted
after delivery, swept or expired after ``JOB_TTL``); what must last (an issued
document's PDF) goes to the ``files`` table.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from redis.exceptions import RedisError

JOB_TTL = 3600.0  # seconds a forgotten job (its web request died) is kept
POLL = 0.05  # seconds between looks at a file job
# What a store raises when its Redis or its folder is out of reach.
STORE_ERRORS: tuple[type[Exception], ...] = (OSError, RedisError)


@dataclass
class Job:
    """What to convert: a .docx in the store (``docx``) or a stored document (``document_id``)."""

    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    document_id: str | None = None
    format: str = "pdf"  # "pdf" or "pdfa": the flavour, and a document's file format
    metadata: dict[str, Any] | None = None
    preview: dict[str, int] | None = None  # {"page": n, "width": px}: answer with a PNG
    created: float = field(default_factory=time.time)

    @property
    def pdfa(self) -> bool:
        """Whether the output is PDF/A-2b."""
        return self.format == "pdfa"


@dataclass
class Outcome:
    """How a job ended: ``ok``, else an error ``code`` (see client.ERRORS) and its detail."""

    ok: bool
    code: str = ""
    detail: str = ""
    pages: int = 0
    content: bytes | None = None  # the PDF or PNG, for jobs that return bytes


@dataclass
class Heartbeat:
    """One pdf worker process's view of its converter, published every few seconds."""

    worker: str
    available: bool
    status: str  # ok | starting | degraded | down | unavailable
    reason: str = ""  # short, for /healthz ("LibreOffice không được cài")
    detail: str = ""  # the full Vietnamese message, for a 503 body
    pool: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.time)


class JobStore(Protocol):
    """Where jobs, their outcomes and the heartbeats live."""

    def create(self, job: Job, docx: bytes | None) -> None:
        """Store a new job (and the .docx it converts, if any)."""
        ...

    def load(self, job_id: str) -> tuple[Job, bytes | None] | None:
        """The job and its .docx; None once it was delivered, abandoned or expired."""
        ...

    def finish(self, job_id: str, outcome: Outcome) -> bool:
        """Record the outcome and wake the waiter; False if nobody waits any more."""
        ...

    def finished(self, job_id: str) -> bool:
        """Whether the job already has an outcome (a redelivered task does nothing)."""
        ...

    def wait(self, job_id: str, timeout: float) -> Outcome | None:
        """The outcome, waiting up to ``timeout`` seconds; None if none came."""
        ...

    def delete(self, job_id: str) -> None:
        """Forget the job and everything stored with it."""
        ...

    def beat(self, heartbeat: Heartbeat, ttl: float) -> None:
        """Publish a worker's heartbeat, valid for ``ttl`` seconds."""
        ...

    def heartbeats(self, max_age: float) -> list[Heartbeat]:
        """The heartbeats younger than ``max_age`` seconds."""
        ...

    def sweep(self) -> int:
        """Remove jobs older than JOB_TTL; return how many."""
        ...


def outcome_meta(outcome: Outcome) -> dict[str, Any]:
    return {
        "ok": outcome.ok,
        "code": outcome.code,
        "detail": outcome.detail,
        "pages": outcome.pages,
    }


class FileJobStore:
    """Jobs as directories under ``root/jobs``; heartbeats as ``root/workers/*.json``."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.jobs = self.root / "jobs"
        self.workers = self.root / "workers"

    def _dir(self, job_id: str) -> Path:
        if not job_id.isalnum():
            raise ValueError(f"bad job id {job_id!r}")
        return self.jobs / job_id

    def create(self, job: Job, docx: bytes | None) -> None:
        """Write the .docx first and job.json last (by rename): a job is whole or absent."""
        folder = self._dir(job.id)
        folder.mkdir(parents=True)
        if docx is not None:
            (folder / "in.docx").write_bytes(docx)
        _write_atomic(folder / "job.json", json.dumps(asdict(job)).encode())

    def load(self, job_id: str) -> tuple[Job, bytes | None] | None:
        """The job and its .docx, or None."""
        folder = self._dir(job_id)
        try:
            job = Job(**json.loads((folder / "job.json").read_bytes()))
            docx = (folder / "in.docx").read_bytes() if job.document_id is None else None
        except FileNotFoundError:
            return None
        return job, docx

    def finish(self, job_id: str, outcome: Outcome) -> bool:
        """Write the content, then outcome.json (by rename) which the waiter polls for."""
        folder = self._dir(job_id)
        try:
            if outcome.content is not None:
                _write_atomic(folder / "out.bin", outcome.content)
            _write_atomic(folder / "outcome.json", json.dumps(outcome_meta(outcome)).encode())
        except FileNotFoundError:  # the waiter gave up and removed the job
            return False
        return True

    def finished(self, job_id: str) -> bool:
        """Whether outcome.json exists."""
        return (self._dir(job_id) / "outcome.json").exists()

    def wait(self, job_id: str, timeout: float) -> Outcome | None:
        """Poll for outcome.json every POLL seconds."""
        folder = self._dir(job_id)
        deadline = time.monotonic() + timeout
        while True:
            try:
                meta = json.loads((folder / "outcome.json").read_bytes())
            except FileNotFoundError:
                if time.monotonic() >= deadline:
                    return None
                time.sleep(POLL)
                continue
            content = (folder / "out.bin").read_bytes() if (folder / "out.bin").exists() else None
            return Outcome(content=content, **meta)

    def delete(self, job_id: str) -> None:
        """Remove the job's directory."""
        shutil.rmtree(self._dir(job_id), ignore_errors=True)

    def beat(self, heartbeat: Heartbeat, ttl: float) -> None:
        """Write ``workers/<name>.json``; freshness is judged by its ``at``."""
        self.workers.mkdir(parents=True, exist_ok=True)
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in heartbeat.worker)
        _write_atomic(self.workers / f"{name}.json", json.dumps(asdict(heartbeat)).encode())

    def heartbeats(self, max_age: float) -> list[Heartbeat]:
        """The fresh heartbeats, newest first."""
        now, beats = time.time(), []
        for path in self.workers.glob("*.json") if self.workers.is_dir() else []:
            with contextlib.suppress(FileNotFoundError, ValueError, TypeError):
                beat = Heartbeat(**json.loads(path.read_bytes()))
                if now - beat.at <= max_age:
                    beats.append(beat)
        return sorted(beats, key=lambda b: -b.at)

    def sweep(self) -> int:
        """Remove job directories older than JOB_TTL and heartbeats older than a day."""
        removed, now = 0, time.time()
        for folder in self.jobs.iterdir() if self.jobs.is_dir() else []:
            with contextlib.suppress(FileNotFoundError):
                if now - folder.stat().st_mtime > JOB_TTL:
                    shutil.rmtree(folder, ignore_errors=True)
                    removed += 1
        for path in self.workers.glob("*.json") if self.workers.is_dir() else []:
            with contextlib.suppress(FileNotFoundError):
                if now - path.stat().st_mtime > 86400:
                    path.unlink()
        return removed


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def make_store(redis_url: str | None, instance_path: str | Path) -> JobStore:
    """Redis when the broker is Redis, else files under ``instance/pdf``."""
    if redis_url:
        from service.pdf.jobstore_redis import RedisJobStore

        return RedisJobStore(redis_url)
    return FileJobStore(Path(instance_path) / "pdf")
