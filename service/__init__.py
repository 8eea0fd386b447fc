"""vanban: Vietnamese official documents per Nghị định 30/2020/NĐ-CP."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import Any

from flask import Flask

from config import settings


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app: defaults, then the environment, then ``test_config``."""
    instance = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("VANBAN_INSTANCE_PATH")
    app = Flask(__name__, instance_path=str(instance or settings.INSTANCE_DIR))
    app.config.from_mapping(settings.load())
    app.config.from_prefixed_env("VANBAN")
    if test_config:
        app.config.update(test_config)
    _init_logging(app)

    from service import agencies, api, db, queue
    from service.api.health import register_check
    from service.pdf import wiring as pdf_wiring

    db.init_app(app)
    agencies.init_app(app)
    queue.init_app(app)
    api.init_app(app)
    pdf_wiring.init_app(app)
    register_check(app, "broker", queue.broker_check)
    register_check(app, "database", db.database_check)
    return app


def _init_logging(app: Flask) -> None:
    root = logging.getLogger()
    if not any(getattr(h, "_vanban", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._vanban = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
