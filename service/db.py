"""Database wiring: one SQLAlchemy engine per process, a session per request or task.

``DATABASE_URL`` selects SQLite (the embedded default, a file under
``instance/``) or PostgreSQL (``postgresql://user@host:port/db``, driven by
psycopg 3). Nothing connects at import time.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

log = logging.getLogger(__name__)


class Base(DeclarativeBase):
    """Declarative base of every table."""


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, **kw: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and real transactions."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kw)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, emit BEGIN (see SQLAlchemy's
            # "Serializable isolation / Savepoints / Transactional DDL" notes).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # IMMEDIATE takes the write lock at BEGIN: two writers serialise
            # instead of failing at commit, which gapless numbering needs.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, **kw)


class Database:
    """The engine and session factory of one app (or one worker process)."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        """Whether this is the embedded SQLite database."""
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        """Drop pooled connections (after a fork, or at shutdown)."""
        self.engine.dispose()


def init_app(app: Any) -> Database:
    """Attach the Database of ``app.config['DATABASE_URL']`` to the app."""
    database = Database(app.config["DATABASE_URL"])
    app.extensions["vanban.db"] = database
    app.teardown_appcontext(_close_request_session)
    return database


def request_session() -> Session:
    """The session of the current request (or app context), opened on first use.

    Views commit explicitly; whatever is left uncommitted when the context ends
    is rolled back, so an error never leaves half a change behind.
    """
    from flask import g

    session: Session | None = g.get("vanban_session")
    if session is None:
        session = current().sessions()
        g.vanban_session = session
    return session


def _close_request_session(_exc: BaseException | None) -> None:
    from flask import g

    session: Session | None = g.pop("vanban_session", None)
    if session is not None:
        session.close()


def database_check() -> str:
    """``ok`` when the database answers ``SELECT 1`` (for /healthz)."""
    try:
        with current().engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:  # any driver error means the database is down
        log.warning("database unreachable: %s", exc)
        return "unreachable"
    return "ok"


def current() -> Database:
    """The Database of the current Flask app."""
    from flask import current_app

    database: Database = current_app.extensions["vanban.db"]
    return database
