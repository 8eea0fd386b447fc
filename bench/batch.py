"""Bulk issuing speed: 1,000 giay-cong-nhan certificates, issued, end to end through the API.

The README's production setup on this machine (bench/stack.py): PostgreSQL,
Redis, gunicorn serving ``service:create_app()`` (2 workers), one Celery
worker with 2 processes (``--concurrency 2``) and beat. The clock runs from POST
/api/v1/batches to the last byte of GET …/archive (1,000 numbered .docx
stored and zipped). Beside it, in the same run, a naive loop of docxtpl
renders of the same template (``DocxTemplate(path).render(ctx).save()``).
Target: <= 15 s (>= 66 rows/s).

    .venv/bin/python bench/batch.py [--rows N] [--naive N] [--record]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stack import call, production_stack, record

from config.settings import ROOT
from service import documents, templates
from service.agencies import AgencyDirectory

TARGET_S = 15.0


def _rows(count: int) -> list[dict[str, Any]]:
    return [
        {"unit": {"name": f"Khu dân cư số {i}", "address": "Phường Bắc Sơn, thị xã Bỉm Sơn"}}
        for i in range(1, count + 1)
    ]


def _common() -> dict[str, Any]:
    data = templates.get("giay-cong-nhan").example()
    data.pop("unit")
    return data


def _run_batch(base: str, count: int) -> tuple[float, int]:
    """POST the batch, poll it, download the ZIP; (seconds, files in the ZIP)."""
    start = time.perf_counter()
    body = {"template": "giay-cong-nhan", "common": _common(), "rows": _rows(count), "issue": True}
    created = call(f"{base}/api/v1/batches", body)
    while True:
        state = call(f"{base}/api/v1/batches/{created['id']}")
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    archive = call(f"{base}{state['archive']}")
    elapsed = time.perf_counter() - start
    assert state["done"] == count and state["failed"] == 0, state
    return elapsed, len(zipfile.ZipFile(io.BytesIO(archive)).namelist())


def _naive(count: int) -> float:
    """A loop of plain docxtpl renders of the same certificate, one per unit."""
    agencies = AgencyDirectory.from_file(ROOT / "config" / "agencies.yaml")
    spec = templates.get("giay-cong-nhan")
    start = time.perf_counter()
    for i, row in enumerate(_rows(count), 1):
        data = {**_common(), **row}
        prepared = documents.prepare(spec.id, data, agencies, number=i)
        ctx = documents.common_context(prepared)
        ctx.update(spec.module.context(prepared))
        tpl = DocxTemplate(str(spec.docx_path))
        tpl.render(ctx, autoescape=True)
        tpl.save(io.BytesIO())
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Start the production setup, time the batch and the naive loop, print Markdown."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--naive", type=int, default=1000, help="naive renders to time")
    parser.add_argument("--record", action="store_true", help="write bench/RESULTS.md")
    args = parser.parse_args(argv)
    with production_stack() as base:
        _run_batch(base, 50)  # warm-up: templates compiled in both worker processes
        seconds, files = _run_batch(base, args.rows)
    naive = _naive(args.naive)
    naive_total = naive * args.rows / args.naive
    rate = args.rows / seconds
    ok = seconds <= TARGET_S * args.rows / 1000
    lines = [
        "| setup | rows | total s | rows/s |",
        "|---|---:|---:|---:|",
        f"| batch via API (gunicorn 2, celery -c 2, PostgreSQL, Redis), stored + zipped "
        f"| {args.rows} | {seconds:.2f} | {rate:.1f} |",
        f"| naive docxtpl loop, render only (timed {args.naive}) | {args.rows} "
        f"| {naive_total:.2f} | {args.rows / naive_total:.1f} |",
        "",
        f"{files} files in the archive; target: {args.rows} certificates in <= "
        f"{TARGET_S * args.rows / 1000:.0f} s (>= 66 rows/s): {'met' if ok else 'NOT met'}",
    ]
    print("\n".join(lines))
    if args.record:
        command = f".venv/bin/python bench/batch.py --rows {args.rows}"
        record("bench/batch.py (issue: bulk issuing on Celery)", command, lines)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
