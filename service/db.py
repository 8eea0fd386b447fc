"""Database wiring: one SQLAlchemy engine per process, a session per request or task.

``DATABASE_URL`` selects SQLite (the embedded default, a file under
``instance/``) or PostgreSQL (``postgresql://user@host:port/db``, driven by
psycopg 3). Nothing connects at import time.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, DisconnectionError
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


# Execution option of the connections that only read (Database.reader).
READ_ONLY = "vanban_read_only"


class ReadOnlyWrite(RuntimeError):
    """A write on a connection that was opened to read only: a programming error.

    On SQLite such a connection began DEFERRED, and a write there could fail
    at random (``database is locked``) when another writer committed since
    its snapshot; refusing every write makes the mistake show in every test.
    """


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
            # instead of failing at commit, which gapless numbering needs. A
            # reader (Database.reader) takes no lock: in WAL mode it reads its
            # snapshot while a writer works.
            if conn.get_execution_options().get(READ_ONLY):
                conn.exec_driver_sql("BEGIN DEFERRED")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    engine = create_engine(url, **kw)
    _ping_after_idle(engine)
    return engine


# A pooled connection idle for longer than this is pinged before use.
PING_AFTER_IDLE = 10.0
_IDLE_SINCE = "vanban.idle_since"


def _ping_after_idle(engine: Engine) -> None:
    """Ping connections that sat idle in the pool, not every checkout.

    SQLAlchemy's ``pool_pre_ping`` costs one round trip per checkout: on this
    register's hot path (an issue is one statement, service.register.writing)
    a fifth of the database time. Connections that were in use a moment ago
    are trusted; one that has sat idle (where a restarted server, a firewall
    or an idle timeout may have dropped it) is pinged, and replaced when the
    ping fails (DisconnectionError makes the pool connect afresh). A server
    lost under a busy connection fails that request with 503, and SQLAlchemy
    then drops the whole pool.
    """

    @event.listens_for(engine, "checkin")
    def _stamp(_dbapi_conn: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # any driver error: this connection is gone
            log.info("pooled connection idle %.0f s is gone: %s", time.monotonic() - since, exc)
            raise DisconnectionError() from exc


class Database:
    """The engine and session factory of one app (or one worker process)."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # The same pool, for work that only reads: on SQLite its transactions take
        # no lock (see make_engine), on both databases it refuses to write.
        self.reader = self.engine.execution_options(**{READ_ONLY: True})
        event.listen(self.reader, "before_cursor_execute", _refuse_writes)
        self.read_sessions = sessionmaker(self.reader, expire_on_commit=False)
        # The same pool; its connections switch to autocommit while checked out.
        self._autocommit_engine = (
            self.reader
            if self.is_sqlite
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )

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

    @contextmanager
    def autocommit(self) -> Iterator[Connection]:
        """A Core connection for reads that need no transaction, returned to the pool after.

        On PostgreSQL it runs in autocommit: a read costs its one round trip and
        no session bookkeeping (the API-key look-up of every request uses it).
        On SQLite it is a reader's connection (no lock, no writes); its
        transaction is rolled back at the end.
        """
        with self._autocommit_engine.connect() as conn:
            yield conn

    def dispose(self) -> None:
        """Drop pooled connections (after a fork, or at shutdown)."""
        self.engine.dispose()


def _refuse_writes(
    _conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
) -> None:
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        raise ReadOnlyWrite(f"a write on a connection opened to read only: {statement[:80]}")


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
        database = current()
        session = database.read_sessions() if g.get(_READS_ONLY) else database.sessions()
        g.vanban_session = session
    return session


_READS_ONLY = "vanban_reads_only"
_View = TypeVar("_View", bound=Callable[..., Any])


def reads_only() -> None:
    """Declare that the current request only reads the database; call it before it does.

    Its session is then a reader's (``Database.reader``): on SQLite it reads
    its snapshot beside a writer instead of queueing for the write lock (a
    clerk's register, a download or a batch's status does not wait for a bulk
    chunk), and on both databases a write in it raises ReadOnlyWrite.
    """
    from flask import g

    if g.get("vanban_session") is not None:
        raise RuntimeError("reads_only() must come before the request's session is opened")
    setattr(g, _READS_ONLY, True)


def read_only(view: _View) -> _View:
    """Decorate a view that only reads the database (``reads_only`` before it runs)."""

    @functools.wraps(view)
    def reading(*args: Any, **kwargs: Any) -> Any:
        reads_only()
        return view(*args, **kwargs)

    return cast(_View, reading)


def _close_request_session(_exc: BaseException | None) -> None:
    from flask import g

    session: Session | None = g.pop("vanban_session", None)
    if session is not None:
        session.close()


def insert_for(session: Session, model: Any) -> Any:
    """``INSERT`` of ``model`` in the session's dialect, which has ``ON CONFLICT`` clauses."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise RuntimeError(f"unsupported database {dialect}")  # pragma: no cover - two are tested


def database_check() -> str:
    """``ok`` when the database answers ``SELECT 1`` (for /healthz)."""
    try:
        with current().autocommit() as conn:
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


def execute_while(
    conn: Connection, statement: str, params: dict[str, Any], meanwhile: Callable[[], None]
) -> Any:
    """Execute driver SQL on ``conn`` and run ``meanwhile`` while the server works; the first row.

    An autocommitted write spends most of its time waiting for the server:
    executing, then flushing its WAL to disk before it answers. Python work
    that does not need the answer (building objects, the response) is done in
    that wait instead of after it: the statement is sent, ``meanwhile`` runs,
    then the answer is read. The caller still learns nothing before the
    commit is acknowledged, and the answer is always read, also when
    ``meanwhile`` fails. ``meanwhile`` must not use this connection.

    ``statement`` and ``params`` are what the DBAPI takes (compiled SQL, values
    already processed: service.register.writing compiles its statement once).
    This skips SQLAlchemy's execution path, which costs more than the
    statement's own round trip on the register's hot path; driver errors are
    raised as SQLAlchemy's, and a lost connection is invalidated with every
    older one of its pool, as ``Connection.execute`` does. With psycopg the send
    and the wait are psycopg's own execute generator (``Cursor._execute_gen``,
    what ``Cursor.execute`` runs) driven in two steps; other drivers execute
    first and run ``meanwhile`` after.
    """
    with _driver_cursor(conn, statement, params) as cursor:
        _overlapped(cursor, statement, params, meanwhile)
        return cursor.fetchone()


def execute_and_commit(
    conn: Connection, statement: str, params: dict[str, Any], meanwhile: Callable[[], None]
) -> Any:
    """Execute driver SQL and COMMIT ``conn``'s open transaction in one round trip; the first row.

    For a transaction that holds a lock its statement needs to the end (the
    sequence row of a book, service.register.issuing): the statement and the
    COMMIT are sent together on a psycopg pipeline, so the server releases the
    lock as soon as it has flushed the commit, without waiting for this process
    to read the statement's answer and send the COMMIT after it (a thread that
    waits for the GIL behind other threads' renders, under load). ``meanwhile``
    runs while the server executes and commits, as in ``execute_while``; the
    answer is always read. When the statement fails the COMMIT is not run and
    the transaction is left failed for the caller to roll back; ``meanwhile``
    is then skipped if the error has already come back while the COMMIT was
    being queued (psycopg reads the answers that are ready as it sends). Once this
    returns the transaction is committed: SQLAlchemy's own commit that follows
    finds nothing left to do (psycopg sends nothing for an idle connection).
    """
    with _driver_cursor(conn, statement, params) as cursor:
        dbapi_conn = cursor.connection
        if not hasattr(dbapi_conn, "pipeline"):  # pragma: no cover - not psycopg 3
            cursor.execute(statement, params)
            dbapi_conn.commit()
            meanwhile()
            return cursor.fetchone()
        with dbapi_conn.pipeline():
            cursor.execute(statement, params)
            dbapi_conn.execute("COMMIT")
            meanwhile()
        return cursor.fetchone()


def fetch_all(conn: Connection, statement: str, params: dict[str, Any]) -> list[Any]:
    """Every row of driver SQL on ``conn``, without SQLAlchemy's execution path.

    For a read on every request (the API key): SQLAlchemy's execution and
    result objects cost 0.17-0.25 ms more per read on PostgreSQL here
    (bench/RESULTS.md, session 7). Errors are raised and lost connections
    invalidated as in ``execute_while``.
    """
    with _driver_cursor(conn, statement, params) as cursor:
        cursor.execute(statement, params)
        return list(cursor.fetchall())


@contextmanager
def _driver_cursor(conn: Connection, statement: str, params: dict[str, Any]) -> Iterator[Any]:
    """A DBAPI cursor of ``conn``; driver errors come out as ``Connection.execute`` raises them."""
    dialect = conn.dialect
    dbapi_conn = conn.connection.dbapi_connection
    assert dbapi_conn is not None
    cursor = dbapi_conn.cursor()
    try:
        yield cursor
    except dialect.loaded_dbapi.Error as exc:
        lost = dialect.is_disconnect(exc, dbapi_conn, cursor)
        if lost:
            # As Connection.execute does on a disconnect: the pool's other connections,
            # opened before now, are replaced at their next checkout (a restarted server
            # lost them all), and this one is closed now.
            conn.engine.pool._invalidate(conn.connection, exc, _checkin=False)
            conn.invalidate(exc)
        raise DBAPIError.instance(
            statement,
            params,
            exc,
            dialect.loaded_dbapi.Error,
            connection_invalidated=lost,
            dialect=dialect,
        ) from exc
    finally:
        cursor.close()


def _overlapped(cursor: Any, statement: str, params: Any, meanwhile: Callable[[], None]) -> None:
    start = getattr(cursor, "_execute_gen", None)
    if start is None:  # pragma: no cover - a driver other than psycopg 3
        cursor.execute(statement, params)
        meanwhile()
        return
    connection = cursor.connection
    with connection.lock:
        steps = start(statement, params)
        try:
            waiting_for = next(steps)  # sends the statement; then waits for the answer
        except StopIteration:  # pragma: no cover - answered without waiting
            meanwhile()
            return
        try:
            meanwhile()
        finally:
            connection.wait(_resumed(steps, waiting_for))


def _resumed(steps: Any, waiting_for: Any) -> Any:
    """The generator ``steps``, already advanced to ``waiting_for``, for psycopg's wait."""
    try:
        ready = yield waiting_for
        while True:
            ready = yield steps.send(ready)
    except StopIteration as done:
        return done.value
