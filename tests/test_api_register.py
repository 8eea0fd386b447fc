"""The register over HTTP: issue, idempotency, read, download, revoke, search, export, keys."""

from __future__ import annotations

import copy
import hashlib
import io
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import db, templates
from service.cli import cli
from service.register import create_key
from service.register.export import XLSX_MEDIA_TYPE

PROBLEM = "application/problem+json"


def example(template_id: str, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(templates.get(template_id).example())
    data.update(changes)
    return data


def issue(client: FlaskClient, template_id: str, data: dict[str, Any], **kw: Any) -> Any:
    return client.post("/api/v1/documents", json={"template": template_id, "data": data}, **kw)


def test_issue_numbers_consecutively_and_stores_the_file(client: FlaskClient) -> None:
    first = issue(client, "bao-cao", example("bao-cao"))
    second = issue(client, "bao-cao", example("bao-cao", summary="Báo cáo thứ hai"))
    assert first.status_code == second.status_code == 201
    a, b = first.json, second.json
    assert first.headers["Location"] == f"/api/v1/documents/{a['id']}"
    assert (a["number"], a["symbol"], a["year"]) == (1, "01/BC-BCĐ", 2018)
    assert (b["number"], b["symbol"]) == (2, "02/BC-BCĐ")
    assert a["agency"] == "bcd138-bimson" and a["book"] == "van-ban-di"
    assert a["status"] == "issued" and a["signer"] == "Mai Đình Lâm"
    one = client.get(a["files"]["docx"])
    two = client.get(a["files"]["docx"])
    assert one.status_code == 200 and one.data == two.data
    assert hashlib.sha256(one.data).hexdigest() == a["sha256"]["docx"]
    assert b"01/BC-BC" in one.data or "Số: 01/BC-BCĐ" in _text(one.data)


def _text(content: bytes) -> str:
    from tests.docx_utils import text

    return text(content)


def test_certificates_go_to_their_own_book(client: FlaskClient) -> None:
    qd = issue(client, "quyet-dinh-cong-nhan", example("quyet-dinh-cong-nhan")).json
    gcn = issue(client, "giay-cong-nhan", example("giay-cong-nhan")).json
    assert (qd["book"], qd["symbol"]) == ("van-ban-di", "01/QĐ-UBND")
    assert (gcn["book"], gcn["symbol"]) == ("giay-cong-nhan", "01/GCN-UBND")


def test_idempotency_key(client: FlaskClient) -> None:
    headers = {"Idempotency-Key": "abc-123"}
    first = issue(client, "ke-hoach", example("ke-hoach"), headers=headers)
    again = issue(client, "ke-hoach", example("ke-hoach"), headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json["id"] == first.json["id"] and again.json["number"] == 1
    other = issue(client, "ke-hoach", example("ke-hoach", summary="Khác"), headers=headers)
    assert other.status_code == 409 and other.content_type == PROBLEM
    assert issue(client, "ke-hoach", example("ke-hoach")).json["number"] == 2


def test_revoke_keeps_the_number(client: FlaskClient) -> None:
    doc = issue(client, "ke-hoach", example("ke-hoach")).json
    url = f"/api/v1/documents/{doc['id']}/revoke"
    assert client.post(url, json={}).status_code == 422
    revoked = client.post(url, json={"reason": "Ban hành nhầm đối tượng"})
    assert revoked.status_code == 200 and revoked.json["status"] == "revoked"
    again = client.post(url, json={"reason": "lần nữa"})
    assert again.status_code == 409 and again.json["title"] == "Văn bản đã bị thu hồi"
    assert issue(client, "ke-hoach", example("ke-hoach")).json["number"] == 2
    shown = client.get(f"/api/v1/documents/{doc['id']}").json
    assert [a["action"] for a in shown["audit"]] == ["issue", "revoke"]
    page = client.get("/api/v1/registers/bcd138-bimson?year=2018").json
    assert [(i["number"], i["status"]) for i in page["items"]] == [(1, "revoked"), (2, "issued")]


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (example("ke-hoach", agency="khong-co"), 404),
        (example("ke-hoach", number=5), 422),
        (example("ke-hoach", date="2021-02-30"), 422),
    ],
)
def test_bad_issue_requests(client: FlaskClient, data: dict[str, Any], status: int) -> None:
    response = issue(client, "ke-hoach", data)
    assert response.status_code == status and response.content_type == PROBLEM


def test_pdf_unavailable_takes_no_number(client: FlaskClient, app: Flask) -> None:
    body = {"template": "ke-hoach", "data": example("ke-hoach"), "formats": ["docx", "pdf"]}
    response = client.post("/api/v1/documents", json=body)
    if response.status_code == 201:
        pytest.skip("a PDF converter is configured on this app")
    assert response.status_code == 503
    assert issue(client, "ke-hoach", example("ke-hoach")).json["number"] == 1


def test_type_not_in_any_book_is_422(client: FlaskClient) -> None:
    agency = client.get("/api/v1/agencies/ubnd-bac-son").json
    agency["books"] = [{"id": "gcn", "name": "Sổ giấy công nhận", "types": ["GCN"]}]
    assert client.put("/api/v1/agencies/ubnd-bac-son", json=agency).status_code == 200
    response = issue(client, "quyet-dinh-cong-nhan", example("quyet-dinh-cong-nhan"))
    assert response.status_code == 422
    assert issue(client, "giay-cong-nhan", example("giay-cong-nhan")).json["book"] == "gcn"


def test_register_search_and_export(client: FlaskClient) -> None:
    issue(client, "bao-cao", example("bao-cao"))
    summary = "Kế hoạch tuyên truyền tại thị xã Bỉm Sơn"
    issue(client, "ke-hoach", example("ke-hoach", date="2018-08-01", summary=summary))
    url = "/api/v1/registers/bcd138-bimson"
    assert [i["symbol"] for i in client.get(url + "?q=bim+son").json["items"]] == ["02/KH-BCĐ"]
    found = client.get(url + "?q=TONG KET 10 nam").json
    assert [i["symbol"] for i in found["items"]] == ["01/BC-BCĐ"]
    assert client.get(url + "?q=khong+co+gi+ca").json["total"] == 0
    xlsx = client.get(url + "?year=2018&format=xlsx")
    assert xlsx.status_code == 200
    assert "attachment" in xlsx.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Tên loại và trích yếu nội dung" in values
    assert "01/BC-BCĐ" in values
    csv = client.get(url + "?year=2018&format=csv")
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert xlsx.headers["Content-Type"] == XLSX_MEDIA_TYPE
    assert csv.data.startswith(b"\xef\xbb\xbf")
    assert "02/KH-BCĐ" in csv.data.decode("utf-8-sig")
    assert client.get("/api/v1/registers/khong-co").status_code == 404


def test_agencies_listing_and_create(client: FlaskClient) -> None:
    ids = [a["id"] for a in client.get("/api/v1/agencies").json["items"]]
    assert ids == ["bcd138-bimson", "ubnd-bimson", "ubnd-bac-son"]
    new = {
        "id": "ubnd-ba-dinh",
        "parent": "UBND THỊ XÃ BỈM SƠN",
        "name": "ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH",
        "abbreviation": "UBND",
        "place": "Ba Đình",
        "books": [{"id": "van-ban-di", "name": "Sổ văn bản đi", "types": ["*"]}],
        "signers": [{"title": "Chủ tịch", "name": "Nguyễn Văn Bình"}],
    }
    created = client.post("/api/v1/agencies", json=new)
    assert created.status_code == 201 and created.headers["Location"].endswith("ubnd-ba-dinh")
    assert client.post("/api/v1/agencies", json=new).status_code == 409
    data = example("ke-hoach", agency="ubnd-ba-dinh", signer=None)
    doc = issue(client, "ke-hoach", data).json
    assert doc["symbol"] == "01/KH-UBND"
    assert "Ba Đình, ngày 26 tháng 3 năm 2018" in _text(client.get(doc["files"]["docx"]).data)


@pytest.fixture
def secured(app: Flask) -> Flask:
    app.config["AUTH_REQUIRED"] = True
    return app


def _key(app: Flask, role: str, agencies: list[str]) -> dict[str, str]:
    with app.app_context(), db.current().session() as session:
        _, plaintext = create_key(session, role, agencies)
    return {"Authorization": f"Bearer {plaintext}"}


def test_keys_and_scope(secured: Flask) -> None:
    client = secured.test_client()
    clerk = _key(secured, "clerk", ["bcd138-bimson"])
    admin = _key(secured, "admin", [])
    assert client.get("/api/v1/templates").status_code == 200  # open catalogue
    missing = issue(client, "bao-cao", example("bao-cao"))
    assert missing.status_code == 401 and missing.content_type == PROBLEM
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = issue(client, "bao-cao", example("bao-cao"), headers={"Authorization": "Bearer vb_x"})
    assert wrong.status_code == 401
    ok = issue(client, "bao-cao", example("bao-cao"), headers=clerk)
    assert ok.status_code == 201
    other = issue(client, "quyet-dinh-cong-nhan", example("quyet-dinh-cong-nhan"), headers=clerk)
    assert other.status_code == 403
    assert client.get("/api/v1/registers/ubnd-bac-son", headers=clerk).status_code == 403
    assert client.get("/api/v1/registers/bcd138-bimson", headers=clerk).status_code == 200
    admin_doc = issue(
        client, "quyet-dinh-cong-nhan", example("quyet-dinh-cong-nhan"), headers=admin
    )
    assert client.get(f"/api/v1/documents/{admin_doc.json['id']}", headers=clerk).status_code == 403
    listed = client.get("/api/v1/agencies", headers=clerk).json["items"]
    assert [a["id"] for a in listed] == ["bcd138-bimson"]
    agency = client.get("/api/v1/agencies/bcd138-bimson", headers=clerk).json
    assert (
        client.put("/api/v1/agencies/bcd138-bimson", json=agency, headers=clerk).status_code == 403
    )
    assert (
        client.put("/api/v1/agencies/bcd138-bimson", json=agency, headers=admin).status_code == 200
    )
    render = client.post(
        "/api/v1/render",
        json={"template": "quyet-dinh-cong-nhan", "data": example("quyet-dinh-cong-nhan")},
        headers=clerk,
    )
    assert render.status_code == 403


def test_cli_keys_agencies_db(app: Flask, tmp_path: Any) -> None:
    runner = app.test_cli_runner()
    upgraded = runner.invoke(cli, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    made = runner.invoke(cli, ["keys", "create", "--role", "clerk", "--agency", "ubnd-bac-son"])
    assert made.exit_code == 0, made.output
    plaintext = made.output.strip().splitlines()[-1]
    assert plaintext.startswith("vb_")
    refused = runner.invoke(cli, ["keys", "create", "--role", "clerk"])
    assert refused.exit_code != 0
    source = tmp_path / "more.yaml"
    source.write_text(
        "- id: ubnd-lam-son\n  name: ỦY BAN NHÂN DÂN PHƯỜNG LAM SƠN\n  abbreviation: UBND\n"
        "  place: Lam Sơn\n  signers: [{title: Chủ tịch, name: Lê Văn Tám}]\n",
        encoding="utf-8",
    )
    loaded = runner.invoke(cli, ["agencies", "load", str(source)])
    assert loaded.exit_code == 0, loaded.output
    secured_client = app.test_client()
    app.config["AUTH_REQUIRED"] = True
    headers = {"Authorization": f"Bearer {plaintext}"}
    listed = secured_client.get("/api/v1/agencies", headers=headers).json["items"]
    assert [a["id"] for a in listed] == ["ubnd-bac-son"]
    app.config["AUTH_REQUIRED"] = False
    ids = [a["id"] for a in secured_client.get("/api/v1/agencies").json["items"]]
    assert "ubnd-lam-son" in ids


def test_cli_lists_and_revokes_keys_and_the_api_refuses_a_revoked_key(secured: Flask) -> None:
    runner = secured.test_cli_runner()
    assert runner.invoke(cli, ["keys", "list"]).output.strip() == "Chưa có khóa API nào."
    made = runner.invoke(
        cli,
        ["keys", "create", "--role", "clerk", "--agency", "bcd138-bimson", "--label", "Văn thư"],
    )
    clerk = made.output.strip().splitlines()[-1]
    admin = runner.invoke(cli, ["keys", "create", "--role", "admin"]).output.split()[-1]
    client = secured.test_client()
    headers = {"Authorization": f"Bearer {clerk}"}
    assert client.get("/api/v1/registers/bcd138-bimson", headers=headers).status_code == 200

    listed = runner.invoke(cli, ["keys", "list"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.strip().splitlines()
    assert lines[0].split("\t") == [
        "Mã khóa", "Tiền tố", "Vai trò", "Cơ quan", "Tạo lúc", "Trạng thái", "Ghi chú"
    ]  # fmt: skip
    rows = {line.split("\t")[1]: line.split("\t") for line in lines[1:]}
    clerk_row = rows[clerk[:11] + "…"]
    assert clerk_row[2:4] == ["clerk", "bcd138-bimson"]
    assert clerk_row[5:] == ["đang dùng", "Văn thư"]
    assert rows[admin[:11] + "…"][2:4] == ["admin", "mọi cơ quan"]
    assert clerk not in listed.output and admin not in listed.output  # secrets are never shown
    assert hashlib.sha256(clerk.encode()).hexdigest() not in listed.output

    revoked = runner.invoke(
        cli, ["keys", "revoke", clerk_row[0], "--reason", "Cán bộ chuyển công tác"]
    )
    assert revoked.exit_code == 0, revoked.output
    assert revoked.output.startswith(f"Đã thu hồi khóa {clerk_row[0]} (clerk, bcd138-bimson) lúc ")
    refused = client.get("/api/v1/registers/bcd138-bimson", headers=headers)
    assert refused.status_code == 401 and refused.content_type == PROBLEM
    assert refused.json["detail"] == "Khóa API không đúng hoặc đã bị thu hồi"
    still = client.get("/api/v1/agencies", headers={"Authorization": f"Bearer {admin}"})
    assert still.status_code == 200  # only that key
    after = runner.invoke(cli, ["keys", "list"]).output.splitlines()
    assert "\tđã thu hồi " in next(line for line in after if line.startswith(clerk_row[0]))

    again = runner.invoke(cli, ["keys", "revoke", clerk])  # by the secret itself
    assert again.exit_code == 0 and "đã bị thu hồi từ trước" in again.output
    unknown = runner.invoke(cli, ["keys", "revoke", "khong-co"])
    assert unknown.exit_code != 0 and "Không có khóa 'khong-co'" in unknown.output
