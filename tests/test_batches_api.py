"""POST /api/v1/batches: every row validated first, uploads read or refused, no number taken."""

from __future__ import annotations

import io
import json
import unicodedata
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import db
from service.batches.schema import check_callback_url
from service.batches.upload import read_upload
from service.register import last_number
from tests.batch_helpers import certificate_common, unit_rows
from tests.test_batches_upload import xlsx

PROBLEM = "application/problem+json"


def post(client: FlaskClient, **body: Any) -> Any:
    body.setdefault("template", "giay-cong-nhan")
    return client.post("/api/v1/batches", json=body)


def upload(client: FlaskClient, content: bytes, name: str, **fields: Any) -> Any:
    data = {"template": "giay-cong-nhan", "issue": "true", **fields}
    data["file"] = (io.BytesIO(content), name)
    return client.post("/api/v1/batches", data=data, content_type="multipart/form-data")


def _last(app: Flask) -> int:
    with app.app_context(), db.current().session() as session:
        return last_number(session, "ubnd-bac-son", "giay-cong-nhan", 2024)


def test_accepted_batch_reserves_one_block(client: FlaskClient, app: Flask) -> None:
    response = post(client, common=certificate_common(), rows=unit_rows(3), issue=True)
    assert response.status_code == 202, response.json
    body = response.json
    assert response.headers["Location"] == f"/api/v1/batches/{body['id']}"
    assert (body["status"], body["total"], body["first_number"]) == ("queued", 3, 1)
    assert _last(app) == 3
    again = post(client, common=certificate_common(), rows=unit_rows(2), issue=True).json
    assert again["first_number"] == 4
    state = client.get(body["url"]).json
    assert (state["status"], state["done"], state["failed"], state["pending"]) == (
        "queued",
        0,
        0,
        3,
    )
    assert state["last_number"] == 3 and state["documents"] == []


def test_one_bad_row_refuses_the_batch(client: FlaskClient, app: Flask) -> None:
    rows = unit_rows(8)
    rows[5] = {"unit": {"address": "Phường Bắc Sơn"}}  # no name
    rows[6]["year"] = 1800
    response = post(client, common=certificate_common(), rows=rows, issue=True)
    assert response.status_code == 422 and response.content_type == PROBLEM
    errors = {tuple(e["loc"]): e["msg"] for e in response.json["errors"]}
    assert {loc[:2] for loc in errors} == {("rows", 5), ("rows", 6)}
    assert errors["rows", 5, "unit", "name"].startswith("Dòng 6: ")
    assert errors["rows", 6, "year"].startswith("Dòng 7: ")
    # The missing name is one error: the trích yếu derived from it is not a second one.
    assert sorted(loc for loc in errors if loc[:2] == ("rows", 5)) == [("rows", 5, "unit", "name")]
    assert _last(app) == 0  # no number taken


def test_upload_errors_name_the_excel_rows(client: FlaskClient, app: Flask) -> None:
    header = ["unit.name", "unit.address"]
    lines = [header, *[[f"Khu phố {i}", "Bắc Sơn"] for i in range(1, 9)]]
    lines[6] = [None, "Bắc Sơn"]  # Excel row 7, rows index 5
    content = xlsx(lines)
    import json

    response = upload(client, content, "rows.xlsx", common=json.dumps(certificate_common()))
    assert response.status_code == 422
    errors = {tuple(e["loc"]): e["msg"] for e in response.json["errors"]}
    assert {loc[:2] for loc in errors} == {("rows", 5)}
    assert errors["rows", 5, "unit", "name"].startswith("Dòng 7: ")
    assert _last(app) == 0


def test_upload_accepted_with_common_json(client: FlaskClient) -> None:
    import json

    content = xlsx([["unit.name", "unit.address"], ["Khu phố 1", "Bắc Sơn"], ["Khu phố 2", None]])
    response = upload(client, content, "rows.xlsx", common=json.dumps(certificate_common()))
    assert response.status_code == 202, response.json
    state = client.get(response.json["url"]).json
    assert state["total"] == 2 and state["source"] == "rows.xlsx" and state["issue"] is True


@pytest.mark.parametrize(
    ("content", "name", "status"),
    [
        (b"%PDF-1.7", "rows.pdf", 415),
        (b"PK\x03\x04garbage", "rows.xlsx", 400),
        (xlsx([]), "rows.xlsx", 422),
        (b"unit.name\n", "rows.csv", 422),
        ("unit.name\n" + "Khu\n" * 6, "rows.csv", 413),
    ],
    ids=["pdf", "corrupt", "empty-sheet", "header-only", "over-limit"],
)
def test_refused_uploads(
    app: Flask, client: FlaskClient, content: Any, name: str, status: int
) -> None:
    app.config["BATCH_MAX_ROWS"] = 5
    raw = content.encode() if isinstance(content, str) else content
    response = upload(client, raw, name)
    assert response.status_code == status
    assert response.content_type == PROBLEM
    assert response.json["detail"]


UNCLOSED = (
    "Tệp CSV có dấu ngoặc kép chưa đóng (từ dòng {line}, cột {column}): phần còn lại của tệp "
    'sẽ bị đọc thành một ô; hãy thêm dấu " đóng hoặc bỏ dấu " thừa'
)


@pytest.mark.parametrize(
    ("content", "line", "column"),
    [
        # Read leniently, the rest of the file was one address: one valid row instead of two.
        ('unit.name,unit.address\nKhu 1,"Phường A\nKhu 2,Phường B\n', 2, "B"),
        ('unit.name,unit.address\n"Khu dân cư số 1,Phường A\nKhu 2,Phường B\n', 2, "A"),
        # A quoted line break before it (lines of the file, not rows), no final newline.
        ('unit.name;unit.address\r\n"Khu\r\nsố 1";A\r\nKhu 2;"B\r\nKhu 3;C', 4, "B"),
    ],
    ids=["last-column", "first-column", "after-a-quoted-line-break"],
)
def test_csv_with_an_unclosed_quote_is_refused(
    app: Flask, client: FlaskClient, content: str, line: int, column: str
) -> None:
    common = json.dumps(certificate_common(), ensure_ascii=False)
    response = upload(client, content.encode(), "rows.csv", common=common)
    assert response.status_code == 422, response.json
    assert response.content_type == PROBLEM
    message = UNCLOSED.format(line=line, column=column)
    assert response.json["errors"] == [{"loc": ["file"], "msg": message}]
    assert unicodedata.is_normalized("NFC", message)
    assert _last(app) == 0


def test_csv_quoted_line_breaks_are_kept(client: FlaskClient) -> None:
    content = (
        'unit.name,unit.address\n"Khu dân cư\nsố 1","Phường A"\nKhu 2,"Phường B, ""Bắc""\n'
        'Sơn"\n"Khu 3","Phường\r\nC"'  # the last line without a newline
    )
    common = json.dumps(certificate_common(), ensure_ascii=False)
    response = upload(client, content.encode(), "rows.csv", common=common, issue="false")
    assert response.status_code == 202, response.json
    assert client.get(response.json["url"]).json["total"] == 3
    sheet = read_upload(content.encode(), "rows.csv", "text/csv", 10)
    assert sheet.lines == [2, 3, 4]
    assert [row["unit"] for row in sheet.rows] == [
        {"name": "Khu dân cư\nsố 1", "address": "Phường A"},
        {"name": "Khu 2", "address": 'Phường B, "Bắc"\nSơn'},
        {"name": "Khu 3", "address": "Phường\r\nC"},
    ]


def test_json_over_the_row_limit(app: Flask, client: FlaskClient) -> None:
    app.config["BATCH_MAX_ROWS"] = 5
    response = post(client, common=certificate_common(), rows=unit_rows(6), issue=True)
    assert response.status_code == 413 and response.content_type == PROBLEM


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"template": "khong-co", "rows": [{}]}, 404),
        ({"rows": []}, 422),
        ({"rows": [{}], "callback_url": "ftp://example.org/x"}, 422),
        # Each of these was accepted, then failed in the worker for good.
        ({"rows": [{}], "callback_url": "http://[::1/"}, 422),
        ({"rows": [{}], "callback_url": "http://example.org:abc/"}, 422),
        ({"rows": [{}], "callback_url": "http://example.org:-1/"}, 422),
        ({"rows": [{}], "callback_url": "http://example.org:70000/"}, 422),
        ({"rows": [{}], "callback_url": "https://a b/"}, 422),
        ({"rows": [{}], "formats": ["odt"]}, 422),
        ({"rows": [{}], "parent": "khong-co"}, 404),
    ],
)
def test_refused_bodies(client: FlaskClient, body: dict[str, Any], status: int) -> None:
    response = post(client, **body)
    assert response.status_code == status and response.content_type == PROBLEM


def test_refused_callback_url_is_said_in_vietnamese(client: FlaskClient) -> None:
    response = post(client, rows=[{}], callback_url="http://[::1/")
    (error,) = response.json["errors"]
    assert error["loc"] == ["callback_url"]
    assert error["msg"] == "callback_url phải là địa chỉ http:// hoặc https:// hợp lệ"


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/hook", "https://[::1]:8443/h?x=1", "https://bộ.gov.vn/cb"]
)
def test_usable_callback_urls_are_accepted(url: str) -> None:
    assert check_callback_url(url) == url


def test_numeric_headers_are_unknown_fields_not_a_500(client: FlaskClient) -> None:
    response = upload(client, xlsx([[1, 2.5], ["a", "b"]]), "rows.xlsx")
    assert response.status_code == 422 and response.content_type == PROBLEM
    assert response.json["errors"]


def test_unknown_batch(client: FlaskClient) -> None:
    for path in ("", "/archive", "/merged.pdf"):
        assert client.get(f"/api/v1/batches/nope{path}").status_code == 404
    assert client.post("/api/v1/batches/nope/retry").status_code == 404


def test_archive_waits_for_the_batch(client: FlaskClient) -> None:
    body = post(client, common=certificate_common(), rows=unit_rows(1), issue=True).json
    response = client.get(f"/api/v1/batches/{body['id']}/archive")
    assert response.status_code == 409 and response.content_type == PROBLEM


def test_parent_fills_agency_decision_and_year(client: FlaskClient) -> None:
    from tests.test_api_register import example, issue

    decision = issue(client, "quyet-dinh-cong-nhan", example("quyet-dinh-cong-nhan")).json
    common = {"date": "2024-11-22", "signer": {"title": "Chủ tịch", "name": "Trịnh Văn Hùng"}}
    response = post(client, common=common, rows=unit_rows(2), issue=True, parent=decision["id"])
    assert response.status_code == 202, response.json
    wrong = post(
        client,
        common={**common, "agency": "ubnd-bimson"},
        rows=unit_rows(1),
        issue=True,
        parent=decision["id"],
    )
    assert wrong.status_code == 422 and wrong.json["errors"][0]["loc"] == ["parent"]


def test_rows_template_workbook(client: FlaskClient) -> None:
    response = client.get("/api/v1/templates/giay-cong-nhan/rows.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    data, help_sheet = book.worksheets
    header = [c.value for c in data[1]]
    assert {"unit.name", "unit.address", "year", "decision.symbol"} <= set(header)
    explained = {row[0]: row[3] for row in help_sheet.iter_rows(min_row=5, values_only=True)}
    assert set(header) == set(explained)
    assert "Tên đơn vị" in str(explained["unit.name"])
    assert client.get("/api/v1/templates/khong-co/rows.xlsx").status_code == 404
