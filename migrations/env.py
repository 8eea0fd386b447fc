"""Alembic environment: the URL comes from DATABASE_URL, or from the caller's connection."""

from __future__ import annotations

import logging.config

from alembic import context
from sqlalchemy import Connection, pool

from config import settings
from service.batches import models as batch_models  # noqa: F401  (the batch tables)
from service.db import Base, make_engine, normalise_url
from service.register import models  # noqa: F401  (registers the tables on Base)

config = context.config
# Only the command line configures logging; upgrade() from code keeps the app's logging.
if config.config_file_name is not None and not config.attributes.get("programmatic"):
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("url") or settings.load()["DATABASE_URL"]
    return normalise_url(url)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (``alembic upgrade head --sql``)."""
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=_url().startswith("sqlite"),
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the caller's connection, or on a new engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url(), poolclass=pool.NullPool)
    try:
        with engine.begin() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
