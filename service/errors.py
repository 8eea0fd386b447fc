"""Domain exceptions, each carrying its HTTP status and a Vietnamese message."""

from __future__ import annotations

from typing import Any


class VanbanError(Exception):
    """Base of every error the service reports to a client."""

    status = 500
    title = "Lỗi máy chủ"

    def __init__(self, detail: str | None = None, *, errors: list[dict[str, Any]] | None = None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or []

    def to_problem(self) -> dict[str, Any]:
        """Return the RFC 9457 problem document for this error."""
        body: dict[str, Any] = {
            "type": "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            body["errors"] = self.errors
        return body


class BadRequest(VanbanError):
    status = 400
    title = "Yêu cầu không đọc được"


class Unauthorized(VanbanError):
    status = 401
    title = "Chưa xác thực"


class Forbidden(VanbanError):
    status = 403
    title = "Không có quyền"


class NotFound(VanbanError):
    status = 404
    title = "Không tìm thấy"


class UnknownTemplate(NotFound):
    title = "Không có mẫu văn bản này"


class UnknownAgency(NotFound):
    title = "Không có cơ quan này"


class Conflict(VanbanError):
    status = 409
    title = "Xung đột"


class PayloadTooLarge(VanbanError):
    status = 413
    title = "Dữ liệu gửi lên quá lớn"


class InvalidData(VanbanError):
    status = 422
    title = "Dữ liệu không hợp lệ"

    def __init__(self, errors: list[dict[str, Any]], detail: str | None = None):
        super().__init__(detail or f"{len(errors)} lỗi trong dữ liệu gửi lên", errors=errors)


class TemplateError(VanbanError):
    """A template failed to render: names the template and the line."""

    status = 500
    title = "Lỗi mẫu văn bản"

    def __init__(self, template: str, line: int | None, message: str):
        where = f" (dòng {line})" if line else ""
        super().__init__(f"Mẫu {template!r} lỗi{where}: {message}")
        self.template = template
        self.line = line


class ServiceUnavailable(VanbanError):
    status = 503
    title = "Dịch vụ phụ thuộc không sẵn sàng"


class UnknownBook(NotFound):
    title = "Không có sổ văn bản này"


class DocumentNotFound(NotFound):
    title = "Không tìm thấy văn bản"


class RegisterConflict(Conflict):
    title = "Xung đột số văn bản trong sổ"


class AlreadyRevoked(Conflict):
    title = "Văn bản đã bị thu hồi"


class IdempotencyConflict(Conflict):
    title = "Khóa Idempotency-Key đã dùng cho yêu cầu khác"


class UnsupportedType(InvalidData):
    """No book of the agency takes this document type."""

    title = "Cơ quan không có sổ cho loại văn bản này"


class ConverterUnavailable(ServiceUnavailable):
    """The PDF converter (LibreOffice) is not installed or cannot start."""

    title = "Bộ chuyển đổi PDF không sẵn sàng"


class ConversionTimeout(VanbanError):
    """LibreOffice took longer than the hard per-conversion timeout; it was killed."""

    status = 504
    title = "Chuyển đổi PDF quá thời gian cho phép"


class ConversionFailed(VanbanError):
    """LibreOffice could not convert the document (the upstream converter failed)."""

    status = 502
    title = "Chuyển đổi PDF không thành công"


class UnsupportedUpload(VanbanError):
    """An uploaded file that is neither .xlsx nor UTF-8 .csv."""

    status = 415
    title = "Kiểu tệp không được hỗ trợ"


class BatchNotFound(NotFound):
    title = "Không tìm thấy đợt phát hành"


class BatchNotFinished(Conflict):
    """The batch is still queued or running."""

    title = "Đợt phát hành chưa xong"
