"""Optimistic issuing on PostgreSQL: one statement claims the number and writes the document.

service.register.issuing renders with the predicted number and claims it in
the statement that writes the document; a wrong prediction costs a statement
that writes nothing, never a duplicate, a hole or a second render. These
tests drive the hit, the miss, the caller's own transaction and the
connection faults on the real server.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from flask import Flask
from sqlalchemy import func, select

from service import create_app, db, documents
from service.db import Database
from service.register import issue, last_number, numbering
from service.register.models import Document, FileRow
from service.render.engine import CompiledTemplate
from tests.dbfixtures import *  # noqa: F403  (the database fixtures)
from tests.dbfixtures import config_agencies, example_data, truncate_and_seed

pytestmark = pytest.mark.postgres

AGENCY, BOOK, YEAR = "bcd138-bimson", "van-ban-di", 2018


@pytest.fixture
def pg_url(pg_session_url: str) -> str:
    """The session's PostgreSQL database, emptied and seeded."""
    truncate_and_seed(pg_session_url)
    return pg_session_url


@pytest.fixture
def takes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Numbers taken under the row lock (the pessimistic path), in order."""
    taken: list[int] = []
    original = numbering.take

    def counting(*args: Any, **kwargs: Any) -> int:
        number = original(*args, **kwargs)
        taken.append(number)
        return number

    monkeypatch.setattr(numbering, "take", counting)
    return taken


def _issue(database: Database, **data: object) -> int:
    with database.session() as s:
        result = issue(s, template_id="ke-hoach", data=example_data("ke-hoach", **data), actor="t")
        return result.document.number


def _register(database: Database) -> list[int]:
    with database.session() as s:
        return list(s.scalars(select(Document.number).order_by(Document.number)))


def test_after_the_first_number_each_issue_claims_its_own(
    pg_url: str, make_database: Callable[[str], Database], takes: list[int]
) -> None:
    host = make_database(pg_url)
    assert [_issue(host) for _ in range(5)] == [1, 2, 3, 4, 5]
    # Only the year's first number needed the lock (its sequence row did not exist).
    assert takes == [1]
    with host.session() as s:
        assert last_number(s, AGENCY, BOOK, YEAR) == 5
        assert s.scalar(select(func.count()).select_from(FileRow)) == 5


def test_a_stale_prediction_misses_and_takes_the_next_number(
    pg_url: str,
    make_database: Callable[[str], Database],
    takes: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(numbering, "CONTENDED_SECONDS", 0.3)
    a, b = make_database(pg_url), make_database(pg_url)
    assert _issue(a) == 1  # first of the year: taken under the lock
    assert _issue(a) == 2  # a predicted 2: claimed
    assert _issue(b) == 3  # b read the sequence: claimed
    assert _issue(a) == 4  # a predicted 3: missed, then took 4 under the lock
    assert _issue(a) == 5  # the book counts as contended for a while: under the lock
    assert takes == [1, 4, 5]
    time.sleep(0.35)
    assert _issue(a) == 6  # calm again: a predicts 6 and claims it
    assert takes == [1, 4, 5]
    assert _register(a) == [1, 2, 3, 4, 5, 6]


def test_a_miss_gives_the_document_its_new_number_without_rendering_it_again(
    pg_url: str,
    make_database: Callable[[str], Database],
    takes: list[int],
    monkeypatch: pytest.MonkeyPatch,
    template_renders: list[str],
) -> None:
    a, b = make_database(pg_url), make_database(pg_url)
    assert [_issue(a), _issue(a), _issue(b)] == [1, 2, 3]
    template_renders.clear()
    assert _issue(a) == 4  # a rendered for 3, missed, then took 4 under the lock
    assert takes == [1, 4]
    assert template_renders == ["ke-hoach"]
    with a.session() as s:
        doc = s.scalars(select(Document).where(Document.number == 4)).one()
        stored = s.scalars(select(FileRow.content).where(FileRow.document_id == doc.id)).one()
    monkeypatch.undo()
    assert doc.symbol.startswith("04/KH-")
    expected = documents.render("ke-hoach", example_data("ke-hoach"), config_agencies(), number=4)
    assert stored == expected.content


def test_under_the_row_lock_the_documents_statement_also_commits(
    pg_url: str, make_database: Callable[[str], Database], takes: list[int]
) -> None:
    host = make_database(pg_url)
    with host.sessions() as s:
        # The year's first number: taken under the row lock, in a transaction of its own.
        doc = issue(s, template_id="ke-hoach", data=example_data("ke-hoach"), actor="t").document
        assert takes == [1]
        # The caller has not committed yet, and yet the document is in the register and
        # the sequence row free: the statement that wrote it committed in the same trip.
        with psycopg.connect(pg_url, autocommit=True) as other:
            locked = other.execute(
                "SELECT last_number FROM sequences WHERE agency_id = %s AND book_id = %s"
                " AND year = %s FOR UPDATE NOWAIT",
                (AGENCY, BOOK, YEAR),
            ).fetchone()
            found = other.execute("SELECT number FROM documents WHERE id = %s", (doc.id,))
            assert locked == (1,) and found.fetchone() == (1,)
        s.commit()
    assert _register(host) == [1]
    assert _issue(host) == 2


def test_an_open_transaction_of_the_caller_is_respected(
    pg_url: str, make_database: Callable[[str], Database], takes: list[int]
) -> None:
    host = make_database(pg_url)
    assert _issue(host) == 1
    with host.sessions() as s:
        s.execute(select(1))  # the caller's transaction is open: no autocommit claim
        issue(s, template_id="ke-hoach", data=example_data("ke-hoach"), actor="t")
        s.rollback()
    assert takes == [1, 2]
    assert _register(host) == [1]
    assert _issue(host) == 2


def test_render_failure_after_a_prediction_writes_nothing(
    pg_url: str, make_database: Callable[[str], Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    host = make_database(pg_url)
    assert _issue(host) == 1

    def broken(_self: Any, _context: Any) -> Any:
        raise RuntimeError("render blew up")

    monkeypatch.setattr(CompiledTemplate, "render_body", broken)
    with pytest.raises(RuntimeError):
        _issue(host)
    monkeypatch.undo()
    assert _issue(host) == 2
    assert _register(host) == [1, 2]


def _terminate_backends(url: str) -> int:
    """Kill the server side of every other connection to ``url``'s database."""
    name = url.rpartition("/")[2]
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
    return len(rows)


@pytest.fixture
def pg_app(pg_url: str, tmp_path: Any) -> Iterator[Flask]:
    instance = tmp_path / "instance"
    instance.mkdir()
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance), "DATABASE_URL": pg_url})
    yield app
    app.extensions["vanban.db"].dispose()


def _post(app: Flask) -> Any:
    body = {"template": "ke-hoach", "data": example_data("ke-hoach")}
    return app.test_client().post("/api/v1/documents", json=body)


def test_an_idle_connection_dropped_by_the_server_is_replaced(
    pg_app: Flask, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _post(pg_app).status_code == 201
    assert _terminate_backends(pg_url) >= 1
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)  # every pooled connection counts as idle
    response = _post(pg_app)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["number"] == 2


def test_a_busy_connection_lost_is_503_and_the_next_request_works(
    pg_app: Flask, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 3600.0)  # the pooled connection is trusted
    assert _post(pg_app).status_code == 201
    assert _terminate_backends(pg_url) >= 1
    lost = _post(pg_app)
    assert lost.status_code == 503
    assert lost.mimetype == "application/problem+json"
    assert lost.headers["Retry-After"] == "1"
    assert "Cơ sở dữ liệu" in lost.get_json()["detail"]
    again = _post(pg_app)
    assert again.status_code == 201, again.get_json()
    assert again.get_json()["number"] == 2  # the lost request took no number


def test_a_reply_made_for_a_missed_claim_is_dropped(
    pg_url: str, make_database: Callable[[str], Database], takes: list[int]
) -> None:
    a, b = make_database(pg_url), make_database(pg_url)
    assert _issue(a) == 1
    assert _issue(b) == 2  # a still predicts 2: its next claim misses
    replies: list[int] = []

    def reply(doc: Document) -> str:
        replies.append(doc.number)
        return f"reply for {doc.symbol}"

    with a.session() as s:
        result = issue(
            s, template_id="ke-hoach", data=example_data("ke-hoach"), actor="t", reply=reply
        )
        # Made while the missed claim was in flight (for 2), then again for 3.
        assert replies == [2, 3]
        assert result.document.number == 3
        assert result.reply == f"reply for {result.document.symbol}"
        in_session = [obj.number for obj in s.identity_map.values() if isinstance(obj, Document)]
        assert in_session == [3]  # the objects made for 2 were taken out again
    assert takes == [1, 3]
    assert _register(a) == [1, 2, 3]


def test_the_written_row_holds_the_values_sent(
    pg_url: str, make_database: Callable[[str], Database]
) -> None:
    host = make_database(pg_url)
    _issue(host)
    data = example_data("ke-hoach", summary="Kế hoạch “an toàn” – Đợt 2 ✓")
    with host.session() as s:
        doc = issue(s, template_id="ke-hoach", data=data, actor="t").document
        sent = (doc.id, doc.data, doc.files[0].sha256)
    with psycopg.connect(pg_url) as raw:
        row = raw.execute(
            "SELECT d.data, jsonb_typeof(d.data), f.sha256, length(f.content), a.detail"
            " FROM documents d JOIN files f ON f.document_id = d.id"
            " JOIN audit a ON a.document_id = d.id WHERE d.id = %s",
            (sent[0],),
        ).fetchone()
    assert row is not None
    assert row[0] == sent[1] and row[0]["summary"] == "Kế hoạch “an toàn” – Đợt 2 ✓"
    assert row[1] == "object"  # JSON stored as a document, not as a string
    assert row[2] == sent[2] and row[3] > 1000
    assert row[4]["sha256"] == {"docx": sent[2]} and row[4]["number"] == 2


def test_an_authenticated_issue_keeps_the_one_statement_path(
    pg_app: Flask, takes: list[int]
) -> None:
    from service.register import create_key

    pg_app.config["AUTH_REQUIRED"] = True
    with pg_app.app_context(), db.current().session() as session:
        key_id, plaintext = create_key(session, "clerk", [AGENCY])
    headers = {"Authorization": f"Bearer {plaintext}"}
    body = {"template": "ke-hoach", "data": example_data("ke-hoach")}
    client = pg_app.test_client()
    numbers = [client.post("/api/v1/documents", json=body, headers=headers) for _ in range(3)]
    assert [r.status_code for r in numbers] == [201, 201, 201]
    assert [r.get_json()["number"] for r in numbers] == [1, 2, 3]
    assert {r.get_json()["created_by"] for r in numbers} == {key_id}
    # The key was read outside the request's session: only the year's first number
    # needed the row lock, the others were claimed by the statement that wrote them.
    assert takes == [1]
    wrong = client.post("/api/v1/documents", json=body, headers={"Authorization": "Bearer vb_x"})
    assert wrong.status_code == 401
