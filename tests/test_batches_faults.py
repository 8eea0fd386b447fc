"""Faults with real worker processes, real Redis and real PostgreSQL (slow; never eager mode).

A worker killed with SIGKILL in the middle of a 1,000-row batch, and a Redis
restart that drops every queued message (Redis runs without persistence),
must both end with exactly 1,000 documents numbered 1..1,000, none twice:
acks_late brings unacknowledged messages back, and the beat-driven sweeper
re-dispatches batches that stopped making progress.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import redis

from config.settings import ROOT
from service import create_app
from tests.batch_helpers import post_certificates
from tests.dbfixtures import truncate_and_seed
from tests.services import require_postgres, require_redis

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres]
ROWS = 1000
CELERY = str(Path(sys.executable).with_name("celery"))
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
]


class Cluster:
    """Worker and beat subprocesses sharing one environment."""

    def __init__(self, env: dict[str, str], folder: Path):
        self.env, self.folder = env, folder
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str, name: str) -> subprocess.Popen[bytes]:
        log = open(self.folder / f"{name}.log", "wb")
        proc = subprocess.Popen(
            [CELERY, "-A", "workers.celery_app", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.procs.append(proc)
        return proc

    def worker(self, name: str) -> subprocess.Popen[bytes]:
        return self.start(
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--queues",
            "bulk,maintenance",
            "--hostname",
            f"{name}@%h",
            "--loglevel",
            "INFO",
            name=name,
        )

    def kill(self, proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                self.kill(proc, signal.SIGTERM if proc.poll() is None else signal.SIGKILL)


@pytest.fixture
def cluster(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Cluster, str, str]]:
    redis_url = require_redis()
    require_postgres()
    db_url: str = request.getfixturevalue("pg_session_url")
    truncate_and_seed(db_url)
    redis.Redis.from_url(redis_url).flushdb()
    instance = tmp_path / "instance"
    instance.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "VANBAN_INSTANCE_PATH": str(instance),
        "BATCH_STALL_SECONDS": "3",
        "LOG_LEVEL": "INFO",
    }
    group = Cluster(env, tmp_path)
    group.start(
        "beat", "--schedule", str(tmp_path / "beat-schedule"), "--loglevel", "INFO", name="beat"
    )
    try:
        yield group, db_url, redis_url
    finally:
        group.stop_all()


def _submit(db_url: str, redis_url: str, tmp: Path) -> str:
    app = create_app(
        {"TESTING": True, "INSTANCE_PATH": str(tmp), "DATABASE_URL": db_url, "REDIS_URL": redis_url}
    )
    try:
        return str(post_certificates(app.test_client(), ROWS)["id"])
    finally:
        app.extensions["vanban.db"].dispose()


def _progress(db_url: str, batch_id: str) -> tuple[str, int]:
    with psycopg.connect(db_url) as conn:
        status = conn.execute("SELECT status FROM batches WHERE id = %s", (batch_id,)).fetchone()
        (done,) = conn.execute(
            "SELECT count(*) FROM batch_rows WHERE batch_id = %s AND status <> 'pending'",
            (batch_id,),
        ).fetchone() or (0,)
    return (status[0] if status else "missing"), int(done)


def _wait(db_url: str, batch_id: str, until: Callable[[str, int], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not until(*_progress(db_url, batch_id)):
        assert time.monotonic() < deadline, f"timed out: {_progress(db_url, batch_id)}"
        time.sleep(0.1)


def _assert_exactly_once(db_url: str, batch_id: str) -> None:
    with psycopg.connect(db_url) as conn:
        numbers = [
            n
            for (n,) in conn.execute(
                "SELECT number FROM documents WHERE batch_id = %s AND status = 'issued'"
                " ORDER BY number",
                (batch_id,),
            )
        ]
        (files,) = conn.execute(
            "SELECT count(*) FROM files f JOIN documents d ON d.id = f.document_id"
            " WHERE d.batch_id = %s",
            (batch_id,),
        ).fetchone() or (0,)
        rows = conn.execute(
            "SELECT count(*) FROM batch_rows WHERE batch_id = %s AND status = 'done'", (batch_id,)
        ).fetchone()
    assert numbers == list(range(1, ROWS + 1))  # contiguous, none twice, none missing
    assert files == ROWS and rows == (ROWS,)
    assert _progress(db_url, batch_id) == ("done", ROWS)


def test_kill_9_a_worker_mid_batch(cluster: tuple[Cluster, str, str], tmp_path: Path) -> None:
    group, db_url, redis_url = cluster
    first, _second = group.worker("w1"), group.worker("w2")
    batch_id = _submit(db_url, redis_url, tmp_path)
    _wait(db_url, batch_id, lambda _s, done: done >= 150, timeout=60)
    group.kill(first)  # SIGKILL to the whole process group: main process and its child
    group.worker("w3")
    _wait(db_url, batch_id, lambda status, _d: status in ("done", "failed"), timeout=60)
    _assert_exactly_once(db_url, batch_id)


def _redis_up() -> bool:
    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _ensure_redis() -> None:
    if not _redis_up():
        subprocess.run(REDIS_START, check=False)
    deadline = time.monotonic() + 15
    while not _redis_up():
        assert time.monotonic() < deadline, "Redis did not come back"
        time.sleep(0.1)


def test_redis_restart_mid_batch(cluster: tuple[Cluster, str, str], tmp_path: Path) -> None:
    group, db_url, redis_url = cluster
    group.worker("w1"), group.worker("w2")
    batch_id = _submit(db_url, redis_url, tmp_path)
    try:
        _wait(db_url, batch_id, lambda _s, done: done >= 150, timeout=60)
        subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], check=False)
        time.sleep(1)
    finally:
        _ensure_redis()  # whatever happens, leave Redis running
    _wait(db_url, batch_id, lambda status, _d: status in ("done", "failed"), timeout=60)
    _assert_exactly_once(db_url, batch_id)
