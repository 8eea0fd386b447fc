"""``vanban batch``: one sheet of rows → one batch of documents, with a progress bar.

Embedded (default): the batch goes through the same domain function as the
API and through Celery on the app's broker; a worker runs in this process
(``--no-worker`` leaves the work to one already running, e.g. ``bin/run``'s).
``--server URL`` uploads the sheet to a running vanban instead and polls it.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from service.errors import VanbanError

POLL_SECONDS = 0.3


@click.command("batch")
@click.argument("template")
@click.argument("rows_file", metavar="ROWS.xlsx|ROWS.csv", type=click.Path(exists=True))
@click.option(
    "--common",
    "common_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Tệp JSON dữ liệu chung cho mọi dòng.",
)
@click.option("--issue", is_flag=True, help="Vào sổ: cấp số liên tiếp cho các dòng.")
@click.option("--parent", help="Mã văn bản căn cứ đã ban hành (quyết định công nhận).")
@click.option("--formats", default="docx", show_default=True, help="Định dạng, ví dụ docx.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Tệp .zip ghi ra.")
@click.option("--server", help="Địa chỉ máy chủ vanban đang chạy, ví dụ http://127.0.0.1:8000.")
@click.option("--key", envvar="VANBAN_API_KEY", help="Khóa API (hoặc biến VANBAN_API_KEY).")
@click.option("--worker/--no-worker", default=True, help="Chạy worker trong tiến trình này.")
@click.option("--timeout", default=3600, show_default=True, help="Chờ tối đa (giây).")
@with_appcontext
def batch_command(
    template: str,
    rows_file: str,
    common_file: str | None,
    issue: bool,
    parent: str | None,
    formats: str,
    output: str | None,
    server: str | None,
    key: str | None,
    worker: bool,
    timeout: int,
) -> None:
    """Tạo một đợt văn bản từ tệp Excel/CSV ROWS (mỗi dòng một văn bản), ghi tệp .zip."""
    from service.cli import _fail, _read_json

    common = _read_json(common_file) if common_file else {}
    fields = {
        "template": template,
        "common": json.dumps(common, ensure_ascii=False),
        "issue": "true" if issue else "false",
        "formats": formats,
        "parent": parent or "",
    }
    client: Client = Remote(server, key) if server else Embedded(current_app, worker)
    try:
        with client.running():
            batch = client.submit(fields, Path(rows_file))
            click.echo(
                f"Đợt {batch['id']}: {batch['total']} dòng"
                + (f", từ số {batch['first_number']}" if batch.get("first_number") else ""),
                err=True,
            )
            final = _wait(client.status, batch["id"], int(batch["total"]), timeout)
            name, content = client.archive(batch["id"])
    except VanbanError as exc:
        _fail(exc)
    target = Path(output or name)
    target.write_bytes(content)
    for err in final.get("errors", []):
        click.echo(f"  - {err['msg']}", err=True)
    click.echo(f"{final['status']}: {final['done']} văn bản, {final['failed']} lỗi → {target}")
    if final["failed"]:
        raise click.exceptions.Exit(1)


def _wait(
    status: Callable[[str], dict[str, Any]], batch_id: str, total: int, timeout: int
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    shown = 0
    with click.progressbar(length=total, label="Đang tạo văn bản", file=sys.stderr) as bar:
        while True:
            body = status(batch_id)
            finished = int(body["done"]) + int(body["failed"])
            bar.update(finished - shown)
            shown = finished
            if body["status"] in ("done", "failed"):
                return body
            if time.monotonic() > deadline:
                raise click.ClickException(f"Hết thời gian chờ đợt {batch_id}")
            time.sleep(POLL_SECONDS)


class Client:
    """Where a batch runs: this process's app, or a server over HTTP."""

    def running(self) -> Any:
        """A context during which the batch can make progress."""
        return nullcontext()

    def submit(self, fields: dict[str, str], path: Path) -> dict[str, Any]:
        """Create the batch; its id, total and first number."""
        raise NotImplementedError

    def status(self, batch_id: str) -> dict[str, Any]:
        """The batch object."""
        raise NotImplementedError

    def archive(self, batch_id: str) -> tuple[str, bytes]:
        """The archive's name and bytes."""
        raise NotImplementedError


class Embedded(Client):
    """The batch goes through this app's database and broker; a worker runs in-process."""

    def __init__(self, app: Flask, worker: bool):
        self.app, self.worker = app, worker

    @contextmanager
    def running(self) -> Iterator[None]:
        """Start a Celery worker thread on the bulk and maintenance queues."""
        if not self.worker:
            yield
            return
        from celery.contrib.testing.worker import start_worker

        import workers.batches  # noqa: F401  (registers the batches.* tasks)

        celery_app = self.app.extensions["celery"]
        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            loglevel="WARNING",
            queues=["bulk", "maintenance"],
            shutdown_timeout=60,
        ):
            yield

    def submit(self, fields: dict[str, str], path: Path) -> dict[str, Any]:
        """Read the sheet and create the batch as POST /api/v1/batches does."""
        from service import db
        from service.batches.create import NewBatch, create_batch
        from service.batches.dispatch import enqueue
        from service.batches.fields import coerce
        from service.batches.upload import read_upload
        from service.register import load_directory

        max_rows = int(self.app.config["BATCH_MAX_ROWS"])
        sheet = read_upload(path.read_bytes(), path.name, "", max_rows)
        template = fields["template"]
        new = NewBatch(
            template=template,
            rows=[coerce(template, r) for r in sheet.rows],
            common=json.loads(fields["common"]),
            issue=fields["issue"] == "true",
            formats=tuple(f.strip() for f in fields["formats"].split(",") if f.strip()),
            parent=fields["parent"] or None,
            source=path.name,
            lines=sheet.lines,
        )
        with db.current().session() as session:
            batch = create_batch(
                session, new, directory=load_directory(session), actor="cli", max_rows=max_rows
            )
            created = {"id": batch.id, "total": batch.total, "first_number": batch.first_number}
        enqueue("batches.dispatch", created["id"])
        return created

    def status(self, batch_id: str) -> dict[str, Any]:
        """The batch object, read from the database."""
        from service import db
        from service.batches.views import batch_dict, get_batch

        with db.current().read_sessions() as session:
            return batch_dict(session, get_batch(session, batch_id))

    def archive(self, batch_id: str) -> tuple[str, bytes]:
        """The ZIP built from the database."""
        from service import db
        from service.batches.archive import archive_name, build_archive
        from service.batches.views import get_batch

        with db.current().read_sessions() as session:
            batch = get_batch(session, batch_id)
            with build_archive(session, batch) as spool:
                return archive_name(batch), spool.read()


class Remote(Client):
    """A running vanban server, over its HTTP API."""

    def __init__(self, server: str, key: str | None):
        self.base, self.key = server.rstrip("/"), key

    def _call(
        self, method: str, path: str, body: bytes | None = None, content_type: str | None = None
    ) -> tuple[bytes, Any]:
        request = urllib.request.Request(self.base + path, data=body, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        if self.key:
            request.add_header("Authorization", f"Bearer {self.key}")
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.read(), response.headers
        except urllib.error.HTTPError as exc:
            raise _problem(exc) from None
        except urllib.error.URLError as exc:
            raise click.ClickException(f"Không kết nối được {self.base}: {exc.reason}") from None

    def submit(self, fields: dict[str, str], path: Path) -> dict[str, Any]:
        """Upload the sheet as multipart form-data."""
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
            if v
        ]
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        body = (
            b"".join(parts) + head.encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
        )
        raw, _ = self._call(
            "POST", "/api/v1/batches", body, f"multipart/form-data; boundary={boundary}"
        )
        created: dict[str, Any] = json.loads(raw)
        return created

    def status(self, batch_id: str) -> dict[str, Any]:
        """GET /api/v1/batches/{id}."""
        raw, _ = self._call("GET", f"/api/v1/batches/{batch_id}")
        body: dict[str, Any] = json.loads(raw)
        return body

    def archive(self, batch_id: str) -> tuple[str, bytes]:
        """GET /api/v1/batches/{id}/archive."""
        raw, headers = self._call("GET", f"/api/v1/batches/{batch_id}/archive")
        disposition = headers.get("Content-Disposition", "")
        name = disposition.split('filename="', 1)[-1].split('"', 1)[0] or f"{batch_id}.zip"
        return name, raw


def _problem(exc: urllib.error.HTTPError) -> VanbanError:
    """A server's problem+json as a VanbanError for the CLI's error printer."""
    try:
        body = json.loads(exc.read())
    except (ValueError, OSError):
        body = {}
    error = VanbanError(str(body.get("detail") or exc.reason), errors=body.get("errors"))
    error.status = int(body.get("status") or exc.code)
    error.title = str(body.get("title") or f"HTTP {exc.code}")
    return error
