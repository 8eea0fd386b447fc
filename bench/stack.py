"""The README's production setup for the benchmarks, on this machine, in one context manager.

A fresh PostgreSQL database (migrated, agencies seeded), Redis, gunicorn serving
``service:create_app()`` (2 workers, 4 threads), a Celery worker for
``render,bulk,maintenance`` (prefork, 2 processes), a pdf worker for ``pdf``
(threads, 2, with a pool of 2 LibreOffice processes, as docker-compose's
``pdf-worker``) and beat. Everything is stopped and the database dropped on exit.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.settings import ROOT
from service.agencies import AgencyDirectory
from service.db import Database
from service.register.schema import seed_agencies, upgrade
from tests.dbfixtures import create_pg_database, drop_pg_database

PG_ADMIN = os.environ.get("VANBAN_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("VANBAN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "RESULTS.md"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(url: str, body: Any = None, timeout: float = 120) -> Any:
    """GET (or POST ``body`` as JSON); JSON answers decoded, anything else as bytes."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
        return json.loads(raw) if response.headers.get_content_type().endswith("json") else raw


def _celery(*args: str) -> list[str]:
    return [str(BIN / "celery"), "-A", "workers.celery_app", *args, "--loglevel", "WARNING"]


def _commands(port: int, folder: Path, pdf: bool) -> list[tuple[list[str], dict[str, str]]]:
    gunicorn = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    gunicorn += ["--threads", "4", "--timeout", "120", "service:create_app()"]
    commands: list[tuple[list[str], dict[str, str]]] = [
        (gunicorn, {}),
        (_celery("worker", "--concurrency", "2", "--queues", "render,bulk,maintenance"), {}),
        (_celery("beat", "--schedule", str(folder / "beat-schedule")), {}),
    ]
    if pdf:
        worker = _celery("worker", "--queues", "pdf", "--pool", "threads", "--concurrency", "2")
        commands.append((worker + ["--hostname", "pdf@%h"], {"VANBAN_PDF_POOL_SIZE": "2"}))
    return commands


def wait_ready(base: str, *, pdf: bool, timeout: float = 90) -> None:
    """Wait until the web answers and (with ``pdf``) /healthz says the pdf pool is warm."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            call(f"{base}/api/v1/templates")
            if not pdf:
                return
            health = json.loads(urllib.request.urlopen(f"{base}/healthz", timeout=10).read())
            workers = health["details"]["pdf"]["workers"]
            if workers and all(w["status"] == "ok" for w in workers):
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("the stack did not become ready")
        time.sleep(0.3)


@contextmanager
def production_stack(*, pdf: bool = False) -> Iterator[str]:
    """Start the stack (with the pdf worker when ``pdf``); yield the web's base URL."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    db_url = create_pg_database(PG_ADMIN)
    procs: list[subprocess.Popen[bytes]] = []
    folder = Path(tempfile.mkdtemp(prefix="vanban-bench-"))
    try:
        upgrade(db_url)
        database = Database(db_url)
        with database.session() as session:
            seed_agencies(
                session, AgencyDirectory.from_file(ROOT / "config" / "agencies.yaml").all()
            )
        database.dispose()
        port = _port()
        env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "REDIS_URL": REDIS_URL,
            "LOG_LEVEL": "WARNING",
            "VANBAN_INSTANCE_PATH": str(folder),
        }
        with open(folder / "services.log", "wb") as log:
            for command, extra in _commands(port, folder, pdf):
                proc = subprocess.Popen(
                    command, cwd=ROOT, env={**env, **extra}, stdout=log, stderr=log
                )
                procs.append(proc)
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, pdf=pdf)
        yield base
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        drop_pg_database(PG_ADMIN, db_url)


def record(heading: str, command: str, lines: list[str]) -> None:
    """Replace the section ``## heading`` of bench/RESULTS.md (or append it), keep the others."""
    text = RESULTS.read_text(encoding="utf-8")
    section = f"## {heading}\n\nCommand: `{command}`\n\n" + "\n".join(lines) + "\n"
    marker = f"## {heading}\n"
    if marker in text:
        before, _, rest = text.partition(marker)
        after = rest[rest.find("\n## ") + 1 :] if "\n## " in rest else ""
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")
