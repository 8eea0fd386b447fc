"""/api/openapi.json describes the whole API as it answers: every route, valid OpenAPI 3.1,
and response bodies that match the schemas it publishes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec

from tests.conftest import TEMPLATE_IDS

# Routes that are no API operations: static files of the app and of the docs page.
NOT_OPERATIONS = {"/static/{}", "/api/docs/static/{}"}


def _shape(path: str) -> str:
    """A path with its parameters blanked: ``/api/v1/documents/{}/file``."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


@pytest.fixture
def spec(client: FlaskClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/api/openapi.json").get_json()
    return document


def conforms(spec: dict[str, Any], model: str, body: Any) -> list[str]:
    """What in ``body`` breaks the published schema ``model`` (empty when it conforms)."""
    schema = {"$ref": f"#/components/schemas/{model}", "components": spec["components"]}
    validator = Draft202012Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]


def test_the_document_is_valid_openapi(spec: dict[str, Any]) -> None:
    validate_spec(spec)  # raises on any violation of the OpenAPI 3.1 schema
    # Swagger UI (/api/docs) shows a red warning box for any dialect but the OAS default.
    default = "https://spec.openapis.org/oas/3.1/dialect/base"
    assert spec.get("jsonSchemaDialect", default) == default


def test_every_route_is_documented(app: Flask, spec: dict[str, Any]) -> None:
    documented = {
        (_shape(path), method.upper())
        for path, operations in spec["paths"].items()
        for method in operations
    }
    served = {
        (_shape(rule.rule), method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS") and _shape(rule.rule) not in NOT_OPERATIONS
    }
    assert served - documented == set()
    assert documented - served == set()


def test_keys_are_declared_where_the_api_asks_for_them(spec: dict[str, Any]) -> None:
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            open_path = path.startswith(
                ("/api/v1/templates", "/healthz", "/api/docs", "/api/openapi")
            )
            if open_path:
                assert operation["security"] == [], (method, path)
            else:
                assert "security" not in operation, (method, path)
                assert "401" in operation["responses"], (method, path)
    issue = spec["paths"]["/api/v1/documents"]["post"]
    assert {"201", "200", "401", "403", "404", "409", "422"} <= set(issue["responses"])
    assert issue["parameters"][0]["name"] == "Idempotency-Key"
    # A replace that would let a number be given twice is refused (tests/test_agencies_rules.py).
    replace = spec["paths"]["/api/v1/agencies/{id}"]["put"]
    assert {"200", "201", "401", "403", "409", "422"} <= set(replace["responses"])


def test_the_security_declared_is_what_the_server_does(app: Flask, spec: dict[str, Any]) -> None:
    """With AUTH_REQUIRED on and no key: 401 exactly where the document says a key is needed."""
    app.config["AUTH_REQUIRED"] = True
    client = app.test_client()
    for path, operations in spec["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path.replace("/templates/{id}", "/templates/bao-cao"))
        for method, operation in operations.items():
            status = client.open(url, method=method.upper(), json={}).status_code
            wants_key = operation.get("security", spec["security"]) != []
            assert (status == 401) == wants_key, (method, path, status)


def test_issue_examples_issue_and_answer_as_published(
    client: FlaskClient, spec: dict[str, Any]
) -> None:
    issue = spec["paths"]["/api/v1/documents"]["post"]
    examples = issue["requestBody"]["content"]["application/json"]["examples"]
    assert set(examples) == set(TEMPLATE_IDS)
    request_schema = spec["components"]["schemas"]["IssueRequest"]
    assert len(request_schema["properties"]["data"]["anyOf"]) == len(TEMPLATE_IDS)
    ids = []
    for template_id, example in examples.items():
        assert conforms(spec, "IssueRequest", example["value"]) == [], template_id
        response = client.post("/api/v1/documents", json=example["value"])
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        assert conforms(spec, "DocumentOut", body) == [], template_id
        assert set(body) <= set(spec["components"]["schemas"]["DocumentOut"]["properties"])
        ids.append(body["id"])
    read = client.get(f"/api/v1/documents/{ids[0]}").get_json()
    assert read["audit"] and conforms(spec, "DocumentOut", read) == []
    revoked = client.post(f"/api/v1/documents/{ids[0]}/revoke", json={"reason": "Sai trích yếu"})
    assert revoked.status_code == 200
    body = revoked.get_json()
    assert body["status"] == "revoked" and conforms(spec, "DocumentOut", body) == []
    agency = examples["bao-cao"]["value"]["data"]["agency"]
    page = client.get(f"/api/v1/registers/{agency}").get_json()
    assert page["items"] and conforms(spec, "RegisterPage", page) == []
    agencies = client.get("/api/v1/agencies").get_json()
    for item in agencies["items"]:
        assert conforms(spec, "Agency", item) == [], item["id"]


def test_a_wrong_body_breaks_the_published_schemas(spec: dict[str, Any]) -> None:
    """The checks above can fail: the schemas are strict enough to catch a wrong shape."""
    assert conforms(spec, "IssueRequest", {"template": "bao-cao", "data": {}, "formats": ["odt"]})
    assert conforms(spec, "DocumentOut", {"id": "x", "number": "149"})
    assert conforms(spec, "RegisterPage", {"items": [{}], "page": 1, "per_page": 50, "total": 1})


def test_register_query_parameters_come_from_the_model(spec: dict[str, Any]) -> None:
    params = {
        p["name"]: p for p in spec["paths"]["/api/v1/registers/{agency}"]["get"]["parameters"]
    }
    assert set(params) == {"agency", "year", "book", "q", "page", "per_page", "format"}
    assert params["per_page"]["schema"]["maximum"] == 500
    assert params["format"]["schema"]["enum"] == ["json", "xlsx", "csv"]
    assert "không dấu" in params["q"]["description"]


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_each_example_is_valid_under_its_published_schema(
    client: FlaskClient, template_id: str
) -> None:
    detail = client.get(f"/api/v1/templates/{template_id}").get_json()
    errors = [
        f"{list(e.absolute_path)}: {e.message}"
        for e in Draft202012Validator(detail["schema"]).iter_errors(detail["example"])
    ]
    assert errors == []


def test_every_tag_is_described_once(spec: dict[str, Any]) -> None:
    described = [tag["name"] for tag in spec["tags"]]
    assert len(described) == len(set(described))
    used = {
        tag
        for operations in spec["paths"].values()
        for op in operations.values()
        for tag in op["tags"]
    }
    assert used == set(described)
    assert described[0] == "documents"  # what a clerk comes for, first on the page
