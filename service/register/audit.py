"""The audit trail: one row per issue, revoke, export, agency or key change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.register.models import AuditRow, utcnow


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """``value`` as aware UTC (SQLite hands back naive datetimes)."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 text of a UTC timestamp, or None."""
    aware = as_utc(value)
    return aware.isoformat().replace("+00:00", "Z") if aware else None


def values(
    actor: str,
    action: str,
    *,
    agency_id: str | None = None,
    document_id: str | None = None,
    detail: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The column values of a new audit row (all but the id)."""
    return {
        "at": at or utcnow(),
        "actor": actor,
        "action": action,
        "agency_id": agency_id,
        "document_id": document_id,
        "detail": detail,
    }


def record(
    session: Session,
    actor: str,
    action: str,
    *,
    agency_id: str | None = None,
    document_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditRow:
    """Add an audit row in the caller's transaction."""
    new = AuditRow(
        **values(actor, action, agency_id=agency_id, document_id=document_id, detail=detail)
    )
    session.add(new)
    return new


def audit_dict(row: AuditRow) -> dict[str, Any]:
    """The JSON shape of an audit row."""
    return {
        "at": iso(row.at),
        "actor": row.actor,
        "action": row.action,
        "agency": row.agency_id,
        "document": row.document_id,
        "detail": row.detail or {},
    }


def audit_for(session: Session, document_id: str) -> list[dict[str, Any]]:
    """The audit trail of one document, oldest first."""
    rows = session.scalars(
        select(AuditRow).where(AuditRow.document_id == document_id).order_by(AuditRow.id)
    )
    return [audit_dict(row) for row in rows]
