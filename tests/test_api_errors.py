"""Errors outside the resources: unknown routes, wrong methods, crashes."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PROBLEM


def test_unknown_route(client: FlaskClient) -> None:
    response = client.get("/api/v1/khong-co")
    assert response.status_code == 404
    assert response.content_type == PROBLEM
    body = response.get_json()
    assert body == {
        "type": "about:blank",
        "title": "Không tìm thấy",
        "status": 404,
        "detail": "Không có tài nguyên nào ở địa chỉ này.",
    }


def test_method_not_allowed(client: FlaskClient) -> None:
    response = client.get("/api/v1/render")
    assert response.status_code == 405
    assert response.content_type == PROBLEM
    assert response.get_json()["title"] == "Phương thức không được hỗ trợ"
    assert "POST" in response.headers["Allow"]


def test_unexpected_error_hides_internals(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    def boom() -> str:
        raise RuntimeError("mật khẩu=hunter2 ở /srv/secret.py")

    app.add_url_rule("/api/v1/boom", "boom", boom)
    with caplog.at_level(logging.ERROR, logger="service.api.errors"):
        response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.content_type == PROBLEM
    body = response.get_json()
    assert body["title"] == "Lỗi máy chủ"
    assert body["status"] == 500
    text = response.get_data(as_text=True)
    for leak in ("Traceback", "RuntimeError", "hunter2", "secret.py", "boom"):
        assert leak not in text
    logged = [r for r in caplog.records if r.name == "service.api.errors"]
    assert logged and logged[0].exc_info is not None
    assert "hunter2" in caplog.text  # the operator still sees the full error


def test_problem_json_is_utf8(client: FlaskClient) -> None:
    response = client.get("/khong-co")
    assert "Không tìm thấy".encode() in response.data
