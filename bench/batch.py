"""Bulk issuing speed: 1,000 giay-cong-nhan certificates, issued, end to end through the API.

The README's production setup on this machine: PostgreSQL, Redis, gunicorn
serving ``service:create_app()`` (2 workers), one Celery worker with 2
processes (``--concurrency 2``) and beat. The clock runs from POST
/api/v1/batches to the last byte of GET …/archive (1,000 numbered .docx
stored and zipped). Beside it, in the same run, a naive loop of docxtpl
renders of the same template (``DocxTemplate(path).render(ctx).save()``).
Target: <= 15 s (>= 66 rows/s).

    .venv/bin/python bench/batch.py [--rows N] [--naive N] [--record]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.settings import ROOT
from service import documents, templates
from service.agencies import AgencyDirectory
from service.register.schema import seed_agencies, upgrade
from tests.dbfixtures import create_pg_database, drop_pg_database

PG_ADMIN = os.environ.get("VANBAN_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("VANBAN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
TARGET_S = 15.0
BIN = Path(sys.executable).parent


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(url: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=60) as response:
        raw = response.read()
        return json.loads(raw) if response.headers.get_content_type().endswith("json") else raw


def _rows(count: int) -> list[dict[str, Any]]:
    return [
        {"unit": {"name": f"Khu dân cư số {i}", "address": "Phường Bắc Sơn, thị xã Bỉm Sơn"}}
        for i in range(1, count + 1)
    ]


def _common() -> dict[str, Any]:
    data = templates.get("giay-cong-nhan").example()
    data.pop("unit")
    return data


def _run_batch(base: str, count: int) -> tuple[float, int]:
    """POST the batch, poll it, download the ZIP; (seconds, files in the ZIP)."""
    start = time.perf_counter()
    body = {"template": "giay-cong-nhan", "common": _common(), "rows": _rows(count), "issue": True}
    created = _call(f"{base}/api/v1/batches", body)
    while True:
        state = _call(f"{base}/api/v1/batches/{created['id']}")
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    archive = _call(f"{base}{state['archive']}")
    elapsed = time.perf_counter() - start
    assert state["done"] == count and state["failed"] == 0, state
    return elapsed, len(zipfile.ZipFile(io.BytesIO(archive)).namelist())


def _naive(count: int) -> float:
    """A loop of plain docxtpl renders of the same certificate, one per unit."""
    agencies = AgencyDirectory.from_file(ROOT / "config" / "agencies.yaml")
    spec = templates.get("giay-cong-nhan")
    start = time.perf_counter()
    for i, row in enumerate(_rows(count), 1):
        data = {**_common(), **row}
        prepared = documents.prepare(spec.id, data, agencies, number=i)
        ctx = documents.common_context(prepared)
        ctx.update(spec.module.context(prepared))
        tpl = DocxTemplate(str(spec.docx_path))
        tpl.render(ctx, autoescape=True)
        tpl.save(io.BytesIO())
    return time.perf_counter() - start


def _wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            _call(url)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    """Start the production setup, time the batch and the naive loop, print Markdown."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--naive", type=int, default=1000, help="naive renders to time")
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args(argv)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    db_url = create_pg_database(PG_ADMIN)
    procs: list[subprocess.Popen[bytes]] = []
    folder = Path(tempfile.mkdtemp(prefix="vanban-bench-"))
    try:
        upgrade(db_url)
        from service.db import Database

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
        log = open(folder / "services.log", "wb")
        commands = [
            [
                str(BIN / "gunicorn"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "service:create_app()",
            ],
            [
                str(BIN / "celery"),
                "-A",
                "workers.celery_app",
                "worker",
                "--concurrency",
                "2",
                "--queues",
                "render,bulk,maintenance",
                "--loglevel",
                "WARNING",
            ],
            [
                str(BIN / "celery"),
                "-A",
                "workers.celery_app",
                "beat",
                "--loglevel",
                "WARNING",
                "--schedule",
                str(folder / "beat-schedule"),
            ],
        ]
        for command in commands:
            procs.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log))
        base = f"http://127.0.0.1:{port}"
        _wait_http(f"{base}/api/v1/templates")
        _run_batch(base, 50)  # warm-up: templates compiled in both worker processes
        seconds, files = _run_batch(base, args.rows)
        naive = _naive(args.naive)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
        drop_pg_database(PG_ADMIN, db_url)
    naive_total = naive * args.rows / args.naive
    rate = args.rows / seconds
    ok = seconds <= TARGET_S * args.rows / 1000
    lines = [
        "| setup | rows | total s | rows/s |",
        "|---|---:|---:|---:|",
        f"| batch via API (gunicorn 2, celery -c 2, PostgreSQL, Redis), stored + zipped "
        f"| {args.rows} | {seconds:.2f} | {rate:.1f} |",
        f"| naive docxtpl loop, render only (timed {args.naive}) | {args.rows} "
        f"| {naive_total:.2f} | {args.rows / naive_total:.1f} |",
        "",
        f"{files} files in the archive; target: {args.rows} certificates in <= "
        f"{TARGET_S * args.rows / 1000:.0f} s (>= 66 rows/s): {'met' if ok else 'NOT met'}",
    ]
    print("\n".join(lines))
    if args.record:
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as out:
            out.write("\n## bench/batch.py (issue: bulk issuing on Celery)\n\n")
            out.write(f"Command: `.venv/bin/python bench/batch.py --rows {args.rows}`\n\n")
            out.write("\n".join(lines) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
