"""A batch end to end on the real Redis broker with a real in-process worker."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import redis

from service import create_app
from service.register.setup import prepare_database
from tests.batch_helpers import post_certificates, wait_done, worker
from tests.services import require_redis


@pytest.mark.redis
def test_batch_on_redis(tmp_path: Path) -> None:
    url = require_redis()
    redis.Redis.from_url(url).flushdb()
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'vanban.sqlite3'}",
            "REDIS_URL": url,
        }
    )
    prepare_database(app)
    client = app.test_client()
    try:
        with worker(app):
            body = post_certificates(client, 60)
            final = wait_done(client, body["id"])
        assert (final["status"], final["done"], final["failed"]) == ("done", 60, 0)
        names = zipfile.ZipFile(io.BytesIO(client.get(final["archive"]).data)).namelist()
        assert names[0] == "0001-01-GCN-UBND.docx" and names[-1] == "0060-60-GCN-UBND.docx"
    finally:
        app.extensions["vanban.db"].dispose()
