"""service.db.execute_while, execute_and_commit, fetch_all on the real PostgreSQL: the driver path.

The issue's one statement is sent, the caller's work runs while the server
executes and commits it, and only then is the answer read. These tests check
that the work really runs while the statement is in flight, that the answer is
always read (also when the work fails), and that driver errors come out as
SQLAlchemy's, a lost connection invalidated, as Connection.execute would do.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import IntegrityError, OperationalError

from service.db import execute_and_commit, execute_while, fetch_all, make_engine
from tests.dbfixtures import *  # noqa: F403  (the database fixtures)

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine(pg_session_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_session_url)
    yield engine
    engine.dispose()


@pytest.fixture
def conn(engine: Engine) -> Iterator[Connection]:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE overlap (id integer PRIMARY KEY)")
        yield conn


def _pid(conn: Connection) -> int:
    pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    assert isinstance(pid, int)
    return pid


def test_the_work_runs_while_the_server_executes_the_statement(
    conn: Connection, pg_session_url: str
) -> None:
    pid = _pid(conn)
    seen: list[tuple[str, str]] = []

    def meanwhile() -> None:
        # Looked at from another connection: our statement is running on the server.
        with psycopg.connect(pg_session_url, autocommit=True) as other:
            row = other.execute(
                "SELECT state, query FROM pg_stat_activity WHERE pid = %s", (pid,)
            ).fetchone()
        assert row is not None
        seen.append((row[0], row[1]))

    sql = "SELECT pg_sleep(0.5), %(answer)s::integer"
    row = execute_while(conn, sql, {"answer": 42}, meanwhile)
    assert row is not None and row[1] == 42
    assert len(seen) == 1
    state, query = seen[0]
    assert state == "active"
    assert "pg_sleep" in query


def test_a_failing_work_still_reads_the_answer(conn: Connection) -> None:
    def meanwhile() -> None:
        raise ValueError("the work failed")

    with pytest.raises(ValueError, match="the work failed"):
        execute_while(
            conn, "INSERT INTO overlap VALUES (%(id)s) RETURNING id", {"id": 1}, meanwhile
        )
    # The answer was read: the connection is free, and the autocommitted insert stands.
    assert conn.exec_driver_sql("SELECT count(*) FROM overlap").scalar() == 1
    assert not conn.invalidated


def test_a_driver_error_is_sqlalchemys_and_the_connection_goes_on(conn: Connection) -> None:
    calls: list[int] = []
    insert = "INSERT INTO overlap VALUES (%(id)s) RETURNING id"
    assert execute_while(conn, insert, {"id": 7}, lambda: calls.append(1)) == (7,)
    with pytest.raises(IntegrityError) as caught:
        execute_while(conn, insert, {"id": 7}, lambda: calls.append(2))
    assert isinstance(caught.value.orig, psycopg.errors.UniqueViolation)
    assert calls == [1, 2]  # the work ran both times; the caller drops what it made
    assert not conn.invalidated
    assert conn.execute(text("SELECT count(*) FROM overlap")).scalar() == 1


@pytest.mark.parametrize("run", [execute_while, execute_and_commit])
def test_a_lost_connection_is_invalidated(
    engine: Engine, pg_session_url: str, run: Callable[..., Any]
) -> None:
    with engine.connect() as conn:  # in a transaction, as execute_and_commit needs
        pid = _pid(conn)
        with psycopg.connect(pg_session_url, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(OperationalError) as caught:
            run(conn, "SELECT %(x)s::integer", {"x": 1}, lambda: None)
        assert caught.value.connection_invalidated
        assert conn.invalidated


def test_a_lost_connection_retires_the_older_ones_of_its_pool(
    engine: Engine, pg_session_url: str
) -> None:
    # Two pooled connections; the server loses both (a restart, a failover).
    first, second = engine.connect(), engine.connect()
    pids = [_pid(first), _pid(second)]
    second.close()  # back in the pool, looks healthy
    with psycopg.connect(pg_session_url, autocommit=True) as other:
        for pid in pids:
            other.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(OperationalError):
        execute_while(first, "SELECT %(x)s::integer", {"x": 1}, lambda: None)
    first.close()
    # As after Connection.execute: the pooled one is replaced at checkout, not handed out dead.
    with engine.connect() as again:
        assert again.execute(text("SELECT 1")).scalar() == 1
        assert _pid(again) not in pids


def test_fetch_all_reads_every_row_and_fails_as_sqlalchemy_does(
    conn: Connection, pg_session_url: str
) -> None:
    for i in (3, 1, 2):
        conn.exec_driver_sql(f"INSERT INTO overlap VALUES ({i})")
    sql = "SELECT id FROM overlap WHERE id >= %(low)s ORDER BY id"
    assert fetch_all(conn, sql, {"low": 2}) == [(2,), (3,)]
    assert fetch_all(conn, sql, {"low": 9}) == []
    with pytest.raises(IntegrityError):
        fetch_all(conn, "INSERT INTO overlap VALUES (%(id)s) RETURNING id", {"id": 1})
    assert not conn.invalidated
    with psycopg.connect(pg_session_url, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (_pid(conn),))
    with pytest.raises(OperationalError) as caught:  # the API answers this with 503
        fetch_all(conn, sql, {"low": 0})
    assert caught.value.connection_invalidated and conn.invalidated


@pytest.fixture
def shared_table(engine: Engine) -> Iterator[str]:
    """A table other connections see (a temporary one is private to its session)."""
    name = f"committing_{secrets.token_hex(4)}"
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE TABLE {name} (id integer PRIMARY KEY)")
        conn.commit()
    yield name
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP TABLE {name}")
        conn.commit()


def _committed(url: str, table: str) -> list[int]:
    with psycopg.connect(url, autocommit=True) as other:
        return [r[0] for r in other.execute(f"SELECT id FROM {table} ORDER BY id")]


def test_execute_and_commit_commits_before_the_answer_is_read(
    engine: Engine, shared_table: str, pg_session_url: str
) -> None:
    seen: list[list[int]] = []

    def meanwhile() -> None:
        # Nothing more is sent after the statement: the COMMIT went with it, so another
        # connection sees the whole transaction while this thread has not read a byte.
        deadline = time.monotonic() + 5
        while (rows := _committed(pg_session_url, shared_table)) != [1, 2]:
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        seen.append(rows)

    insert = f"INSERT INTO {shared_table} VALUES (%(id)s) RETURNING id"
    with engine.connect() as conn:
        conn.exec_driver_sql(f"INSERT INTO {shared_table} VALUES (1)")  # opens the transaction
        assert execute_and_commit(conn, insert, {"id": 2}, meanwhile) == (2,)
        assert seen == [[1, 2]]
        conn.commit()  # SQLAlchemy's commit after it has nothing left to do
        assert not conn.invalidated
        # The connection goes on as usual: a new transaction, rolled back.
        conn.exec_driver_sql(f"INSERT INTO {shared_table} VALUES (3)")
        conn.rollback()
    assert _committed(pg_session_url, shared_table) == [1, 2]


def test_execute_and_commit_of_a_failing_statement_commits_nothing(
    engine: Engine, shared_table: str, pg_session_url: str
) -> None:
    insert = f"INSERT INTO {shared_table} VALUES (%(id)s) RETURNING id"
    calls: list[int] = []
    with engine.connect() as conn:
        conn.exec_driver_sql(f"INSERT INTO {shared_table} VALUES (5)")
        conn.commit()
        conn.exec_driver_sql(f"INSERT INTO {shared_table} VALUES (6)")  # in the transaction
        with pytest.raises(IntegrityError) as caught:
            execute_and_commit(conn, insert, {"id": 5}, lambda: calls.append(1))
        assert isinstance(caught.value.orig, psycopg.errors.UniqueViolation)
        # Whether the work ran depends on how fast the error came back (the pipeline
        # reads ready answers while it queues the COMMIT): either way it is dropped.
        assert len(calls) <= 1
        conn.rollback()
        assert not conn.invalidated
    # The COMMIT sent with the failed statement did not commit the row before it.
    assert _committed(pg_session_url, shared_table) == [5]


def test_execute_and_commit_with_a_failing_work_still_commits_and_reads(
    engine: Engine, shared_table: str, pg_session_url: str
) -> None:
    def meanwhile() -> None:
        raise ValueError("the work failed")

    insert = f"INSERT INTO {shared_table} VALUES (%(id)s) RETURNING id"
    with engine.connect() as conn:
        conn.exec_driver_sql(f"INSERT INTO {shared_table} VALUES (8)")
        with pytest.raises(ValueError, match="the work failed"):
            execute_and_commit(conn, insert, {"id": 9}, meanwhile)
        conn.rollback()  # what the caller does on an error: nothing is left to roll back
        assert not conn.invalidated
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    assert _committed(pg_session_url, shared_table) == [8, 9]
