"""The template registry: each document type's metadata, schema, example and .docx."""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from service.errors import UnknownTemplate
from service.schemas import CommonData

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates_docx"


@dataclass(frozen=True)
class TemplateSpec:
    """One document type: its module in ``templates_docx`` and the files beside it."""

    id: str
    doc_type: str
    type_name: str
    name: str
    version: str
    orientation: str
    module: ModuleType = field(repr=False)

    @property
    def model(self) -> type[CommonData]:
        """The pydantic model of this template's ``data``."""
        model: type[CommonData] = self.module.Data
        return model

    @property
    def docx_path(self) -> Path:
        """The .docx template file."""
        return TEMPLATES_DIR / f"{self.id}.docx"

    @property
    def example_path(self) -> Path:
        """The realistic example ``data`` file."""
        return TEMPLATES_DIR / f"{self.id}.example.json"

    def example(self) -> dict[str, Any]:
        """A complete, valid example ``data`` object."""
        data: dict[str, Any] = json.loads(self.example_path.read_text(encoding="utf-8"))
        return data

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of ``data``."""
        return _schema(self.id)

    def metadata(self) -> dict[str, Any]:
        """The listing entry of api.md (Templates)."""
        return {
            "id": self.id,
            "doc_type": self.doc_type,
            "name": self.name,
            "version": self.version,
            "orientation": self.orientation,
        }


@cache
def _schema(template_id: str) -> dict[str, Any]:
    schema: dict[str, Any] = get(template_id).model.model_json_schema(mode="validation")
    return schema


@cache
def _registry() -> dict[str, TemplateSpec]:
    package = importlib.import_module("templates_docx")
    specs: dict[str, TemplateSpec] = {}
    for module_name in package.MODULES:
        module = importlib.import_module(f"templates_docx.{module_name}")
        spec = TemplateSpec(
            id=module.ID,
            doc_type=module.DOC_TYPE,
            type_name=module.TYPE_NAME,
            name=module.NAME,
            version=module.VERSION,
            orientation=module.ORIENTATION,
            module=module,
        )
        specs[spec.id] = spec
    return specs


def get(template_id: str) -> TemplateSpec:
    """The template ``template_id``; UnknownTemplate when there is none."""
    try:
        return _registry()[template_id]
    except KeyError:
        raise UnknownTemplate(f"Không có mẫu văn bản {template_id!r}") from None


def all_templates() -> list[TemplateSpec]:
    """Every template, in registry order."""
    return list(_registry().values())
