"""Fixtures in the flaskr style: a fresh app per test, its client and CLI runner."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from service import create_app
from service.register.setup import prepare_database
from service.render.engine import CompiledTemplate
from tests.dbfixtures import pg_admin_url, pg_session_url, truncate_and_seed  # noqa: F401

TEMPLATE_IDS = [
    "ke-hoach",
    "quyet-dinh-thanh-lap",
    "quyet-dinh-cong-nhan",
    "bao-cao",
    "giay-cong-nhan",
]
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PROBLEM = "application/problem+json"


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite database migrated to head and seeded once; tests get copies."""
    instance = tmp_path_factory.mktemp("template-instance")
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": f"sqlite:///{instance / 'vanban.sqlite3'}",
        }
    )
    prepare_database(app)
    app.extensions["vanban.db"].dispose()
    return instance / "vanban.sqlite3"


def _database_url(request: pytest.FixtureRequest, instance: Path) -> str:
    """SQLite (a copy of the migrated template) or, with VANBAN_TEST_DB=postgresql,
    the session's PostgreSQL database emptied and seeded for this test."""
    if os.environ.get("VANBAN_TEST_DB", "sqlite") == "postgresql":
        url: str = request.getfixturevalue("pg_session_url")
        truncate_and_seed(url)
        return url
    shutil.copyfile(request.getfixturevalue("migrated_sqlite"), instance / "vanban.sqlite3")
    return f"sqlite:///{instance / 'vanban.sqlite3'}"


@pytest.fixture
def app(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """An app with its own instance folder and a migrated, seeded database."""
    instance = tmp_path / "instance"
    instance.mkdir()
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": _database_url(request, instance),
        }
    )
    yield app
    app.extensions["vanban.db"].dispose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that run on the app's database, for the PostgreSQL pass."""
    for item in items:
        if "app" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.appdb)


@pytest.fixture
def template_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of the template each time a template's body is rendered (Jinja), in order."""
    renders: list[str] = []
    original = CompiledTemplate.render_body

    def counted(self: CompiledTemplate, context: dict[str, object]) -> str:
        renders.append(self.name)
        return original(self, context)

    monkeypatch.setattr(CompiledTemplate, "render_body", counted)
    return renders


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """The test client of ``app``."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """The CLI runner of ``app``; invoke ``service.cli.cli`` with it."""
    return app.test_cli_runner()


def docx_paragraphs(content: bytes) -> list[str]:
    """The text of every paragraph of a .docx (body and tables, in order)."""
    document = docx.Document(io.BytesIO(content))
    paragraphs = []
    for p in document.element.body.iter(qn("w:p")):
        paragraphs.append("".join(t.text or "" for t in p.iter(qn("w:t"))))
    return paragraphs


def docx_text(content: bytes) -> str:
    """All text of a .docx, one paragraph a line."""
    return "\n".join(docx_paragraphs(content))
