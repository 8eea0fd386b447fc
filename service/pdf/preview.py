"""PNG previews of PDF pages, rendered by poppler's pdftoppm at a chosen width."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from service.errors import ConversionFailed, ConverterUnavailable

log = logging.getLogger(__name__)

PREVIEW_TIMEOUT = 30.0


def page_png(pdf: bytes, page: int = 1, width: int = 800) -> bytes:
    """PNG image of 1-based ``page`` of ``pdf``, ``width`` pixels wide (height to scale)."""
    if page < 1 or width < 1:
        raise ValueError("page and width must be positive")
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise ConverterUnavailable("Chưa cài poppler-utils (không tìm thấy pdftoppm) để xem trước.")
    with tempfile.TemporaryDirectory(prefix="vanban-preview-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        cmd = [tool, "-png", "-f", str(page), "-l", str(page), "-singlefile"]
        cmd += ["-scale-to-x", str(width), "-scale-to-y", "-1", str(src), str(Path(tmp) / "out")]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=PREVIEW_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ConversionFailed("Tạo ảnh xem trước quá thời gian.") from exc
        out = Path(tmp) / "out.png"
        if done.returncode != 0 or not out.exists():
            log.warning("pdftoppm failed (%s): %s", done.returncode, done.stderr[-300:])
            raise ConversionFailed(f"Không tạo được ảnh xem trước trang {page}.")
        return out.read_bytes()
