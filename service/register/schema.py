"""Schema management: Alembic upgrade from code, and the first seeding of agencies."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, pool, select
from sqlalchemy.orm import Session

from config.settings import ROOT
from service.agencies import Agency
from service.db import make_engine, normalise_url
from service.register.models import AgencyRow

log = logging.getLogger(__name__)

MIGRATIONS_DIR = ROOT / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic Config for ``url`` that keeps the caller's logging."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = normalise_url(url)
    config.attributes["programmatic"] = True
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Run ``alembic upgrade`` to ``revision`` on the database at ``url``."""
    log.info("upgrading database schema to %s", revision)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Run ``alembic downgrade`` to ``revision`` on the database at ``url``."""
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    """The newest revision of the migration scripts."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at (None when never migrated)."""
    engine = make_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def seed_agencies(session: Session, agencies: Iterable[Agency], actor: str = "system") -> int:
    """Store ``agencies`` when the agencies table is empty; return how many were added."""
    from service.register.agencies import put_agency

    if session.scalar(select(func.count()).select_from(AgencyRow)):
        return 0
    count = 0
    for agency in agencies:
        put_agency(session, agency, actor)
        count += 1
    log.info("seeded %d agencies", count)
    return count
