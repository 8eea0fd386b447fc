"""The OpenAPI paths of bulk issuing, generated from the request model that validates them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from service.api.openapi_parts import query_params
from service.api.schemas import BatchQuery
from service.batches.schema import BatchRequest

Problems = Callable[..., dict[str, Any]]

_BATCH = {
    "type": "object",
    "description": "Một đợt phát hành: trạng thái, số dòng xong/lỗi, văn bản theo thứ tự dòng",
    "properties": {
        "id": {"type": "string"},
        "status": {"enum": ["queued", "running", "done", "failed"]},
        "total": {"type": "integer"},
        "done": {"type": "integer"},
        "failed": {"type": "integer"},
        "documents": {"type": "array", "items": {"type": "string"}},
        "errors": {"type": "array", "items": {"type": "object"}},
        "first_number": {"type": ["integer", "null"]},
        "archive": {"type": "string"},
        "phase": {
            "enum": ["render", "pdf", None],
            "description": "render: đang tạo văn bản; pdf: đang tạo PDF; null khi xong",
        },
        "pdf_done": {"type": "integer", "description": "Số văn bản đã có PDF (đợt có PDF)"},
        "pdf_failed": {"type": "integer", "description": "Số văn bản không tạo được PDF"},
        "pdf_pending": {"type": "integer", "description": "Số văn bản đang chờ PDF"},
        "merged_pdf": {"type": "string"},
    },
    "required": ["id", "status", "total", "done", "failed", "documents", "errors"],
}
# A listing's item: the batch object without its lists of documents and errors.
_SUMMARY = {
    "type": "object",
    "description": "Một đợt phát hành (không kèm danh sách văn bản và lỗi: xem url)",
    "properties": {
        name: prop
        for name, prop in _BATCH["properties"].items()  # type: ignore[attr-defined]
        if name not in ("documents", "errors")
    }
    | {
        "template": {"type": "string"},
        "agency": {"type": ["string", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "url": {"type": "string"},
    },
    "required": ["id", "status", "total", "done", "failed", "url"],
}
_PAGE = {
    "type": "object",
    "properties": {
        "items": {"type": "array", "items": _SUMMARY},
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "total": {"type": "integer", "description": "Số đợt khớp điều kiện"},
    },
    "required": ["items", "page", "per_page", "total"],
}
_UPLOAD = {
    "type": "object",
    "required": ["template", "file"],
    "properties": {
        "template": {"type": "string"},
        "file": {"type": "string", "format": "binary", "description": ".xlsx hoặc .csv UTF-8"},
        "common": {"type": "string", "description": "Dữ liệu chung (chuỗi JSON)"},
        "issue": {"type": "string", "enum": ["true", "false"]},
        "formats": {"type": "string", "description": "docx, pdf, pdfa (ví dụ: docx,pdf)"},
        "parent": {"type": "string"},
        "callback_url": {"type": "string"},
    },
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def batch_paths(problems: Problems) -> dict[str, Any]:
    """GET and POST /api/v1/batches, GET …/{id}, …/archive, …/merged.pdf, POST …/retry."""
    one = {"name": "batch_id", "in": "path", "required": True, "schema": {"type": "string"}}
    zip_file = {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
    return {
        "/api/v1/batches": {
            "get": {
                "tags": ["batches"],
                "operationId": "listBatches",
                "summary": "Các đợt phát hành, mới nhất trước, từng trang",
                "description": "Khóa của văn thư: các đợt của cơ quan mình và đợt mình tạo.",
                "parameters": query_params(BatchQuery),
                "responses": {
                    "200": {"description": "Một trang các đợt", "content": _json(_PAGE)},
                    **problems("Forbidden", "NotFound", "InvalidData"),
                },
            },
            "post": {
                "tags": ["batches"],
                "operationId": "createBatch",
                "summary": "Phát hành hàng loạt: mỗi dòng một văn bản, kiểm tra mọi dòng trước",
                "requestBody": {
                    "required": True,
                    "content": {
                        **_json(BatchRequest.model_json_schema(mode="validation")),
                        "multipart/form-data": {"schema": _UPLOAD},
                    },
                },
                "responses": {
                    "202": {"description": "Đã nhận; đang chờ xử lý", "content": _json(_BATCH)},
                    **problems(
                        "BadRequest",
                        "NotFound",
                        "PayloadTooLarge",
                        "InvalidData",
                        "ServiceUnavailable",
                    ),
                },
            },
        },
        "/api/v1/batches/{batch_id}": {
            "get": {
                "tags": ["batches"],
                "operationId": "getBatch",
                "summary": "Tiến độ của đợt (?rows=1: từng dòng)",
                "parameters": [one],
                "responses": {
                    "200": {"description": "Đợt phát hành", "content": _json(_BATCH)},
                    **problems("NotFound"),
                },
            }
        },
        "/api/v1/batches/{batch_id}/archive": {
            "get": {
                "tags": ["batches"],
                "operationId": "batchArchive",
                "summary": "Tệp ZIP mọi văn bản của đợt (.docx, .pdf), đặt tên theo số",
                "parameters": [one],
                "responses": {
                    "200": {"description": "ZIP", "content": zip_file},
                    **problems("NotFound", "Conflict"),
                },
            }
        },
        "/api/v1/batches/{batch_id}/merged.pdf": {
            "get": {
                "tags": ["batches"],
                "operationId": "batchMergedPdf",
                "summary": "Mọi văn bản của đợt trong một tệp PDF, theo thứ tự dòng",
                "description": "404 khi đợt không xuất PDF; 409 khi PDF chưa xong. Dòng không "
                "có PDF (lỗi) được bỏ qua và liệt kê trong header X-Missing-Rows.",
                "parameters": [one],
                "responses": {
                    "200": {"description": "PDF", "content": {"application/pdf": {}}},
                    **problems("NotFound", "Conflict"),
                },
            }
        },
        "/api/v1/batches/{batch_id}/retry": {
            "post": {
                "tags": ["batches"],
                "operationId": "retryBatch",
                "summary": "Tạo lại các dòng lỗi (và PDF lỗi) vào đúng số đã giữ",
                "parameters": [one],
                "responses": {
                    "202": {"description": "Đã nhận", "content": _json(_BATCH)},
                    **problems("NotFound", "Conflict"),
                },
            }
        },
    }
