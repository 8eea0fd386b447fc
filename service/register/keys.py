"""API keys: a random secret shown once, only its SHA-256 stored; role and agencies."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Table, bindparam, select
from sqlalchemy.orm import Session, make_transient_to_detached

from service.db import fetch_all
from service.errors import InvalidData, NotFound, UnknownAgency
from service.register import audit
from service.register.models import ROLES, AgencyRow, ApiKey, utcnow
from service.vn import nfc

KEY_PREFIX = "vb_"
PREFIX_LENGTH = 11  # "vb_" and 8 characters of the secret: shown in listings, used to look up


def hash_key(plaintext: str) -> str:
    """The SHA-256 (hex) of a key."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def create_key(
    session: Session,
    role: str,
    agencies: Iterable[str] = (),
    *,
    label: str | None = None,
    actor: str = "system",
) -> tuple[str, str]:
    """Create a key; return ``(key_id, plaintext)``. The plaintext is never stored."""
    agency_ids = list(dict.fromkeys(agencies))
    if role not in ROLES:
        raise InvalidData([{"loc": ["role"], "msg": "Vai trò phải là clerk hoặc admin"}])
    if role == "clerk" and not agency_ids:
        raise InvalidData([{"loc": ["agencies"], "msg": "Khóa văn thư cần ít nhất một cơ quan"}])
    for agency_id in agency_ids:
        if session.get(AgencyRow, agency_id) is None:
            raise UnknownAgency(f"Không có cơ quan mã {agency_id!r}")
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        id=secrets.token_hex(8),
        prefix=plaintext[:PREFIX_LENGTH],
        key_hash=hash_key(plaintext),
        role=role,
        agencies=agency_ids,
        label=label,
    )
    session.add(key)
    session.flush()
    audit.record(
        session,
        actor,
        "key.create",
        detail={"key": key.id, "role": role, "agencies": agency_ids, "label": label},
    )
    return key.id, plaintext


# Every live-key look-up runs this one statement (built once: it is on every request).
_KEYS: Table = ApiKey.__table__  # type: ignore[assignment]
_BY_PREFIX = select(*_KEYS.columns).where(_KEYS.c.prefix == bindparam("prefix"))


@dataclass(frozen=True)
class _Lookup:
    """``_BY_PREFIX`` compiled for one dialect's driver, and how to read its rows."""

    sql: str
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]

    def mapping(self, row: Sequence[Any]) -> dict[str, Any]:
        return {
            name: value if process is None or value is None else process(value)
            for name, process, value in zip(self.names, self.processors, row, strict=True)
        }


# Per dialect (one per engine), not kept alive by the cache, as service.register.writing.
_LOOKUPS: weakref.WeakKeyDictionary[Dialect, _Lookup] = weakref.WeakKeyDictionary()


def _lookup(dialect: Dialect) -> _Lookup:
    found = _LOOKUPS.get(dialect)
    if found is None:
        columns = list(_KEYS.columns)
        processors = tuple(
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns
        )
        sql = _BY_PREFIX.compile(dialect=dialect).string
        found = _LOOKUPS[dialect] = _Lookup(sql, tuple(c.name for c in columns), processors)
    return found


def _rows_by_prefix(db: Session | Connection, prefix: str) -> list[Mapping[str, Any]]:
    if isinstance(db, Connection) and db.dialect.name == "postgresql":
        # The API's read of every request: on the driver (service.db.fetch_all).
        lookup = _lookup(db.dialect)
        return [lookup.mapping(row) for row in fetch_all(db, lookup.sql, {"prefix": prefix})]
    return [dict(row._mapping) for row in db.execute(_BY_PREFIX, {"prefix": prefix})]


def authenticate(db: Session | Connection, plaintext: str | None) -> ApiKey | None:
    """The live key whose secret is ``plaintext``, else None (hashes compared in constant time).

    Read on ``db`` (a session or a connection: the API reads it on its own
    autocommit connection, once per request, with the driver's cursor on
    PostgreSQL) and returned detached, every column loaded.
    """
    if not plaintext or not plaintext.startswith(KEY_PREFIX):
        return None
    digest = hash_key(plaintext)
    found = None
    for row in _rows_by_prefix(db, plaintext[:PREFIX_LENGTH]):
        if hmac.compare_digest(row["key_hash"], digest) and row["revoked_at"] is None:
            found = row
    if found is None:
        return None
    key = ApiKey(**found)
    make_transient_to_detached(key)
    return key


def can_access(key: ApiKey, agency_id: str) -> bool:
    """Whether ``key`` may issue into and read the registers of ``agency_id``."""
    return key.role == "admin" or agency_id in (key.agencies or [])


def find_key(session: Session, id_or_key: str) -> ApiKey:
    """The key with this id, or whose secret this is (revoked ones too); 404 otherwise.

    An operator who holds only a leaked secret, not its id, can still name it.
    """
    text = id_or_key.strip()
    key = session.get(ApiKey, text) if text else None
    if key is None and text.startswith(KEY_PREFIX):
        key = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(text)))
    if key is None:
        shown = text if not text.startswith(KEY_PREFIX) else text[:PREFIX_LENGTH] + "…"
        raise NotFound(f"Không có khóa {shown!r}")
    return key


def revoke_key(
    session: Session, key_id: str, actor: str = "system", reason: str | None = None
) -> ApiKey:
    """Switch a key off; it no longer authenticates, from the next request on.

    ``key_id`` is the key's id or its secret (``find_key``). Revoking a revoked
    key changes nothing and records nothing.
    """
    key = find_key(session, key_id)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        detail = {"key": key.id, "role": key.role, "agencies": list(key.agencies or [])}
        if reason and reason.strip():
            detail["reason"] = nfc(reason.strip())
        audit.record(session, actor, "key.revoke", detail=detail)
    return key


def list_keys(session: Session) -> list[ApiKey]:
    """Every key, newest first (hashes only)."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc())))
