"""GET /healthz, /api/openapi.json and /api/docs."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.api.health import register_check
from service.pdf.jobstore import Heartbeat
from tests.conftest import PROBLEM, TEMPLATE_IDS


def test_healthz(app: Flask, client: FlaskClient) -> None:
    # A pdf worker's heartbeat (service.pdf.runner) is what makes "pdf" ok.
    app.extensions["vanban.pdf.runner"].publish(Heartbeat("celery@test:1", True, "ok"))
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert set(body["checks"]) >= {"database", "broker", "pdf"}
    assert body["checks"]["pdf"] == "ok"
    [worker] = body["details"]["pdf"]["workers"]
    assert worker["worker"] == "celery@test:1" and worker["available"]


def test_healthz_without_a_pdf_worker(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503 and response.content_type == PROBLEM
    body = response.get_json()
    assert body["failing"] == ["pdf"]
    assert body["checks"] == {"database": "ok", "broker": "ok", "pdf": "no_worker"}


def test_healthz_names_a_missing_libreoffice(app: Flask, client: FlaskClient) -> None:
    beat = Heartbeat("celery@test:1", False, "unavailable", "LibreOffice không được cài")
    app.extensions["vanban.pdf.runner"].publish(beat)
    body = client.get("/healthz").get_json()
    assert body["checks"]["pdf"] == "unavailable: LibreOffice không được cài"
    assert body["failing"] == ["pdf"]


def test_healthz_reports_the_failing_check(app: Flask, client: FlaskClient) -> None:
    register_check(app, "database", lambda: "ok")
    register_check(app, "pdf", lambda: "ok")
    register_check(app, "broker", lambda: "không kết nối được redis:6379")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content_type == PROBLEM
    body = response.get_json()
    assert body["title"] == "Dịch vụ phụ thuộc không sẵn sàng"
    assert body["failing"] == ["broker"]
    assert "broker" in body["detail"]
    assert body["checks"]["database"] == "ok"


def test_healthz_check_that_raises(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> str:
        raise ConnectionError("refused")

    register_check(app, "database", broken)
    register_check(app, "pdf", lambda: "ok")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["database"] == "error"
    assert body["failing"] == ["database"]
    assert "refused" not in response.get_data(as_text=True)
    assert "refused" in caplog.text


def test_openapi_document(client: FlaskClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    assert doc["info"]["title"]
    paths = doc["paths"]
    assert set(paths) >= {
        "/api/v1/templates",
        "/api/v1/templates/{id}",
        "/api/v1/render",
        "/api/v1/check",
        "/healthz",
        "/api/openapi.json",
        "/api/docs",
    }
    schemas = doc["components"]["schemas"]
    for template_id in TEMPLATE_IDS:
        data = schemas[f"data.{template_id}"]
        assert data["type"] == "object" and "summary" in data["properties"]
    for name in ("RenderRequest", "Problem", "TemplateList", "CheckReport", "Health"):
        assert name in schemas
    render = paths["/api/v1/render"]["post"]
    assert set(render["responses"]) >= {"200", "400", "404", "413", "422", "500", "503"}
    examples = render["requestBody"]["content"]["application/json"]["examples"]
    assert set(examples) == set(TEMPLATE_IDS)
    problem = doc["components"]["responses"]["InvalidData"]["content"][PROBLEM]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}


def test_openapi_refs_resolve(client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").get_json()
    refs: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/")
        _, _, kind, name = ref.split("/", 3)
        assert name in doc["components"][kind], ref


def test_render_examples_in_openapi_are_valid(client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").get_json()
    examples = doc["paths"]["/api/v1/render"]["post"]["requestBody"]["content"]["application/json"]
    first = examples["examples"]["giay-cong-nhan"]["value"]
    assert client.post("/api/v1/render", json=first).status_code == 200


def test_docs_page(client: FlaskClient) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "/api/openapi.json" in html or "openapi.json" in html
    assert "http://" not in html and "https://" not in html  # works offline: nothing external
    response.close()


def test_docs_assets_are_local(client: FlaskClient) -> None:
    html = client.get("/api/docs").get_data(as_text=True)
    if "swagger-ui-bundle.js" not in html:
        pytest.skip("swagger-ui-py is not installed: the built-in page is served")
    with client.get("/api/docs/static/swagger-ui-bundle.js") as response:
        assert response.status_code == 200
        assert "javascript" in (response.mimetype or "")
    with client.get("/api/docs/static/../../__init__.py") as response:
        assert response.status_code == 404


def test_docs_fallback_page(monkeypatch: pytest.MonkeyPatch, client: FlaskClient) -> None:
    from service.api import docs

    monkeypatch.setattr(docs, "swagger_dir", lambda: None)
    with client.get("/api/docs") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        html = response.get_data(as_text=True)
    assert 'const SPEC_URL = "openapi.json"' in html
    assert "<script src=" not in html  # self-contained
    with client.get("/api/docs/static/swagger-ui.css") as response:
        assert response.status_code == 404
