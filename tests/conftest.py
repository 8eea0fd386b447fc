"""Fixtures in the flaskr style: a fresh app per test, its client and CLI runner."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from service import create_app

TEMPLATE_IDS = [
    "ke-hoach",
    "quyet-dinh-thanh-lap",
    "quyet-dinh-cong-nhan",
    "bao-cao",
    "giay-cong-nhan",
]
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PROBLEM = "application/problem+json"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """An app with its own instance folder and SQLite database."""
    instance = tmp_path / "instance"
    instance.mkdir()
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": f"sqlite:///{instance / 'vanban.sqlite3'}",
        }
    )
    app.instance_path = str(instance)
    yield app


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
