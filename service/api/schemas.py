"""Request envelopes and response shapes of the HTTP API (also the OpenAPI components)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.schemas import Model


class RenderRequest(Model):
    """Body of POST /api/v1/render."""

    template: str = Field(
        min_length=1, max_length=100, description="Mã mẫu văn bản, ví dụ: bao-cao"
    )
    data: dict[str, Any] = Field(description="Dữ liệu văn bản theo lược đồ của mẫu")
    format: Literal["docx", "pdf"] = Field(default="docx", description="Định dạng tệp trả về")


class ProblemItem(BaseModel):
    """One problem in a 422 response."""

    loc: list[str | int] = Field(description="Đường dẫn tới trường lỗi trong nội dung gửi lên")
    msg: str = Field(description="Mô tả lỗi bằng tiếng Việt")
    type: str | None = Field(default=None, description="Mã loại lỗi")


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(extra="allow")
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[ProblemItem] | None = None


class TemplateMeta(BaseModel):
    """A template in the listing."""

    id: str
    doc_type: str
    name: str
    version: str
    orientation: Literal["portrait", "landscape"]


class TemplateList(BaseModel):
    """Body of GET /api/v1/templates."""

    items: list[TemplateMeta]


class TemplateDetail(TemplateMeta):
    """Body of GET /api/v1/templates/{id}."""

    model_config = ConfigDict(populate_by_name=True)
    schema_: dict[str, Any] = Field(alias="schema", description="JSON Schema của data")
    example: dict[str, Any] = Field(description="Một data đầy đủ, hợp lệ")


class Finding(BaseModel):
    """One finding of the conformance check."""

    model_config = ConfigDict(extra="allow")
    rule: str
    severity: Literal["error", "warning"]
    expected: str | None = None
    found: str | None = None
    where: str | None = None


class CheckReport(BaseModel):
    """Body of POST /api/v1/check."""

    model_config = ConfigDict(extra="allow")
    ok: bool = Field(description="true khi không có phát hiện mức error")
    profile: str | None = Field(default=None, description="Bộ quy tắc đã áp dụng")
    findings: list[Finding]


class CheckUpload(BaseModel):
    """Multipart form of POST /api/v1/check."""

    file: bytes = Field(
        description="Tệp .docx cần kiểm tra",
        json_schema_extra={
            "format": "binary",
            "contentMediaType": (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            ),
        },
    )


class Health(BaseModel):
    """Body of GET /healthz when every check passes."""

    status: Literal["ok"]
    checks: dict[str, str] = Field(
        description="ok, disabled (tắt theo cấu hình), not_configured (chưa có), hoặc lỗi"
    )
