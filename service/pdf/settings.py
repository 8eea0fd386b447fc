"""Where LibreOffice and its Python are, and the pool's settings from the environment."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass

from config.settings import SettingsError
from service.errors import ConverterUnavailable

DEFAULT_PYTHON = "/usr/bin/python3"
SOFFICE_CANDIDATES = ("soffice", "libreoffice", "/usr/lib/libreoffice/program/soffice")


def find_soffice(configured: str | None = None) -> str | None:
    """The soffice executable: ``configured``, else ``VANBAN_SOFFICE``, else the first found."""
    chosen = configured or os.environ.get("VANBAN_SOFFICE")
    for candidate in [chosen] if chosen else SOFFICE_CANDIDATES:
        if found := shutil.which(candidate):
            return found
    return None


def find_python(configured: str | None = None) -> str | None:
    """The interpreter with ``import uno``: ``configured``, ``VANBAN_UNO_PYTHON`` or python3."""
    candidate = configured or os.environ.get("VANBAN_UNO_PYTHON") or DEFAULT_PYTHON
    found = shutil.which(candidate)
    return found if found and _has_uno(found) else None


@functools.cache
def _has_uno(python: str) -> bool:
    try:
        done = subprocess.run(
            [python, "-c", "import uno"], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def check(python: str | None = None, soffice: str | None = None) -> tuple[str, str]:
    """(python, soffice) ready to use, else ConverterUnavailable saying what is missing."""
    found_soffice = find_soffice(soffice)
    if found_soffice is None:
        raise ConverterUnavailable(
            "Chưa cài LibreOffice trên máy chủ (không tìm thấy lệnh soffice): "
            "không thể tạo tệp PDF. Hãy cài gói libreoffice-writer-nogui hoặc đặt VANBAN_SOFFICE."
        )
    found_python = find_python(python)
    if found_python is None:
        raise ConverterUnavailable(
            "Không tìm thấy Python có mô-đun uno của LibreOffice (gói python3-uno): "
            "không thể tạo tệp PDF. Hãy cài python3-uno hoặc đặt VANBAN_UNO_PYTHON."
        )
    return found_python, found_soffice


def available(python: str | None = None, soffice: str | None = None) -> bool:
    """Whether soffice and a Python with ``uno`` are installed."""
    try:
        check(python, soffice)
    except ConverterUnavailable:
        return False
    return True


def _positive_int(env: Mapping[str, str], name: str, default: int | None) -> int | None:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: expected a positive integer") from None
    if value <= 0:
        raise SettingsError(f"{name}={raw!r}: expected a positive integer")
    return value


def _positive_float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: expected a number of seconds") from None
    if value <= 0:
        raise SettingsError(f"{name}={raw!r}: expected a positive number of seconds")
    return value


@dataclass(frozen=True)
class PoolSettings:
    """Pool configuration; ``from_env`` reads the ``VANBAN_PDF_*`` variables loudly."""

    size: int | None = None
    timeout: float = 60.0
    max_conversions: int = 200
    python: str | None = None
    soffice: str | None = None
    chunk_size: int = 50

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PoolSettings:
        """Read ``VANBAN_PDF_POOL_SIZE``, ``_TIMEOUT``, ``_MAX_CONVERSIONS``, ``_CHUNK``."""
        env = os.environ if env is None else env
        return cls(
            size=_positive_int(env, "VANBAN_PDF_POOL_SIZE", None),
            timeout=_positive_float(env, "VANBAN_PDF_TIMEOUT", 60.0),
            max_conversions=_positive_int(env, "VANBAN_PDF_MAX_CONVERSIONS", 200) or 200,
            python=env.get("VANBAN_UNO_PYTHON") or None,
            soffice=env.get("VANBAN_SOFFICE") or None,
            chunk_size=_positive_int(env, "VANBAN_PDF_CHUNK", 50) or 50,
        )
