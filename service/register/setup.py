"""Bring a database to the current schema and seed its agencies from configuration."""

from __future__ import annotations

import logging
from typing import Any

from service import db
from service.register.schema import seed_agencies, upgrade

log = logging.getLogger(__name__)


def prepare_database(app: Any) -> int:
    """Upgrade the app's database to head; seed agencies when it has none."""
    from service import agencies

    database: db.Database = app.extensions["vanban.db"]
    upgrade(database.url)
    with app.app_context(), database.session() as session:
        return seed_agencies(session, agencies.seed().all())
