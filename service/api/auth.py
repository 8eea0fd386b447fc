"""API keys on /api/v1 (``Authorization: Bearer <key>``) and the agency scope of a request.

With ``AUTH_REQUIRED`` off (the embedded single-user default) every request
acts as ``local`` with full access. With it on, every /api/v1 endpoint but the
template catalogue needs a valid key; a clerk key reaches only its agencies.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, request

from service import db
from service.errors import Forbidden, Unauthorized
from service.register import authenticate, can_access
from service.register.models import ApiKey

log = logging.getLogger(__name__)

# Blueprints open to anyone: the template catalogue (health, docs and the
# OpenAPI document live outside /api/v1).
OPEN_BLUEPRINTS = frozenset({"templates"})
LOCAL_ACTOR = "local"


class MissingKey(Unauthorized):
    """No or a malformed Authorization header."""


def init_app(app: Flask) -> None:
    """Check the key of every /api/v1 request before its view runs."""
    app.before_request(_authenticate)
    if not app.config["AUTH_REQUIRED"]:
        log.warning(
            "AUTH_REQUIRED is off: single-user mode, every request acts as %r with full access",
            LOCAL_ACTOR,
        )


def _authenticate() -> None:
    g.api_key = None
    g.actor = LOCAL_ACTOR
    if not request.path.startswith("/api/v1/") or not current_app.config["AUTH_REQUIRED"]:
        return
    if request.blueprint in OPEN_BLUEPRINTS:
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise MissingKey("Cần khóa API: Authorization: Bearer <khóa>")
    with db.current().autocommit() as conn:
        key = authenticate(conn, token.strip())
    if key is None:
        raise Unauthorized("Khóa API không đúng hoặc đã bị thu hồi")
    g.api_key = key
    g.actor = key.id


def current_key() -> ApiKey | None:
    """The key of this request (None when auth is off)."""
    key: ApiKey | None = g.get("api_key")
    return key


def actor() -> str:
    """Who acts: the key id, or ``local`` in single-user mode."""
    return str(g.get("actor", LOCAL_ACTOR))


def require_agency(agency_id: str) -> None:
    """403 unless this request's key may use ``agency_id``."""
    key = current_key()
    if key is not None and not can_access(key, agency_id):
        raise Forbidden(f"Khóa API này không được dùng cho cơ quan {agency_id!r}")


def require_admin() -> None:
    """403 unless this request's key is an admin key."""
    key = current_key()
    if key is not None and key.role != "admin":
        raise Forbidden("Cần khóa quản trị (admin)")
