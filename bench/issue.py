"""Issuing speed: numbered documents through HTTP on gunicorn + PostgreSQL vs stateless render.

Starts gunicorn serving ``service:create_app()`` on a fresh PostgreSQL
database, then, with 1 and with 8 concurrent clients, posts N stateless
renders (``/api/v1/render``) and N issues (``/api/v1/documents``) of the same
document (with 1 client the two interleaved, request by request), and prints
documents per second and p50/p95 latency of each, the ratio issue/render,
and checks that the register holds exactly 1..N.

    .venv/bin/python bench/issue.py [--n 400] [--workers 3] [--auth] [--keyed] [--pg postgresql://postgres@127.0.0.1:5432/postgres]

``--keyed`` sends every issue with an Idempotency-Key of its own, as a client
that retries safely does.

Targets (issue 3): issuing costs at most 1.5x a stateless render (p50, 1 client),
and at least 100 issued documents/s with 8 clients.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

import psycopg
from psycopg import sql

from config.settings import ROOT
from service import templates

TEMPLATE = "quyet-dinh-cong-nhan"
TARGET_RATIO = 1.5
TARGET_RATE_8 = 100.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status in (200, 503):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer")


HEADERS = {"Content-Type": "application/json"}
KEYED = {"on": False}


def _headers(path: str) -> dict[str, str]:
    """The request's headers: with ``--keyed``, an issue's own Idempotency-Key."""
    if KEYED["on"] and path == "/api/v1/documents":
        return {**HEADERS, "Idempotency-Key": secrets.token_hex(12)}
    return HEADERS


def _run(port: int, path: str, bodies: list[bytes], clients: int) -> tuple[float, list[float]]:
    """Post ``bodies`` with ``clients`` keep-alive connections; (seconds, latencies ms)."""
    latencies: list[float] = []
    lock = threading.Lock()
    queue = list(enumerate(bodies))
    errors: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if not queue:
                    break
                _, body = queue.pop(0)
            start = time.perf_counter()
            conn.request("POST", path, body, _headers(path))
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - start) * 1000
            if response.status not in (200, 201):
                errors.append(f"{path} -> {response.status}")
            with lock:
                latencies.append(elapsed)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, e.g. {errors[0]}")
    return time.perf_counter() - start, latencies


def _paired(port: int, bodies: list[bytes]) -> tuple[list[float], list[float]]:
    """One client alternating a render and an issue: (render ms, issue ms), measured side by side.

    Run one after the other, the two cases met different moments of the machine
    (its speed drifts by tens of percent over minutes here); interleaved, each
    render and the issue next to it share them. Every other pair starts with
    the issue, so neither case always follows the other. Each pair renders and
    issues the same document (the bodies differ in their summary, as a
    register's documents do): rendering one body over and over would let the
    render alone reuse what the layout caches for a text it has measured.
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times: dict[str, list[float]] = {"/api/v1/render": [], "/api/v1/documents": []}
    for i, body in enumerate(bodies):
        pair = [("/api/v1/render", body), ("/api/v1/documents", body)]
        for path, sent in pair if i % 2 == 0 else pair[::-1]:
            start = time.perf_counter()
            conn.request("POST", path, sent, _headers(path))
            response = conn.getresponse()
            response.read()
            times[path].append((time.perf_counter() - start) * 1000)
            if response.status not in (200, 201):
                raise RuntimeError(f"{path} -> {response.status}")
    conn.close()
    return times["/api/v1/render"], times["/api/v1/documents"]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# CPU time of the render inside an issue, in-process (bench/RESULTS.md, session 8).
RENDER_CPU_MS = 1.5


def _busy(ms: float) -> None:
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass


def _write_floor(url: str, count: int, busy_ms: float = 0.0) -> float:
    """p50 ms of the issue's write statement alone, on raw psycopg: the database's share.

    Copies of an issued document (its row, .docx and audit row) are written
    with the statement service.register.writing uses, into an unused year.
    With ``busy_ms`` the client computes that long before each statement, as
    the app renders before it writes: the server has gone idle meanwhile, and
    on a VM waking it again is part of what an issue waits for.
    """
    from psycopg.rows import dict_row
    from psycopg.types.json import Jsonb
    from sqlalchemy.dialects.postgresql import psycopg as pg_dialect

    from service.register import writing

    statement = str(writing._pg_statement(False, 1).compile(dialect=pg_dialect.dialect()))
    latencies = []
    with psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
        doc = conn.execute("SELECT * FROM documents ORDER BY number LIMIT 1").fetchone()
        assert doc is not None
        file = conn.execute("SELECT * FROM files WHERE document_id = %s", (doc["id"],)).fetchone()
        audit = conn.execute("SELECT * FROM audit WHERE document_id = %s", (doc["id"],)).fetchone()
        assert file is not None and audit is not None
        for i in range(count):
            params = {f"d_{k}": v for k, v in doc.items()}
            params.update({f"f0_{k}": v for k, v in file.items()})
            params.update({f"a_{k}": v for k, v in audit.items() if k != "id"})
            new_id = secrets.token_hex(16)
            params.update(d_id=new_id, d_year=2999, d_number=i + 1, d_idempotency_key=None)
            params.update(d_data=Jsonb(doc["data"]), a_detail=Jsonb(audit["detail"]))
            _busy(busy_ms)
            start = time.perf_counter()
            conn.execute(statement, params).fetchone()
            latencies.append((time.perf_counter() - start) * 1000)
        conn.execute("DELETE FROM documents WHERE year = 2999")
    return statistics.median(latencies)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=400, help="documents per case")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--auth", action="store_true", help="AUTH_REQUIRED=true, requests with a clerk's API key"
    )
    parser.add_argument(
        "--keyed", action="store_true", help="an Idempotency-Key of its own on every issue"
    )
    args = parser.parse_args(argv)
    KEYED["on"] = args.keyed

    name = f"vanban_bench_{secrets.token_hex(4)}"
    with psycopg.connect(args.pg, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = args.pg.rpartition("/")[0] + "/" + name
    auth = "true" if args.auth else "false"
    env = {**os.environ, "DATABASE_URL": url, "AUTH_REQUIRED": auth, "LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "-m", "service.cli", "db", "upgrade"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    if args.auth:
        agency = templates.get(TEMPLATE).example()["agency"]
        created = subprocess.run(
            [sys.executable, "-m", "service.cli", "keys", "create", "--role", "clerk"]
            + ["--agency", agency],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        HEADERS["Authorization"] = f"Bearer {created.stdout.strip().splitlines()[-1]}"
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
            "service:create_app()",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        _wait_http(port)
        data = templates.get(TEMPLATE).example()
        render_body = json.dumps({"template": TEMPLATE, "data": data}).encode()
        issue_bodies = [
            json.dumps(
                {"template": TEMPLATE, "data": {**data, "summary": f"{data['summary']} ({i})"}}
            ).encode()
            for i in range(2 * args.n)
        ]
        _run(port, "/api/v1/render", [render_body] * 20, 2)  # warm every worker
        print(
            f"gunicorn {args.workers} workers x {args.threads} threads, PostgreSQL, "
            f"{TEMPLATE}, {args.n} documents per case"
            + (", AUTH_REQUIRED=true with a clerk's key" if args.auth else "")
            + (", an Idempotency-Key on every issue" if args.keyed else "")
        )
        print()
        print("| clients | case | docs/s | p50 ms | p95 ms |")
        print("|---:|---|---:|---:|---:|")
        results: dict[tuple[int, str], tuple[float, float]] = {}

        def report(clients: int, case: str, count: int, seconds: float, lat: list[float]) -> None:
            results[(clients, case)] = (count / seconds, statistics.median(lat))
            p50, p95 = statistics.median(lat), _pct(lat, 0.95)
            print(f"| {clients} | {case} | {count / seconds:.0f} | {p50:.2f} | {p95:.2f} |")

        # 1 client: renders and issues interleaved (see _paired); docs/s of each
        # case from its own requests' time.
        render_lat, issue_lat = _paired(port, issue_bodies[: args.n])
        used = args.n
        report(1, "stateless render", args.n, sum(render_lat) / 1000, render_lat)
        report(1, "issue", args.n, sum(issue_lat) / 1000, issue_lat)
        seconds, lat = _run(port, "/api/v1/render", issue_bodies[args.n : 2 * args.n], 8)
        report(8, "stateless render", args.n, seconds, lat)
        seconds, lat = _run(port, "/api/v1/documents", issue_bodies[used : used + args.n], 8)
        used += args.n
        report(8, "issue", args.n, seconds, lat)
        with psycopg.connect(url) as conn:
            numbers = [r[0] for r in conn.execute("SELECT number FROM documents ORDER BY number")]
        floor = _write_floor(url, args.n)
        idle_floor = _write_floor(url, args.n, busy_ms=RENDER_CPU_MS)
        contiguous = numbers == list(range(1, used + 1))
        ratio = results[(1, "issue")][1] / results[(1, "stateless render")][1]
        rate8 = results[(8, "issue")][0]
        ok = ratio <= TARGET_RATIO and rate8 >= TARGET_RATE_8 and contiguous
        print()
        render_p50 = results[(1, "stateless render")][1]
        print(
            f"the durable write alone (the issue's one INSERT statement, raw psycopg, autocommit,"
            f" same rows): p50 {floor:.2f} ms; render p50 + that = {render_p50 + floor:.2f} ms,"
            f" {(render_p50 + floor) / render_p50:.2f}x the render"
        )
        print(
            f"the same write after {RENDER_CPU_MS} ms of client work (a render's CPU time):"
            f" p50 {idle_floor:.2f} ms; render p50 + that = {render_p50 + idle_floor:.2f} ms,"
            f" {(render_p50 + idle_floor) / render_p50:.2f}x the render"
        )
        print(f"issue/render p50 with 1 client: {ratio:.2f} (target <= {TARGET_RATIO})")
        issue_p50 = results[(1, "issue")][1]
        print(f"issue - render p50 with 1 client: {issue_p50 - render_p50:.2f} ms (no target)")
        print(f"issued docs/s with 8 clients: {rate8:.0f} (target >= {TARGET_RATE_8:.0f})")
        print(f"register holds exactly 1..{used}: {contiguous}")
        print(f"targets: {'met' if ok else 'NOT met'}")
        return 0 if ok else 1
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


if __name__ == "__main__":
    sys.exit(main())
