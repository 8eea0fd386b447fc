"""OpenAPI paths of the PDF endpoints: a document's PDF and page previews."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PNG = {"image/png": {"schema": {"type": "string", "format": "binary"}}}
PAGE_HEADERS = {
    "X-Page-Count": {"description": "Số trang của văn bản", "schema": {"type": "integer"}}
}


def _param(name: str, where: str, schema: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "schema": schema,
        "description": text,
    }


PAGE = _param("page", "path", {"type": "integer", "minimum": 1}, "Số trang, từ 1")
WIDTH = _param(
    "width",
    "query",
    {"type": "integer", "minimum": 100, "maximum": 2000, "default": 800},
    "Chiều rộng ảnh (điểm ảnh)",
)
DOC_ID = _param("id", "path", {"type": "string"}, "Mã văn bản")


def pdf_paths(problems: Callable[..., dict[str, Any]], ref: str) -> dict[str, Any]:
    """The paths; ``problems(*names)`` gives the problem responses, ``ref`` a schema $ref."""
    slow = ("ServiceUnavailable", "ConversionTimeout", "ConversionFailed")
    return {
        "/api/v1/documents/{id}/pdf": {
            "post": {
                "tags": ["documents"],
                "operationId": "makeDocumentPdf",
                "summary": "Tạo (lại) tệp PDF của văn bản đã vào sổ nếu chưa có",
                "parameters": [
                    DOC_ID,
                    _param(
                        "format",
                        "query",
                        {"type": "string", "enum": ["pdf", "pdfa"], "default": "pdf"},
                        "pdfa: PDF/A-2b để lưu trữ",
                    ),
                ],
                "responses": {
                    "200": {
                        "description": "Văn bản, với tệp PDF trong files và sha256",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    **problems("NotFound", "InvalidData", *slow),
                },
            }
        },
        "/api/v1/documents/{id}/pages/{page}.png": {
            "get": {
                "tags": ["documents"],
                "operationId": "documentPage",
                "summary": "Ảnh PNG một trang của văn bản đã vào sổ (xem trước)",
                "parameters": [DOC_ID, PAGE, WIDTH],
                "responses": {
                    "200": {"description": "Ảnh trang", "headers": PAGE_HEADERS, "content": PNG},
                    "304": {"description": "Ảnh không đổi (If-None-Match)"},
                    **problems("NotFound", "InvalidData", *slow),
                },
            }
        },
        "/api/v1/render/pages/{page}.png": {
            "post": {
                "tags": ["render"],
                "operationId": "renderPage",
                "summary": "Ảnh PNG một trang của văn bản tạo nhanh (không ghi vào sổ)",
                "parameters": [PAGE, WIDTH],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": ref}}},
                },
                "responses": {
                    "200": {"description": "Ảnh trang", "headers": PAGE_HEADERS, "content": PNG},
                    **problems("BadRequest", "NotFound", "InvalidData", *slow),
                },
            }
        },
    }
