"""Migrations and seeding on real SQLite and PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from service.agencies import Agency, Book
from service.db import Base, Database
from service.errors import UnknownAgency
from service.register import list_agencies, load_directory, put_agency, seed_agencies
from service.register.models import AuditRow
from service.register.schema import current_revision, downgrade, head_revision, upgrade
from tests.dbfixtures import *  # noqa: F403  (the database fixtures)
from tests.dbfixtures import config_agencies

TABLES = {"agencies", "books", "sequences", "documents", "files", "api_keys", "audit"}
TABLES |= {"batches", "batch_rows", "batch_files"}  # 0002
TABLES |= {"batch_merged"}  # 0005


def _tables(url: str) -> set[str]:
    db = Database(url)
    try:
        return set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    finally:
        db.dispose()


def test_upgrade_from_empty_creates_every_table(empty_db_url: str) -> None:
    assert current_revision(empty_db_url) is None
    upgrade(empty_db_url)
    assert _tables(empty_db_url) == TABLES
    assert current_revision(empty_db_url) == head_revision()
    upgrade(empty_db_url)  # a second upgrade is a no-op
    assert current_revision(empty_db_url) == head_revision()


def test_migrations_match_the_models(empty_db_url: str) -> None:
    """What the migrations build is what the models declare: tables, columns, types, keys."""
    import service.batches.models  # noqa: F401  (every table on Base.metadata)

    upgrade(empty_db_url)
    db = Database(empty_db_url)
    try:
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        db.dispose()


def test_downgrade_to_base_and_back(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    downgrade(empty_db_url, "base")
    assert _tables(empty_db_url) == set()
    upgrade(empty_db_url)
    assert _tables(empty_db_url) == TABLES


def test_unique_number_constraint_exists(db_url: str) -> None:
    db = Database(db_url)
    try:
        uniques = inspect(db.engine).get_unique_constraints("documents")
    finally:
        db.dispose()
    columns = {tuple(u["column_names"]) for u in uniques}
    assert ("agency_id", "book_id", "year", "number") in columns
    assert ("idempotency_scope", "idempotency_key") in columns


def test_seed_only_when_empty(database: Database) -> None:
    agencies = config_agencies().all()
    with database.session() as s:
        assert seed_agencies(s, agencies) == len(agencies)
    with database.session() as s:
        assert seed_agencies(s, agencies[:1]) == 0
        assert [a.id for a in list_agencies(s)] == [a.id for a in agencies]


def test_directory_round_trips_agencies(seeded: Database) -> None:
    with seeded.session() as s:
        directory = load_directory(s)
    for agency in config_agencies().all():
        assert directory.get(agency.id) == agency
    with pytest.raises(UnknownAgency):
        directory.get("khong-co")


def test_put_agency_creates_then_replaces_books(seeded: Database) -> None:
    new = Agency(
        id="ubnd-ha-lan",
        name="ỦY BAN NHÂN DÂN XÃ HÀ LAN",
        abbreviation="UBND",
        place="Hà Lan",
        books=[Book(id="van-ban-di", name="Sổ văn bản đi", types=["*"])],
    )
    with seeded.session() as s:
        assert put_agency(s, new, "admin") is True
    replaced = new.model_copy(
        update={
            "name": "ỦY BAN NHÂN DÂN XÃ HÀ LAN MỚI",
            "books": [
                Book(id="giay-cong-nhan", name="Sổ cấp giấy công nhận", types=["GCN"]),
                Book(id="van-ban-di", name="Sổ văn bản đi", types=["*"]),
            ],
        }
    )
    with seeded.session() as s:
        assert put_agency(s, replaced, "admin") is False
    with seeded.session() as s:
        stored = load_directory(s).get("ubnd-ha-lan")
        actions = s.scalars(
            select(AuditRow.action).where(AuditRow.agency_id == "ubnd-ha-lan").order_by(AuditRow.id)
        ).all()
    assert stored == replaced
    assert [b.id for b in stored.books] == ["giay-cong-nhan", "van-ban-di"]
    assert actions == ["agency.create", "agency.replace"]


@pytest.mark.postgres
def test_file_contents_are_stored_without_compression(pg_session_url: str) -> None:
    # 0004 (0005 for merged.pdf): .docx and PDF are compressed already; TOAST must not
    # try pglz on them.
    with psycopg.connect(pg_session_url) as conn:
        rows = conn.execute(
            "SELECT c.relname, a.attstorage FROM pg_attribute a"
            " JOIN pg_class c ON c.oid = a.attrelid"
            " WHERE c.relname IN ('files', 'batch_files', 'batch_merged')"
            " AND a.attname = 'content'"
        ).fetchall()
    assert dict(rows) == {"files": "e", "batch_files": "e", "batch_merged": "e"}
