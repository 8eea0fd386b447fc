"""Pieces shared by the modules that build the OpenAPI document (service.api.openapi)."""

from __future__ import annotations

from typing import Any

REF = "#/components/schemas/{model}"
BINARY = {"schema": {"type": "string", "format": "binary"}}
DISPOSITION = {
    "description": "attachment; filename=\"…\"; filename*=UTF-8''…",
    "schema": {"type": "string"},
}


def json_ref(model: str) -> dict[str, Any]:
    """A JSON body of the component schema ``model``."""
    return {"application/json": {"schema": {"$ref": REF.format(model=model)}}}
