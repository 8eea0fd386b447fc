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


def query_params(model: Any) -> list[dict[str, Any]]:
    """The query parameters of ``model`` (the model the view validates them with)."""
    schema = model.model_json_schema(mode="validation")
    params = []
    for name, prop in schema["properties"].items():
        description = prop.pop("description", None)
        prop.pop("title", None)
        param: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params
