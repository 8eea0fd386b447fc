"""OpenAPI paths of the register: issuing, documents, the register view and agencies.

Request bodies and query parameters come from the models that validate them
(service.api.schemas, service.agencies.Agency); the templates' ``data``
schemas are referenced as for the stateless render.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from service.api.openapi_parts import BINARY, DISPOSITION, REF, query_params
from service.api.openapi_parts import json_ref as _json
from service.api.schemas import RegisterQuery
from service.batches.sheet import XLSX_MEDIA_TYPE
from service.documents import DOCX_MEDIA_TYPE
from service.templates import TemplateSpec

Problems = Callable[..., dict[str, Any]]


def _path_param(name: str, text: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": text,
    }


def _issue_examples(specs: Iterable[TemplateSpec]) -> dict[str, Any]:
    return {
        spec.id: {
            "summary": spec.name,
            "value": {"template": spec.id, "data": spec.example(), "formats": ["docx"]},
        }
        for spec in specs
    }


def register_paths(problems: Problems, specs: list[TemplateSpec]) -> dict[str, Any]:
    """The paths; ``problems(*names)`` gives the problem responses."""
    doc_id = _path_param("id", "Mã văn bản")
    agency_id = _path_param("agency", "Mã cơ quan")
    document = {"description": "Văn bản trong sổ", "content": _json("DocumentOut")}
    agency = {"description": "Cơ quan và các sổ của nó", "content": _json("Agency")}
    return {
        "/api/v1/documents": {
            "post": {
                "tags": ["documents"],
                "operationId": "issueDocument",
                "summary": "Vào sổ: cấp số tiếp theo của sổ, tạo và lưu văn bản",
                "description": "Số do sổ cấp, liên tục theo năm của ngày văn bản; số, dòng "
                "trong sổ và tệp được ghi trong một giao dịch. Cùng Idempotency-Key với cùng "
                "nội dung trả lại đúng văn bản đã cấp (200), khác nội dung: 409.",
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                        "description": "Khóa chống gửi trùng (1–200 ký tự)",
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": REF.format(model="IssueRequest")},
                            "examples": _issue_examples(specs),
                        }
                    },
                },
                "responses": {
                    "201": {
                        **document,
                        "headers": {
                            "Location": {
                                "description": "/api/v1/documents/{id}",
                                "schema": {"type": "string"},
                            }
                        },
                    },
                    "200": {**document, "description": "Đã cấp trước đó với cùng Idempotency-Key"},
                    **problems(
                        "BadRequest",
                        "Forbidden",
                        "NotFound",
                        "Conflict",
                        "PayloadTooLarge",
                        "InvalidData",
                        "ServiceUnavailable",
                    ),
                },
            }
        },
        "/api/v1/documents/{id}": {
            "get": {
                "tags": ["documents"],
                "operationId": "getDocument",
                "summary": "Một văn bản trong sổ, kèm nhật ký",
                "parameters": [doc_id],
                "responses": {"200": document, **problems("Forbidden", "NotFound")},
            }
        },
        "/api/v1/documents/{id}/file": {
            "get": {
                "tags": ["documents"],
                "operationId": "downloadDocument",
                "summary": "Tệp đã lưu của văn bản, đúng từng byte mỗi lần tải",
                "parameters": [
                    doc_id,
                    {
                        "name": "format",
                        "in": "query",
                        "required": False,
                        "schema": {"enum": ["docx", "pdf", "pdfa"], "default": "docx"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "Tệp văn bản",
                        "headers": {"Content-Disposition": DISPOSITION},
                        "content": {DOCX_MEDIA_TYPE: BINARY, "application/pdf": BINARY},
                    },
                    **problems("Forbidden", "NotFound"),
                },
            }
        },
        "/api/v1/documents/{id}/revoke": {
            "post": {
                "tags": ["documents"],
                "operationId": "revokeDocument",
                "summary": "Thu hồi văn bản; số của nó không bao giờ được cấp lại",
                "parameters": [doc_id],
                "requestBody": {"required": True, "content": _json("RevokeRequest")},
                "responses": {
                    "200": document,
                    **problems("BadRequest", "Forbidden", "NotFound", "Conflict", "InvalidData"),
                },
            }
        },
        "/api/v1/registers/{agency}": {
            "get": {
                "tags": ["registers"],
                "operationId": "getRegister",
                "summary": "Sổ văn bản đi của cơ quan, từng trang; format=xlsx|csv: xuất cả sổ",
                "parameters": [agency_id, *query_params(RegisterQuery)],
                "responses": {
                    "200": {
                        "description": "Một trang của sổ (JSON), hoặc cả sổ (Excel, CSV)",
                        "content": {
                            **_json("RegisterPage"),
                            XLSX_MEDIA_TYPE: BINARY,
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    },
                    **problems("Forbidden", "NotFound", "InvalidData"),
                },
            }
        },
        "/api/v1/agencies": {
            "get": {
                "tags": ["agencies"],
                "operationId": "listAgencies",
                "summary": "Các cơ quan (khóa của văn thư: chỉ cơ quan của mình)",
                "responses": {
                    "200": {
                        "description": "Các cơ quan",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["items"],
                                    "properties": {
                                        "items": {
                                            "type": "array",
                                            "items": {"$ref": REF.format(model="Agency")},
                                        }
                                    },
                                }
                            }
                        },
                    },
                    **problems(),
                },
            },
            "post": {
                "tags": ["agencies"],
                "operationId": "createAgency",
                "summary": "Thêm cơ quan (khóa admin); 409 khi mã đã có",
                "requestBody": {"required": True, "content": _json("Agency")},
                "responses": {
                    "201": agency,
                    **problems("BadRequest", "Forbidden", "Conflict", "InvalidData"),
                },
            },
        },
        "/api/v1/agencies/{id}": {
            "get": {
                "tags": ["agencies"],
                "operationId": "getAgency",
                "summary": "Một cơ quan",
                "parameters": [_path_param("id", "Mã cơ quan")],
                "responses": {"200": agency, **problems("Forbidden", "NotFound")},
            },
            "put": {
                "tags": ["agencies"],
                "operationId": "replaceAgency",
                "summary": "Thay cơ quan và các sổ của nó (khóa admin); tạo mới nếu chưa có",
                "description": (
                    "409 khi thay đổi bỏ một sổ đã có văn bản (hoặc số đã giữ chỗ), "
                    "hay chuyển một loại văn bản đã có số sang sổ khác: "
                    "số văn bản không bao giờ được cấp trùng."
                ),
                "parameters": [_path_param("id", "Mã cơ quan")],
                "requestBody": {"required": True, "content": _json("Agency")},
                "responses": {
                    "200": agency,
                    "201": {**agency, "description": "Cơ quan mới"},
                    **problems("BadRequest", "Forbidden", "Conflict", "InvalidData"),
                },
            },
        },
    }
