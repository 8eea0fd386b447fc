"""The one POST of a finished batch's final state to its ``callback_url``.

A send is claimed first (``callback_claimed_at``, a guarded UPDATE), so two
tasks or a task and a sweep never both post; it is marked sent after a 2xx.
Network errors and 5xx/408/429 answers are transient: the claim is released
and the task retries with backoff. Other 4xx answers are final and recorded.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import urllib.error
import urllib.request
from typing import Any

from sqlalchemy import and_, or_, update

from service.batches.models import Batch
from service.batches.views import batch_dict
from service.db import Database
from service.register.models import utcnow

log = logging.getLogger(__name__)

TIMEOUT = 10.0
CLAIM_SECONDS = 120  # a claim older than this belongs to a dead worker
RETRY_STATUSES = frozenset({408, 425, 429})


class CallbackFailed(Exception):
    """A transient failure to deliver the callback: retry later."""


class CallbackUnusable(Exception):
    """A URL the HTTP client refuses (stored before it was checked): never deliverable."""


def claim(database: Database, batch_id: str) -> tuple[str, dict[str, Any]] | None:
    """Claim the callback of a finished batch; (url, body) when this caller must send it."""
    now = utcnow()
    stale = now - dt.timedelta(seconds=CLAIM_SECONDS)
    with database.session() as session:
        result = session.execute(
            update(Batch)
            .where(
                and_(
                    Batch.id == batch_id,
                    Batch.status.in_(("done", "failed")),
                    Batch.callback_url.is_not(None),
                    Batch.callback_sent_at.is_(None),
                    Batch.callback_error.is_(None),
                    or_(Batch.callback_claimed_at.is_(None), Batch.callback_claimed_at < stale),
                )
            )
            .values(callback_claimed_at=now)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return None
        batch = session.get(Batch, batch_id)
        assert batch is not None and batch.callback_url
        return batch.callback_url, batch_dict(session, batch)


def post(url: str, body: dict[str, Any], batch_id: str) -> int:
    """POST ``body`` as JSON; the HTTP status, or CallbackFailed when worth retrying."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    try:
        request = urllib.request.Request(
            url,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": "vanban-batches"},
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        if exc.code >= 500 or exc.code in RETRY_STATUSES:
            raise CallbackFailed(f"HTTP {exc.code}") from exc
        return int(exc.code)
    except (urllib.error.URLError, OSError) as exc:
        raise CallbackFailed(str(getattr(exc, "reason", exc))) from exc
    except (http.client.InvalidURL, ValueError) as exc:  # a bad port or host: for good
        raise CallbackUnusable("địa chỉ callback không hợp lệ") from exc


def settle(database: Database, batch_id: str, status: int | None, error: str | None) -> None:
    """Record the outcome: sent (2xx), refused for good (other 4xx), or released to retry."""
    values: dict[str, Any]
    if status is not None and 200 <= status < 300:
        values = {"callback_sent_at": utcnow(), "callback_error": None}
    elif status is not None:
        values = {"callback_error": f"Địa chỉ callback trả lời HTTP {status}"}
    else:
        values = {"callback_claimed_at": None, "callback_error": None}
    with database.session() as session:
        session.execute(update(Batch).where(Batch.id == batch_id).values(**values))
    log.info("batch %s callback: status %s %s", batch_id, status, error or "")


def give_up(database: Database, batch_id: str, error: str) -> None:
    """Stop trying after the last retry, keeping the reason."""
    with database.session() as session:
        session.execute(
            update(Batch)
            .where(Batch.id == batch_id)
            .values(callback_error=f"Không gửi được callback: {error}")
        )
    log.error("batch %s callback abandoned: %s", batch_id, error)
