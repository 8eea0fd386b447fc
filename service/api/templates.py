"""GET /api/v1/templates and /api/v1/templates/{id}."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from service import templates as registry
from service.api.files import file_response

bp = Blueprint("templates", __name__, url_prefix="/api/v1/templates")


@bp.get("")
def list_templates() -> dict[str, Any]:
    """Every template's metadata."""
    return {"items": [spec.metadata() for spec in registry.all_templates()]}


@bp.get("/<template_id>")
def get_template(template_id: str) -> dict[str, Any]:
    """One template's metadata, the JSON Schema of its data and a valid example."""
    spec = registry.get(template_id)
    return {**spec.metadata(), "schema": spec.json_schema(), "example": spec.example()}


@bp.get("/<template_id>/rows.xlsx")
def rows_template(template_id: str) -> Response:
    """The clerk's Excel template for a batch of this template (bulk issuing)."""
    from service.batches.sheet import XLSX_MEDIA_TYPE, rows_workbook

    return file_response(rows_workbook(template_id), f"{template_id}-rows.xlsx", XLSX_MEDIA_TYPE)
