"""The request body of POST /api/v1/batches (JSON), validated once at the boundary."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, field_validator

from service.schemas import Model

MAX_CALLBACK_URL = 2000
# A host name (letters of any script, digits, dots, hyphens) or an IP address.
_HOST = re.compile(r"[\w.-]+|[0-9a-fA-F:.]+")


class BatchRequest(Model):
    """A bulk request: every row merged over ``common`` becomes one document."""

    template: str = Field(description="Mã mẫu văn bản, ví dụ: giay-cong-nhan")
    common: dict[str, Any] = Field(
        default_factory=dict, description="Dữ liệu chung, các dòng ghi đè lên"
    )
    rows: list[dict[str, Any]] = Field(description="Mỗi dòng là dữ liệu của một văn bản")
    issue: bool = Field(
        default=False, description="true: vào sổ, cấp số liên tiếp; false: chỉ tạo bản xem trước"
    )
    formats: list[str] = Field(
        default_factory=lambda: ["docx"],
        description="docx, pdf, pdfa (PDF cho đợt vào sổ: một PDF mỗi văn bản và merged.pdf)",
    )
    parent: str | None = Field(
        default=None, description="Mã văn bản căn cứ đã ban hành (quyết định công nhận)"
    )
    callback_url: str | None = Field(
        default=None, description="Địa chỉ http(s) nhận một POST với trạng thái cuối của đợt"
    )

    @field_validator("callback_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return check_callback_url(value)


def check_callback_url(value: str | None) -> str | None:
    """An http(s) URL a worker can post to, or ValueError with a Vietnamese message."""
    if value is None or not value.strip():
        return None
    from urllib.parse import urlsplit

    value = value.strip()
    if len(value) > MAX_CALLBACK_URL:
        raise ValueError(f"callback_url dài quá {MAX_CALLBACK_URL} ký tự")
    invalid = "callback_url phải là địa chỉ http:// hoặc https:// hợp lệ"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not 0-65535
    except ValueError:  # "Invalid IPv6 URL", "Port could not be cast to integer value"
        raise ValueError(invalid) from None
    host = parts.hostname
    if parts.scheme not in {"http", "https"} or not host or not _HOST.fullmatch(host):
        raise ValueError(invalid)
    if any(c.isspace() or ord(c) < 0x20 for c in value):
        raise ValueError(invalid)
    return value
