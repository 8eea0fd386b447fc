"""GET /api/v1/templates and /api/v1/templates/{id}."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.conftest import PROBLEM, TEMPLATE_IDS


def test_list_templates(client: FlaskClient) -> None:
    response = client.get("/api/v1/templates")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [item["id"] for item in items] == TEMPLATE_IDS
    for item in items:
        assert set(item) >= {"id", "doc_type", "name", "version", "orientation"}
    by_id = {item["id"]: item for item in items}
    assert by_id["ke-hoach"]["doc_type"] == "KH"
    assert by_id["quyet-dinh-thanh-lap"]["doc_type"] == "QĐ"
    assert by_id["quyet-dinh-cong-nhan"]["doc_type"] == "QĐ"
    assert by_id["bao-cao"]["doc_type"] == "BC"
    assert by_id["giay-cong-nhan"]["doc_type"] == "GCN"
    assert by_id["giay-cong-nhan"]["orientation"] == "landscape"
    assert by_id["bao-cao"]["orientation"] == "portrait"


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_template_detail(client: FlaskClient, template_id: str) -> None:
    response = client.get(f"/api/v1/templates/{template_id}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == template_id
    assert body["schema"]["type"] == "object"
    assert "summary" in body["schema"]["properties"]
    assert "signer" in body["schema"]["properties"]
    assert isinstance(body["example"], dict) and body["example"]


def test_unknown_template(client: FlaskClient) -> None:
    response = client.get("/api/v1/templates/cong-van-khong-co")
    assert response.status_code == 404
    assert response.content_type == PROBLEM
    body = response.get_json()
    assert body["title"] == "Không có mẫu văn bản này"
    assert body["status"] == 404
    assert "cong-van-khong-co" in body["detail"]
