"""The OpenAPI 3.1 document, generated from the models that validate requests."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from service.agencies import Agency
from service.api import schemas as s
from service.api.openapi_batches import batch_paths
from service.api.openapi_parts import BINARY, DISPOSITION, REF
from service.api.openapi_parts import json_ref as _json
from service.api.openapi_pdf import pdf_paths
from service.api.openapi_register import register_paths
from service.batches.sheet import XLSX_MEDIA_TYPE
from service.documents import DOCX_MEDIA_TYPE
from service.templates import TemplateSpec

PROBLEM = "application/problem+json"

API_MODELS: list[type[BaseModel]] = [
    s.RenderRequest,
    s.Problem,
    s.TemplateList,
    s.TemplateDetail,
    s.CheckReport,
    s.CheckUpload,
    s.Health,
    s.IssueRequest,
    s.RevokeRequest,
    s.DocumentOut,
    s.RegisterPage,
    Agency,
]
# The groups of the API page (/api/docs), in the order a clerk needs them.
TAGS = (
    ("documents", "Vào sổ văn bản đi: cấp số, lưu tệp, tra cứu, thu hồi"),
    ("registers", "Sổ văn bản đi: xem từng trang, tìm kiếm, xuất Excel hoặc CSV"),
    ("render", "Tạo văn bản không ghi vào sổ (bản nháp, xem trước)"),
    ("templates", "Các mẫu văn bản, lược đồ dữ liệu và ví dụ"),
    ("batches", "Phát hành hàng loạt từ JSON, Excel hoặc CSV"),
    ("agencies", "Cơ quan ban hành và các sổ của cơ quan"),
    ("check", "Kiểm tra thể thức văn bản theo Nghị định 30/2020/NĐ-CP"),
    ("health", "Tình trạng máy chủ"),
    ("docs", "Tài liệu API"),
)
# Paths anyone may call, also when AUTH_REQUIRED is on (service.api.auth).
OPEN_PATHS = ("/api/v1/templates", "/healthz", "/api/openapi.json", "/api/docs")

# name -> (status, description); every one has the Problem body.
PROBLEM_RESPONSES: dict[str, tuple[int, str]] = {
    "BadRequest": (400, "JSON sai cú pháp, sai Content-Type hoặc tệp không đọc được"),
    "Unauthorized": (401, "Thiếu khóa API, hoặc khóa không đúng hay đã bị thu hồi"),
    "Forbidden": (403, "Khóa API đúng nhưng không được dùng cho cơ quan hay việc này"),
    "NotFound": (404, "Không có mẫu văn bản, cơ quan hoặc địa chỉ này"),
    "Conflict": (409, "Xung đột với trạng thái hiện tại (ví dụ: đợt phát hành chưa xong)"),
    "PayloadTooLarge": (413, "Nội dung gửi lên vượt giới hạn của máy chủ"),
    "InvalidData": (422, "Dữ liệu không hợp lệ: mọi lỗi kèm loc và msg tiếng Việt"),
    "ServiceUnavailable": (503, "Một thành phần phụ thuộc không sẵn sàng (nêu tên)"),
    "ConversionTimeout": (504, "Chuyển đổi PDF quá thời gian; tiến trình đã được thay thế"),
    "ConversionFailed": (502, "LibreOffice không chuyển được tài liệu sang PDF"),
    "ServerError": (500, "Lỗi máy chủ (không kèm chi tiết nội bộ)"),
}


def template_component(template_id: str) -> str:
    """The component name of a template's ``data`` schema."""
    return f"data.{template_id}"


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {k: _rename_refs(v, renames) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            out["$ref"] = REF.format(model=renames.get(name, name))
        return out
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node


def _merge(components: dict[str, Any], schema: dict[str, Any], owner: str) -> dict[str, Any]:
    """Move ``schema``'s $defs into ``components``, renaming the ones that clash."""
    schema = copy.deepcopy(schema)
    defs: dict[str, Any] = schema.pop("$defs", {})
    renames = {
        name: f"{name}.{owner}"
        for name, body in defs.items()
        if name in components and components[name] != body
    }
    for name, body in defs.items():
        components[renames.get(name, name)] = _rename_refs(body, renames)
    return _rename_refs(schema, renames)


def _schemas(specs: Iterable[TemplateSpec]) -> dict[str, Any]:
    _, top = models_json_schema([(m, "validation") for m in API_MODELS], ref_template=REF)
    components: dict[str, Any] = dict(top.get("$defs", {}))
    refs = []
    for spec in specs:
        name = template_component(spec.id)
        schema = spec.model.model_json_schema(ref_template=REF, mode="validation")
        components[name] = _merge(components, schema, spec.id)
        components[name]["title"] = f"data của mẫu {spec.id} ({spec.name})"
        refs.append({"$ref": REF.format(model=name)})
    for envelope in ("RenderRequest", "IssueRequest"):
        data = components[envelope]["properties"]["data"]
        if refs:
            data.pop("additionalProperties", None)
            data["anyOf"] = refs
    return components


def _ok(description: str, ref: str) -> dict[str, Any]:
    return {"description": description, "content": _json(ref)}


def _problems(*names: str) -> dict[str, Any]:
    out = {str(PROBLEM_RESPONSES[n][0]): {"$ref": f"#/components/responses/{n}"} for n in names}
    out["500"] = {"$ref": "#/components/responses/ServerError"}
    return out


def _render_examples(specs: Iterable[TemplateSpec]) -> dict[str, Any]:
    return {
        spec.id: {
            "summary": spec.name,
            "value": {"template": spec.id, "data": spec.example(), "format": "docx"},
        }
        for spec in specs
    }


def _paths(specs: list[TemplateSpec]) -> dict[str, Any]:
    return {
        "/api/v1/templates": {
            "get": {
                "tags": ["templates"],
                "operationId": "listTemplates",
                "summary": "Danh sách mẫu văn bản",
                "responses": {"200": _ok("Các mẫu văn bản", "TemplateList"), **_problems()},
            }
        },
        "/api/v1/templates/{id}": {
            "get": {
                "tags": ["templates"],
                "operationId": "getTemplate",
                "summary": "Một mẫu: thông tin, lược đồ JSON của data và ví dụ",
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": [spec.id for spec in specs]},
                    }
                ],
                "responses": {"200": _ok("Mẫu văn bản", "TemplateDetail"), **_problems("NotFound")},
            }
        },
        "/api/v1/templates/{id}/rows.xlsx": {
            "get": {
                "tags": ["templates", "batches"],
                "operationId": "templateRows",
                "summary": "Tệp Excel để điền các dòng của một đợt phát hành theo mẫu này",
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": [spec.id for spec in specs]},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "Tệp Excel: hàng đầu là tên trường",
                        "headers": {"Content-Disposition": DISPOSITION},
                        "content": {XLSX_MEDIA_TYPE: BINARY},
                    },
                    **_problems("NotFound"),
                },
            }
        },
        "/api/v1/render": {
            "post": {
                "tags": ["render"],
                "operationId": "render",
                "summary": "Tạo văn bản (không ghi vào sổ); trả về chính tệp DOCX, PDF hoặc PDF/A",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": REF.format(model="RenderRequest")},
                            "examples": _render_examples(specs),
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "Tệp văn bản",
                        "headers": {"Content-Disposition": DISPOSITION},
                        "content": {DOCX_MEDIA_TYPE: BINARY, "application/pdf": BINARY},
                    },
                    **_problems(
                        "BadRequest",
                        "NotFound",
                        "PayloadTooLarge",
                        "InvalidData",
                        "ServiceUnavailable",
                        "ConversionTimeout",
                        "ConversionFailed",
                    ),
                },
            }
        },
        "/api/v1/check": {
            "post": {
                "tags": ["check"],
                "operationId": "check",
                "summary": "Kiểm tra thể thức một tệp .docx theo Nghị định 30/2020",
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {"$ref": REF.format(model="CheckUpload")},
                        }
                    },
                },
                "responses": {
                    "200": _ok("Kết quả kiểm tra", "CheckReport"),
                    **_problems("BadRequest", "PayloadTooLarge", "InvalidData"),
                },
            }
        },
        "/healthz": {
            "get": {
                "tags": ["health"],
                "operationId": "health",
                "summary": "Tình trạng máy chủ và các thành phần phụ thuộc",
                "responses": {
                    "200": _ok("Mọi thành phần sẵn sàng", "Health"),
                    **_problems("ServiceUnavailable"),
                },
            }
        },
        **register_paths(_problems, specs),
        **pdf_paths(_problems, REF.format(model="RenderRequest")),
        **batch_paths(_problems),
        "/api/openapi.json": {
            "get": {
                "tags": ["docs"],
                "operationId": "openapi",
                "summary": "Tài liệu OpenAPI này",
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        "/api/docs": {
            "get": {
                "tags": ["docs"],
                "operationId": "docs",
                "summary": "Trang thử API (không cần Internet)",
                "responses": {
                    "200": {
                        "description": "Trang HTML",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
    }


def build(specs: list[TemplateSpec], *, version: str = "1") -> dict[str, Any]:
    """The OpenAPI 3.1 document of the API for the templates ``specs``."""
    responses = {
        name: {
            "description": text,
            "content": {PROBLEM: {"schema": {"$ref": REF.format(model="Problem")}}},
        }
        for name, (_, text) in PROBLEM_RESPONSES.items()
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "vanban API",
            "version": version,
            "description": (
                "Soạn văn bản hành chính theo Nghị định 30/2020/NĐ-CP từ dữ liệu JSON. "
                "Mọi lỗi trả về dạng application/problem+json (RFC 9457)."
            ),
        },
        "tags": [{"name": name, "description": text} for name, text in TAGS],
        "paths": _secured(_paths(specs)),
        "components": {
            "schemas": _schemas(specs),
            "responses": responses,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Khóa API (vanban keys create), khi AUTH_REQUIRED=true; "
                    "khóa của văn thư chỉ dùng được cho cơ quan của mình",
                }
            },
        },
        "security": [{"bearerAuth": []}],
    }


def _secured(paths: dict[str, Any]) -> dict[str, Any]:
    """Mark the open paths as needing no key; every other operation may answer 401."""
    for path, operations in paths.items():
        for operation in operations.values():
            if path.startswith(OPEN_PATHS):
                operation["security"] = []
            else:
                operation["responses"].setdefault(
                    "401", {"$ref": "#/components/responses/Unauthorized"}
                )
    return paths
