"""GET /healthz and the registry of health checks other subsystems add to."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, current_app

from service.api.errors import problem_response
from service.errors import ServiceUnavailable

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)

EXTENSION = "vanban.health"
Check = Callable[[], str]

OK = "ok"
DISABLED = "disabled"  # switched off by configuration, e.g. no PDF converter
NOT_CONFIGURED = "not_configured"  # the subsystem is not wired into this app yet
HEALTHY = frozenset({OK, DISABLED, NOT_CONFIGURED})


def register_check(app: Flask, name: str, check: Check) -> None:
    """Add or replace the check ``name``: it returns ``ok``/``disabled`` or says what is wrong."""
    app.extensions.setdefault(EXTENSION, {})[name] = check


def _not_configured() -> str:
    return NOT_CONFIGURED


def _pdf() -> str:
    # The PDF subsystem replaces this check when it registers its converter.
    return OK if current_app.extensions.get("vanban.pdf") else DISABLED


def init_app(app: Flask) -> None:
    """Install the placeholder checks that the real subsystems replace."""
    checks: dict[str, Check] = app.extensions.setdefault(EXTENSION, {})
    checks.setdefault("database", _not_configured)
    checks.setdefault("broker", _not_configured)
    checks.setdefault("pdf", _pdf)


def run_checks() -> dict[str, str]:
    """Run every registered check; a check that raises reports ``error``."""
    results: dict[str, str] = {}
    for name, check in current_app.extensions.get(EXTENSION, {}).items():
        try:
            results[name] = str(check())
        except Exception:  # a broken dependency must show up as a failing check
            log.exception("health check %s failed", name)
            results[name] = "error"
    return results


@bp.get("/healthz")
def healthz() -> dict[str, Any] | Response:
    """200 when every check passes, else 503 naming the failing ones."""
    checks = run_checks()
    failing = [name for name, status in checks.items() if status not in HEALTHY]
    if not failing:
        return {"status": OK, "checks": checks}
    problem = ServiceUnavailable(f"Không sẵn sàng: {', '.join(failing)}.").to_problem()
    problem.update({"failing": failing, "checks": checks})
    return problem_response(problem, {"Cache-Control": "no-store"})
