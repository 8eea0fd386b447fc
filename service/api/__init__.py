"""The HTTP API: one blueprint per resource, errors as application/problem+json."""

from __future__ import annotations

from flask import Flask

from service.api import (
    agencies,
    auth,
    batches,
    check,
    docs,
    documents,
    errors,
    health,
    pdf,
    registers,
    render,
    templates,
)


def init_app(app: Flask) -> None:
    """Register the API blueprints, the error handlers and the health checks."""
    # Vietnamese stays readable in JSON bodies (still valid UTF-8 JSON).
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    errors.init_app(app)
    health.init_app(app)
    auth.init_app(app)
    for module in (templates, render, check, health, docs, documents, pdf, registers, agencies):
        app.register_blueprint(module.bp)
    app.register_blueprint(batches.bp)
