"""GET /api/openapi.json and the offline interactive page at /api/docs."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, render_template_string, send_from_directory
from werkzeug.exceptions import NotFound

from service import templates as registry
from service.api import openapi

bp = Blueprint("docs", __name__, url_prefix="/api")

STATIC = Path(__file__).resolve().parent / "static"
EXTENSION = "vanban.openapi"

SWAGGER_PAGE = """<!doctype html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <title>vanban API</title>
  <link rel="stylesheet" href="{{ url_for('docs.swagger_file', filename='swagger-ui.css') }}">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{{ url_for('docs.swagger_file', filename='swagger-ui-bundle.js') }}"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: {{ url_for('docs.openapi_json') | tojson }},
      dom_id: "#swagger-ui",
      deepLinking: true,
      validatorUrl: null,
      tryItOutEnabled: true
    });
  </script>
</body>
</html>
"""


@cache
def swagger_dir() -> Path | None:
    """The static files of the installed swagger-ui-py (Swagger UI 5), if any."""
    spec = importlib.util.find_spec("swagger_ui")  # locate without importing it
    for location in (spec.submodule_search_locations or []) if spec else []:
        static = Path(location) / "static"
        if (static / "swagger-ui-bundle.js").is_file():
            return static
    return None


def document() -> dict[str, Any]:
    """The OpenAPI document of this app, built once."""
    doc: dict[str, Any] | None = current_app.extensions.get(EXTENSION)
    if doc is None:
        doc = openapi.build(registry.all_templates())
        current_app.extensions[EXTENSION] = doc
    return doc


@bp.get("/openapi.json")
def openapi_json() -> dict[str, Any]:
    """The OpenAPI 3.1 document."""
    return document()


@bp.get("/docs")
def docs_page() -> Response | str:
    """Swagger UI from local files; a small built-in page when it is not installed."""
    if swagger_dir() is None:
        return send_from_directory(STATIC, "docs.html", mimetype="text/html")
    return render_template_string(SWAGGER_PAGE)


@bp.get("/docs/static/<path:filename>")
def swagger_file(filename: str) -> Response:
    """A file of the bundled Swagger UI."""
    directory = swagger_dir()
    if directory is None or not filename.startswith(("swagger-ui", "favicon")):
        raise NotFound()
    return send_from_directory(directory, filename, max_age=86400)
