"""Reachability of the real PostgreSQL and Redis servers the tests talk to.

When a server is unreachable a test skips with a loud reason, except under
``CI=true``, where that is a failure: CI must exercise the real servers.
"""

from __future__ import annotations

import os
import socket

import pytest

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require(name: str, host: str, port: int) -> None:
    """Skip (or fail under CI=true) when ``host:port`` does not answer."""
    if _reachable(host, port):
        return
    reason = f"!!! {name} at {host}:{port} is not reachable: test NOT run !!!"
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " (CI=true: a missing server is a failure)")
    pytest.skip(reason)


def require_redis() -> str:
    """The Redis URL for tests, after checking the server answers."""
    require("Redis", "127.0.0.1", 6379)
    return REDIS_URL


def require_postgres() -> str:
    """The PostgreSQL URL for tests, after checking the server answers."""
    require("PostgreSQL", "127.0.0.1", 5432)
    return POSTGRES_URL
