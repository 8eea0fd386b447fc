"""Settings read from the environment, parsed loudly.

Every variable has an embedded default that runs without external services
(SQLite under ``instance/``, no Redis). A malformed value stops start-up with a
message naming the variable: no silent fallback.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = ROOT / "instance"


class SettingsError(RuntimeError):
    """A configuration variable holds a value we cannot use."""


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true/false")


def _size(raw: str) -> int:
    """Parse a byte size such as ``4194304``, ``4MB``, ``512KB``."""
    value = raw.strip().upper().removesuffix("B")
    factor = 1
    for suffix, mult in (("K", 1024), ("M", 1024**2), ("G", 1024**3)):
        if value.endswith(suffix):
            value, factor = value[: -len(suffix)], mult
            break
    number = int(value)
    if number <= 0:
        raise ValueError("must be positive")
    return number * factor


def _positive_int(raw: str) -> int:
    number = int(raw)
    if number <= 0:
        raise ValueError("must be positive")
    return number


def _url(raw: str) -> str:
    value = raw.strip()
    if "://" not in value:
        raise ValueError("expected a URL such as postgresql://user@host:5432/db")
    return value


def _path(raw: str) -> str:
    value = raw.strip()
    if not value:
        raise ValueError("empty path")
    return value


def _log_level(raw: str) -> str:
    value = raw.strip().upper()
    if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError("expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return value


def default_database_url() -> str:
    """The embedded default: an SQLite file under ``instance/``."""
    return f"sqlite:///{INSTANCE_DIR / 'vanban.sqlite3'}"


# name -> (parser, default); the config key equals the variable name.
VARIABLES: dict[str, tuple[Callable[[str], Any], Any]] = {
    "DATABASE_URL": (_url, None),  # None: default_database_url()
    "REDIS_URL": (_url, None),  # None: embedded broker, no Redis needed
    "MAX_CONTENT_LENGTH": (_size, 4 * 1024 * 1024),
    "AUTH_REQUIRED": (_bool, False),
    "AGENCIES_FILE": (_path, str(ROOT / "config" / "agencies.yaml")),
    "LOG_LEVEL": (_log_level, "INFO"),
    "BATCH_MAX_ROWS": (_positive_int, 5000),
    "BATCH_CHUNK_ROWS": (_positive_int, 25),  # rows one batches.render_rows task renders
    "BATCH_STALL_SECONDS": (_positive_int, 60),  # no progress this long: the sweeper re-enqueues
    "BATCH_PDF_CHUNK": (_positive_int, 100),  # documents one pdf.convert_documents task converts
    "BATCH_PREVIEW_DAYS": (_positive_int, 14),  # finished previews are deleted after this
}


def load(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the settings, defaults overlaid with the environment."""
    env = os.environ if environ is None else environ
    settings: dict[str, Any] = {}
    problems: list[str] = []
    for name, (parse, default) in VARIABLES.items():
        raw = env.get(name)
        if raw is None or raw == "":
            settings[name] = default
            continue
        try:
            settings[name] = parse(raw)
        except ValueError as exc:
            problems.append(f"{name}={raw!r}: {exc}")
    if problems:
        raise SettingsError("invalid configuration: " + "; ".join(problems))
    if settings["DATABASE_URL"] is None:
        settings["DATABASE_URL"] = default_database_url()
    return settings
