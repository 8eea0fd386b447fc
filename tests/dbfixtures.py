"""Database fixtures on real SQLite and real PostgreSQL: import them explicitly.

``db_url`` is parametrised over "sqlite" (a file in tmp_path, migrated per test)
and "postgresql" (one database created for the test session, migrated once,
emptied before each test, dropped at the end). When PostgreSQL does not answer,
its tests are skipped with a loud reason, except under ``CI=true`` where that
is a failure. ``VANBAN_TEST_PG_URL`` points at another server (admin database).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from config.settings import ROOT
from service.agencies import AgencyDirectory
from service.db import Database
from service.register.schema import seed_agencies, upgrade

# The fixtures: test modules star-import them (with a noqa for F403).
__all__ = [
    "backend",
    "database",
    "db_url",
    "empty_db_url",
    "make_database",
    "pg_admin_url",
    "pg_session_url",
    "seeded",
]

PG_ADMIN_URL = os.environ.get("VANBAN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TABLES = (
    "batch_files",
    "batch_rows",
    "batches",
    "audit",
    "api_keys",
    "files",
    "documents",
    "sequences",
    "books",
    "agencies",
)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _unreachable(reason: str) -> None:
    message = f"PostgreSQL UNREACHABLE at {PG_ADMIN_URL}: {reason} - PostgreSQL tests NOT RUN"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true: this is a failure)", pytrace=False)
    pytest.skip(message)


def _db_url(admin_url: str, name: str) -> str:
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"


def create_pg_database(admin_url: str) -> str:
    """Create an empty database ``vanban_test_<random>``; return its URL."""
    name = f"vanban_test_{secrets.token_hex(6)}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return _db_url(admin_url, name)


def drop_pg_database(admin_url: str, url: str) -> None:
    """Drop a database made by create_pg_database, disconnecting stragglers."""
    name = url.rpartition("/")[2]
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(drop.format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """The PostgreSQL admin URL, checked to answer (else skip, or fail under CI)."""
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        _unreachable(str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))
    return PG_ADMIN_URL


@pytest.fixture(scope="session")
def pg_session_url(pg_admin_url: str) -> Iterator[str]:
    """A migrated PostgreSQL database for the whole test session, dropped at the end."""
    url = create_pg_database(pg_admin_url)
    try:
        upgrade(url)
        yield url
    finally:
        drop_pg_database(pg_admin_url, url)


def _truncate(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")


def truncate_and_seed(url: str) -> None:
    """Empty every register table of ``url`` and store the configured agencies."""
    _truncate(url)
    database = Database(url)
    try:
        with database.session() as session:
            seed_agencies(session, config_agencies().all())
    finally:
        database.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database kind under test: "sqlite" or "postgresql"."""
    kind: str = request.param
    return kind


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty register database of ``backend``."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'register.sqlite3'}"
        upgrade(url)
        return url
    url = request.getfixturevalue("pg_session_url")
    _truncate(url)
    return str(url)


@pytest.fixture
def empty_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of ``backend`` with no tables at all (for migration tests)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    admin = request.getfixturevalue("pg_admin_url")
    url = create_pg_database(admin)
    try:
        yield url
    finally:
        drop_pg_database(admin, url)


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """A Database on ``db_url``, disposed after the test."""
    db = Database(db_url)
    try:
        yield db
    finally:
        db.dispose()


def config_agencies() -> AgencyDirectory:
    """The agencies of config/agencies.yaml."""
    return AgencyDirectory.from_file(ROOT / "config" / "agencies.yaml")


@pytest.fixture
def seeded(database: Database) -> Database:
    """``database`` with the configured agencies stored."""
    with database.session() as session:
        seed_agencies(session, config_agencies().all())
    return database


@pytest.fixture
def make_database() -> Iterator[Callable[[str], Database]]:
    """A factory of extra Database objects (one per thread or host), all disposed after."""
    made: list[Database] = []

    def make(url: str) -> Database:
        db = Database(url)
        made.append(db)
        return db

    yield make
    for db in made:
        db.dispose()


def example_data(template_id: str, **overrides: object) -> dict[str, object]:
    """The template's realistic example ``data`` with ``overrides`` applied."""
    from service import templates

    data = templates.get(template_id).example()
    data.update(overrides)
    return data
