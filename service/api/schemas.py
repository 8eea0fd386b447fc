"""Request envelopes and response shapes of the HTTP API (also the OpenAPI components)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.schemas import YEAR_MAX, YEAR_MIN, Model


class RenderRequest(Model):
    """Body of POST /api/v1/render."""

    template: str = Field(
        min_length=1, max_length=100, description="Mã mẫu văn bản, ví dụ: bao-cao"
    )
    data: dict[str, Any] = Field(description="Dữ liệu văn bản theo lược đồ của mẫu")
    format: Literal["docx", "pdf", "pdfa"] = Field(
        default="docx", description="Định dạng tệp trả về (pdfa: PDF/A-2b để lưu trữ)"
    )
    pdfa: bool = Field(default=False, description="true: PDF theo chuẩn lưu trữ PDF/A-2b")

    @model_validator(mode="after")
    def _pdfa_needs_pdf(self) -> RenderRequest:
        if self.pdfa and self.format == "docx":
            raise ValueError('pdfa chỉ dùng với "format": "pdf"')
        return self

    @property
    def output(self) -> str:
        """docx, pdf or pdfa: what to return."""
        return "pdfa" if self.pdfa or self.format == "pdfa" else self.format


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
    details: dict[str, Any] | None = Field(
        default=None, description="Số liệu thêm, ví dụ details.pdf: các worker PDF và pool"
    )


class IssueRequest(Model):
    """Body of POST /api/v1/documents: issue a numbered document into the register."""

    template: str = Field(min_length=1, max_length=100, description="Mã mẫu văn bản")
    data: dict[str, Any] = Field(description="Dữ liệu văn bản (không có number: sổ cấp số)")
    formats: list[Literal["docx", "pdf", "pdfa"]] = Field(
        default=["docx"],
        min_length=1,
        max_length=3,
        description="Định dạng lưu (docx luôn được lưu; pdfa: PDF/A-2b)",
    )


class RevokeRequest(Model):
    """Body of POST /api/v1/documents/{id}/revoke."""

    reason: str = Field(min_length=1, max_length=1000, description="Lý do thu hồi")


# Beyond any register or batch list (500 a page); keeps the offset a database integer.
MAX_PAGE = 1_000_000


class RegisterQuery(BaseModel):
    """Query of GET /api/v1/registers/{agency} (unknown parameters are ignored)."""

    model_config = ConfigDict(extra="ignore")
    year: int | None = Field(default=None, ge=YEAR_MIN, le=YEAR_MAX)
    book: str | None = Field(default=None, max_length=63)
    q: str | None = Field(
        default=None, max_length=200, description="Tìm không dấu, không phân biệt hoa thường"
    )
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    per_page: int = Field(default=50, ge=1, le=500)
    format: Literal["json", "xlsx", "csv"] = "json"


class BatchQuery(BaseModel):
    """Query of GET /api/v1/batches (unknown parameters are ignored)."""

    model_config = ConfigDict(extra="ignore")
    agency: str | None = Field(
        default=None, max_length=63, description="Chỉ các đợt của cơ quan này"
    )
    status: Literal["queued", "running", "done", "failed"] | None = Field(
        default=None, description="Chỉ các đợt ở trạng thái này"
    )
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    per_page: int = Field(default=50, ge=1, le=500)


class AuditEntry(BaseModel):
    """One line of a document's audit trail: who did what, when."""

    at: str = Field(description="Thời điểm (UTC, ISO 8601)")
    actor: str = Field(description="Người hoặc khóa API đã làm")
    action: str = Field(description="issue, revoke, export, pdf, …")
    agency: str | None = None
    document: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class DocumentOut(BaseModel):
    """A document in the register: body of POST /api/v1/documents and GET …/{id}."""

    id: str
    agency: str
    book: str
    year: int
    number: int
    symbol: str = Field(description="Số và ký hiệu, ví dụ 149/BC-BCĐ")
    date: str | None = Field(description="Ngày ban hành (ISO)")
    template: str
    summary: str = Field(description="Trích yếu")
    signer: str = Field(description="Họ tên người ký")
    status: Literal["issued", "revoked", "failed"]
    sha256: dict[str, str] = Field(description="SHA-256 của từng tệp đã lưu, theo định dạng")
    files: dict[str, str] = Field(description="Địa chỉ tải từng tệp, theo định dạng")
    created_at: str
    created_by: str
    batch: str | None = Field(default=None, description="Đợt phát hành (văn bản hàng loạt)")
    revoked_reason: str | None = None
    revoked_at: str | None = None
    error: str | None = Field(default=None, description="Lý do (trạng thái failed)")
    pdf_error: str | None = Field(
        default=None, description="Khi vào sổ xong mà chưa tạo được PDF: lý do (tạo lại sau)"
    )
    audit: list[AuditEntry] | None = Field(
        default=None, description="Nhật ký (GET …/{id} và thu hồi)"
    )


class RegisterPage(BaseModel):
    """Body of GET /api/v1/registers/{agency}: one page of the register, oldest number first."""

    items: list[DocumentOut]
    page: int
    per_page: int
    total: int
