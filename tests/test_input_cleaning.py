"""Characters nobody sees, impossible strings, dates and pages out of range: clean or 422.

Every test here runs on SQLite and again on PostgreSQL (the ``app`` fixture),
which refuses U+0000 in text and JSON: an issue that kept it would fail there.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import db, templates
from service.register.models import Document
from service.validation import _message, cleaned
from tests.docx_utils import text as docx_text
from tests.test_api_render import assert_problem

INVALID = "Dữ liệu không hợp lệ"
REGISTER = "/api/v1/registers/bcd138-bimson"


def example(template_id: str, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(templates.get(template_id).example())
    data.update(changes)
    return data


def issue(client: FlaskClient, template_id: str, data: dict[str, Any]) -> Any:
    return client.post("/api/v1/documents", json={"template": template_id, "data": data})


def post_raw(client: FlaskClient, path: str, body: str) -> Any:
    """``body`` sent as written (json= would escape what these tests need raw)."""
    return client.post(
        path, data=body.encode("utf-8", "surrogatepass"), content_type="application/json"
    )


def test_invisible_characters_are_dropped_everywhere(app: Flask, client: FlaskClient) -> None:
    data = example(
        "bao-cao",
        summary="Báo cáo\x00 tổng\x0b kết\x01",
        recipients=["Ban Chỉ đạo\x0c tỉnh", "UBND thị xã\x1f"],
        content=["Đoạn\x00 một\x08 có\ufffe ký tự ẩn."],
    )
    data["signer"] = {**data["signer"], "name": "Mai\x07 Đình Lâm"}
    response = issue(client, "bao-cao", data)
    assert response.status_code == 201, response.json
    location = response.headers["Location"]
    doc = client.get(location).json
    assert doc["summary"] == "Báo cáo tổng kết"
    assert doc["signer"] == "Mai Đình Lâm"
    text = docx_text(client.get(f"{location}/file").data)
    assert "Báo cáo tổng kết" in text and "Đoạn một có ký tự ẩn." in text
    # Stored as cleaned: the register (search, exports) never sees them.
    with app.app_context():
        stored = db.request_session().get(Document, doc["id"])
        assert stored is not None
        dumped = json.dumps(stored.data, ensure_ascii=False) + stored.recipients
    assert "Ban Chỉ đạo tỉnh" in dumped
    assert not any(c in dumped for c in "\x00\x01\x07\x08\x0b\x0c\x1f\ufffe")
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(REGISTER + "?format=xlsx").data)).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("Báo cáo tổng kết" in c for c in cells)


def test_text_of_invisible_characters_only_is_empty(client: FlaskClient) -> None:
    response = issue(client, "bao-cao", example("bao-cao", summary="\x01\x02 "))
    problem = assert_problem(response, 422, INVALID)
    assert problem["errors"] == [
        {"loc": ["data", "summary"], "msg": "Không được để trống", "type": "too_short"}
    ]


def test_unpaired_surrogate_is_422_in_vietnamese(client: FlaskClient) -> None:
    body = '{"template": "bao-cao", "data": {"summary": "B\\ud800o c\\udfffo"}}'
    for path in ("/api/v1/render", "/api/v1/documents"):
        problem = assert_problem(post_raw(client, path, body), 422, INVALID)
        assert problem["errors"] == [
            {
                "loc": ["data", "summary"],
                "msg": "Chuỗi có ký tự không hợp lệ (U+D800)",
                "type": "string_unicode",
            }
        ]
    assert client.get(REGISTER).json["total"] == 0


def test_revoke_reason_is_cleaned_and_checked(client: FlaskClient) -> None:
    location = issue(client, "bao-cao", example("bao-cao")).headers["Location"]
    problem = assert_problem(
        client.post(f"{location}/revoke", json={"reason": "\x00"}), 422, INVALID
    )
    assert problem["errors"][0]["msg"] == "Không được để trống"
    revoked = client.post(f"{location}/revoke", json={"reason": "Sai\x00 số liệu"})
    assert revoked.status_code == 200 and revoked.json["revoked_reason"] == "Sai số liệu"
    assert client.get(REGISTER + "?format=xlsx").status_code == 200


def test_string_lengths_speak_of_characters(client: FlaskClient) -> None:
    problem = assert_problem(
        issue(client, "bao-cao", example("bao-cao", summary="a" * 2001)), 422, INVALID
    )
    assert problem["errors"][0]["msg"] == "Quá dài (tối đa 2000 ký tự)"
    data = example("bao-cao")
    data["recipients"] = ["x"] * 201
    problem = assert_problem(issue(client, "bao-cao", data), 422, INVALID)
    assert problem["errors"][0]["msg"] == "Tối đa 200 phần tử"  # a list still counts elements


@pytest.mark.parametrize(
    ("date", "msg"),
    [
        (0, "Ngày phải có dạng YYYY-MM-DD"),
        (86400, "Ngày phải có dạng YYYY-MM-DD"),
        ("0001-01-01", "Năm phải từ 1900 đến 2200"),
        ("9999-12-31", "Năm phải từ 1900 đến 2200"),
        ("2018-02-30", "Ngày không tồn tại hoặc sai dạng YYYY-MM-DD"),
    ],
)
def test_document_dates_in_the_registers_years(client: FlaskClient, date: Any, msg: str) -> None:
    problem = assert_problem(issue(client, "bao-cao", example("bao-cao", date=date)), 422, INVALID)
    assert [(e["loc"], e["msg"]) for e in problem["errors"]] == [(["data", "date"], msg)]


def test_certificate_decision_date_is_checked_the_same(client: FlaskClient) -> None:
    data = example("giay-cong-nhan")
    data["decision"] = {**data["decision"], "date": 0}
    problem = assert_problem(issue(client, "giay-cong-nhan", data), 422, INVALID)
    assert [e["loc"] for e in problem["errors"]] == [["data", "decision", "date"]]


def test_every_issuable_year_can_be_shown(client: FlaskClient) -> None:
    for year in (1900, 2200):
        response = issue(client, "bao-cao", example("bao-cao", date=f"{year}-06-01"))
        assert response.status_code == 201
        assert client.get(f"{REGISTER}?year={year}").json["total"] == 1


def test_empty_archive_unit_is_422(client: FlaskClient) -> None:
    response = issue(client, "bao-cao", example("bao-cao", archive=[""]))
    problem = assert_problem(response, 422, INVALID)
    assert problem["errors"][0]["loc"] == ["data", "archive", 0]


@pytest.mark.parametrize("path", [REGISTER, "/api/v1/batches"])
def test_page_beyond_any_list_is_422(client: FlaskClient, path: str) -> None:
    response = client.get(f"{path}?page=999999999999999999999999999999")
    problem = assert_problem(response, 422, INVALID)
    assert problem["errors"][0]["loc"] == ["page"]
    assert problem["errors"][0]["msg"] == "Phải nhỏ hơn hoặc bằng 1000000"
    assert client.get(f"{path}?page=1000000").status_code == 200


def test_exports_never_carry_a_formula(client: FlaskClient) -> None:
    formula = '=HYPERLINK("http://example.com","Bấm")'
    data = example("bao-cao", recipients=[formula])
    assert issue(client, "bao-cao", data).status_code == 201
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(REGISTER + "?format=xlsx").data)).active
    assert sheet is not None
    found = [c for row in sheet.iter_rows() for c in row if c.value == formula]
    assert len(found) == 1 and found[0].data_type == "s"
    body = client.get(REGISTER + "?format=csv").data.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body)))[1][5] == "'" + formula


def test_export_survives_rows_stored_before_cleaning(app: Flask, client: FlaskClient) -> None:
    assert issue(client, "bao-cao", example("bao-cao")).status_code == 201
    with app.app_context():
        session = db.request_session()
        doc = session.query(Document).one()
        doc.summary = "Báo cáo\x01 cũ"  # as an older version stored it (not U+0000: PostgreSQL)
        session.commit()
    response = client.get(REGISTER + "?format=xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "Báo cáo: Báo cáo cũ" in cells


def test_pydantic_english_never_reaches_the_client() -> None:
    error = {"type": "uuid_parsing", "msg": "Input should be a valid UUID", "ctx": {}}
    assert _message(error) == "Giá trị không hợp lệ"
    ours = {"type": "signature", "msg": "Thiếu chức danh người đứng đầu"}
    assert _message(ours) == "Thiếu chức danh người đứng đầu"


def test_clean_requests_pass_through_untouched() -> None:
    for template in templates.all_templates():
        data = template.example()
        assert cleaned(data) is data  # the check on every request copies nothing
    nested = {"a": [{"b": ["x", {"c": "y\x0bz"}]}], "n": 1, "ok": None}
    assert cleaned(nested) == {"a": [{"b": ["x", {"c": "yz"}]}], "n": 1, "ok": None}
    assert cleaned({"a": ["tab\tand\nlines\r"]}) == {"a": ["tab\tand\nlines\r"]}


def test_a_page_no_document_has_is_404_before_any_pdf_worker(client: FlaskClient) -> None:
    # No pdf worker runs here: a page number in range would get 503 (no worker).
    body = {"template": "bao-cao", "data": example("bao-cao")}
    for page in ("10001", "99999999999999999999"):
        response = client.post(f"/api/v1/render/pages/{page}.png", json=body)
        problem = assert_problem(response, 404, "Không tìm thấy")
        assert f"Không có trang {page}" in problem["detail"]
    assert client.post("/api/v1/render/pages/1.png", json=body).status_code == 503
