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
DETAILS = "vanban.health.details"
Check = Callable[[], str]
Detail = Callable[[], dict[str, Any]]

OK = "ok"
DISABLED = "disabled"  # switched off by configuration, e.g. no PDF converter
NOT_CONFIGURED = "not_configured"  # the subsystem is not wired into this app yet
HEALTHY = frozenset({OK, DISABLED, NOT_CONFIGURED})


def register_check(app: Flask, name: str, check: Check) -> None:
    """Add or replace the check ``name``: it returns ``ok``/``disabled`` or says what is wrong."""
    app.extensions.setdefault(EXTENSION, {})[name] = check


def register_detail(app: Flask, name: str, detail: Detail) -> None:
    """Add figures shown under ``details.<name>`` of /healthz (e.g. the PDF pool)."""
    app.extensions.setdefault(DETAILS, {})[name] = detail


def _not_configured() -> str:
    return NOT_CONFIGURED


def _pdf() -> str:
    # service.pdf.wiring replaces this check with the pdf workers' heartbeat.
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


def run_details() -> dict[str, Any]:
    """The registered details; one that raises is left out (its check says why)."""
    results: dict[str, Any] = {}
    for name, detail in current_app.extensions.get(DETAILS, {}).items():
        try:
            results[name] = detail()
        except Exception:  # the matching check reports the failure
            log.exception("health detail %s failed", name)
    return results


@bp.get("/healthz")
def healthz() -> dict[str, Any] | Response:
    """200 when every check passes, else 503 naming the failing ones."""
    checks = run_checks()
    failing = [name for name, status in checks.items() if status not in HEALTHY]
    details = run_details()
    if not failing:
        return {"status": OK, "checks": checks, **({"details": details} if details else {})}
    problem = ServiceUnavailable(f"Không sẵn sàng: {', '.join(failing)}.").to_problem()
    problem.update({"failing": failing, "checks": checks})
    if details:
        problem["details"] = details
    return problem_response(problem, {"Cache-Control": "no-store"})
