"""POST /api/v1/check: the conformance report of an uploaded .docx."""

from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient

from tests.conftest import PROBLEM


def rendered(client: FlaskClient, template_id: str = "bao-cao") -> bytes:
    data = client.get(f"/api/v1/templates/{template_id}").get_json()["example"]
    data["number"] = 149
    response = client.post("/api/v1/render", json={"template": template_id, "data": data})
    assert response.status_code == 200
    return response.data


def upload(client: FlaskClient, content: bytes, name: str = "van-ban.docx") -> Any:
    return client.post(
        "/api/v1/check",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_check_rendered_document(client: FlaskClient) -> None:
    response = upload(client, rendered(client))
    assert response.status_code == 200
    report = response.get_json()
    assert isinstance(report["ok"], bool)
    assert isinstance(report["findings"], list)
    for finding in report["findings"]:
        assert set(finding) >= {"rule", "severity", "expected", "found", "where"}
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert report["ok"] is (not errors)


def test_check_not_a_docx(client: FlaskClient) -> None:
    response = upload(client, b"%PDF-1.7 this is not a docx", "van-ban.pdf")
    assert response.status_code == 400
    assert response.content_type == PROBLEM
    body = response.get_json()
    assert body["title"] == "Yêu cầu không đọc được"
    assert ".docx" in body["detail"]


def test_check_missing_file(client: FlaskClient) -> None:
    response = client.post("/api/v1/check", data={"other": "x"}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.content_type == PROBLEM
    body = response.get_json()
    assert body["title"] == "Dữ liệu không hợp lệ"
    assert [e["loc"] for e in body["errors"]] == [["file"]]


def test_check_empty_file(client: FlaskClient) -> None:
    response = upload(client, b"")
    assert response.status_code == 422
    assert [e["loc"] for e in response.get_json()["errors"]] == [["file"]]


def test_check_not_multipart(client: FlaskClient) -> None:
    response = client.post("/api/v1/check", data=b"PK\x03\x04", content_type="application/zip")
    assert response.status_code == 400
    assert response.content_type == PROBLEM
    assert response.get_json()["title"] == "Yêu cầu không đọc được"


def test_check_upload_over_limit(client: FlaskClient) -> None:
    # Built by hand: the test client would spool a large upload to an unclosed temp file.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.docx"\r\n\r\n'
        + b"PK" * (2 * 1024 * 1024 + 1)
        + b"\r\n--b--\r\n"
    )
    response = client.post(
        "/api/v1/check", data=body, content_type="multipart/form-data; boundary=b"
    )
    assert response.status_code == 413
    assert response.content_type == PROBLEM
    assert response.get_json()["title"] == "Dữ liệu gửi lên quá lớn"
