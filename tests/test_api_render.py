"""POST /api/v1/render: the file for valid data, problem+json for everything else."""

from __future__ import annotations

import copy
import json
import unicodedata
from typing import Any
from urllib.parse import unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import DOCX_MEDIA_TYPE, PROBLEM, TEMPLATE_IDS, docx_paragraphs, docx_text

INVALID = "Dữ liệu không hợp lệ"
DOC_TYPES = {
    "ke-hoach": "KH",
    "quyet-dinh-thanh-lap": "QĐ",
    "quyet-dinh-cong-nhan": "QĐ",
    "bao-cao": "BC",
    "giay-cong-nhan": "GCN",
}


def example(client: FlaskClient, template_id: str) -> dict[str, Any]:
    """The template's example data as served by the API."""
    data: dict[str, Any] = client.get(f"/api/v1/templates/{template_id}").get_json()["example"]
    return copy.deepcopy(data)


def render(client: FlaskClient, body: Any) -> Any:
    return client.post("/api/v1/render", json=body)


def assert_problem(response: Any, status: int, title: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.content_type == PROBLEM
    body: dict[str, Any] = response.get_json()
    assert body["status"] == status
    assert body["title"] == title
    assert body["type"] == "about:blank"
    return body


def locs(body: dict[str, Any]) -> list[list[Any]]:
    return [e["loc"] for e in body["errors"]]


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_render_each_example(client: FlaskClient, template_id: str) -> None:
    data = example(client, template_id)
    response = render(client, {"template": template_id, "data": data})
    assert response.status_code == 200
    assert response.content_type == DOCX_MEDIA_TYPE
    paragraphs = docx_paragraphs(response.data)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in paragraphs
    assert "Độc lập - Tự do - Hạnh phúc" in paragraphs
    # No data.number: the number is left blank, as on a draft ("Số:      /BC-BCĐ").
    number_lines = [p for p in paragraphs if p.startswith("Số:")]
    assert len(number_lines) == 1
    assert (
        number_lines[0].startswith("Số:  ")
        and "/" + DOC_TYPES[template_id] + "-" in number_lines[0]
    )
    assert data["signer"]["name"] in paragraphs


def test_render_number_and_filename(client: FlaskClient) -> None:
    data = example(client, "bao-cao")
    data["number"] = 149
    response = render(client, {"template": "bao-cao", "data": data, "format": "docx"})
    assert response.status_code == 200
    paragraphs = docx_paragraphs(response.data)
    assert "Số: 149/BC-BCĐ" in paragraphs
    assert "Bỉm Sơn, ngày 27 tháng 7 năm 2018" in paragraphs
    assert "BÁO CÁO" in paragraphs
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    ascii_name = disposition.split('filename="')[1].split('"')[0]
    assert ascii_name.isascii() and ascii_name.lower() == "149-bc-bcd-2018-07-27.docx"
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert encoded.isascii() and " " not in encoded
    assert unquote(encoded, encoding="utf-8") == "149-BC-BCĐ-2018-07-27.docx"


def test_render_draft_number_blank(client: FlaskClient) -> None:
    data = example(client, "quyet-dinh-cong-nhan")
    response = render(client, {"template": "quyet-dinh-cong-nhan", "data": data})
    assert response.status_code == 200
    assert "Số:      /QĐ-UBND" in docx_paragraphs(response.data)


def test_special_characters_survive(client: FlaskClient) -> None:
    data = example(client, "bao-cao")
    data["summary"] = "Báo cáo <b>x</b> & \"trích dẫn\" 'đơn' 🎉 hết\x00 ở\x0bđây"
    data["content"] = ['Đoạn có <script>alert(1)</script> & &amp; 🎉\x0b và "ngoặc".']
    response = render(client, {"template": "bao-cao", "data": data})
    assert response.status_code == 200
    text = docx_text(response.data)
    assert "Báo cáo <b>x</b> & \"trích dẫn\" 'đơn' 🎉 hết ởđây" in text
    assert 'Đoạn có <script>alert(1)</script> & &amp; 🎉 và "ngoặc".' in text
    assert "\x00" not in text and "\x0b" not in text


def test_text_is_nfc(client: FlaskClient) -> None:
    data = example(client, "bao-cao")
    data["summary"] = unicodedata.normalize("NFD", "Tổng kết công tác năm")
    response = render(client, {"template": "bao-cao", "data": data})
    assert response.status_code == 200
    assert "Tổng kết công tác năm" in docx_paragraphs(response.data)


def test_invalid_fields_all_listed(client: FlaskClient) -> None:
    data = example(client, "bao-cao")
    del data["summary"]
    data["date"] = "2021-02-30"
    data["signer"] = {"authority": "XYZ", "title": "Trưởng ban"}
    response = render(client, {"template": "bao-cao", "data": data})
    body = assert_problem(response, 422, INVALID)
    assert sorted(locs(body)) == sorted(
        [
            ["data", "summary"],
            ["data", "date"],
            ["data", "signer", "authority"],
            ["data", "signer", "name"],
        ]
    )
    assert body["detail"] == "4 lỗi trong dữ liệu gửi lên"
    messages = {tuple(e["loc"]): e["msg"] for e in body["errors"]}
    assert messages[("data", "summary")] == "Thiếu trường bắt buộc"
    assert messages[("data", "signer", "name")] == "Thiếu trường bắt buộc"
    assert "TM" in messages[("data", "signer", "authority")]
    assert "Ngày" in messages[("data", "date")]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"template": "bao-cao", "data": [1, 2]}, [["data"]]),
        ({"template": "bao-cao", "data": "văn bản"}, [["data"]]),
        ({}, [["template"], ["data"]]),
        ({"data": {}}, [["template"]]),
        ({"template": 5, "data": {}}, [["template"]]),
        ([{"template": "bao-cao"}], [[]]),
        ("bao-cao", [[]]),
        (None, [[]]),
    ],
)
def test_invalid_envelope(client: FlaskClient, body: Any, expected: list[list[Any]]) -> None:
    response = client.post("/api/v1/render", data=json.dumps(body), content_type="application/json")
    problem = assert_problem(response, 422, INVALID)
    assert locs(problem) == expected
    assert all(e["msg"] for e in problem["errors"])


def test_wrong_format(client: FlaskClient) -> None:
    data = example(client, "ke-hoach")
    problem = assert_problem(
        render(client, {"template": "ke-hoach", "data": data, "format": "xlsx"}), 422, INVALID
    )
    assert locs(problem) == [["format"]]


def test_envelope_and_data_problems_together(client: FlaskClient) -> None:
    data = example(client, "ke-hoach")
    data["date"] = "27/07/2018"
    body = {"template": "ke-hoach", "data": data, "format": "odt", "extra": 1}
    problem = assert_problem(render(client, body), 422, INVALID)
    assert locs(problem) == [["format"], ["extra"], ["data", "date"]]


def test_unknown_template(client: FlaskClient) -> None:
    problem = assert_problem(
        render(client, {"template": "khong-co", "data": {}}), 404, "Không có mẫu văn bản này"
    )
    assert "khong-co" in problem["detail"]


def test_unknown_agency(client: FlaskClient) -> None:
    data = example(client, "bao-cao")
    data["agency"] = "khong-co"
    assert_problem(
        render(client, {"template": "bao-cao", "data": data}), 404, "Không có cơ quan này"
    )


def test_pdf_without_a_pdf_worker_is_503_at_once(client: FlaskClient) -> None:
    data = example(client, "bao-cao")
    problem = assert_problem(
        render(client, {"template": "bao-cao", "data": data, "format": "pdf"}),
        503,
        "Bộ chuyển đổi PDF không sẵn sàng",
    )
    assert "PDF" in problem["detail"] and "DOCX" in problem["detail"]


class FakePdf:
    """Stands in for service.pdf.client.PdfClient: records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def convert(self, docx: bytes, *, fmt: str, metadata: Any) -> bytes:
        self.calls.append({"fmt": fmt, "metadata": metadata})
        return b"%PDF-1.7 " + docx[:4]


@pytest.mark.parametrize(
    ("extra", "fmt", "name"),
    [
        ({"format": "pdf"}, "pdf", "07-BC-BC%C4%90-2018-07-27.pdf"),
        ({"format": "pdf", "pdfa": True}, "pdfa", "07-BC-BC%C4%90-2018-07-27-pdfa.pdf"),
        ({"format": "pdfa"}, "pdfa", "07-BC-BC%C4%90-2018-07-27-pdfa.pdf"),
    ],
)
def test_pdf_goes_through_the_pdf_client(
    app: Flask, client: FlaskClient, extra: dict[str, Any], fmt: str, name: str
) -> None:
    fake = FakePdf()
    app.extensions["vanban.pdf"] = fake
    data = example(client, "bao-cao")
    data["number"] = 7
    response = render(client, {"template": "bao-cao", "data": data, **extra})
    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    assert response.data == b"%PDF-1.7 PK\x03\x04"
    assert f"filename*=UTF-8''{name}" in response.headers["Content-Disposition"]
    [call] = fake.calls
    assert call["fmt"] == fmt
    meta = call["metadata"]
    assert (meta.title, meta.subject) == (data["summary"], "07/BC-BCĐ")
    assert meta.author == "BAN CHỈ ĐẠO 138"


def test_pdfa_with_docx_is_422(client: FlaskClient) -> None:
    data = example(client, "bao-cao")
    response = render(client, {"template": "bao-cao", "data": data, "pdfa": True})
    problem = assert_problem(response, 422, "Dữ liệu không hợp lệ")
    assert problem["errors"][0]["msg"] == 'pdfa chỉ dùng với "format": "pdf"'


@pytest.mark.parametrize(
    ("payload", "content_type"),
    [
        (b'{"template": "bao-cao", "data": {', "application/json"),
        (b"{'template': 'bao-cao'}", "application/json"),
        (b"", "application/json"),
        (b"\xff\xfe{}", "application/json"),
        (b'{"template": "bao-cao", "data": {}}', "text/plain"),
        (b"template=bao-cao", "application/x-www-form-urlencoded"),
        (b'{"template": "bao-cao", "data": {}}', None),
    ],
)
def test_unreadable_body(client: FlaskClient, payload: bytes, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/api/v1/render", data=payload, headers=headers)
    problem = assert_problem(response, 400, "Yêu cầu không đọc được")
    assert problem["detail"]


def test_json_with_charset_accepted(client: FlaskClient) -> None:
    body = json.dumps({"template": "bao-cao", "data": example(client, "bao-cao")})
    response = client.post(
        "/api/v1/render", data=body.encode(), content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 200


def test_body_over_limit(app: Flask, client: FlaskClient) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] == 4 * 1024 * 1024
    data = example(client, "bao-cao")
    data["content"] = ["x" * 1000] * 4200
    response = client.post(
        "/api/v1/render",
        data=json.dumps({"template": "bao-cao", "data": data}),
        content_type="application/json",
    )
    problem = assert_problem(response, 413, "Dữ liệu gửi lên quá lớn")
    assert "4 MB" in problem["detail"]


def test_configured_limit(app: Flask, client: FlaskClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 2048
    response = render(client, {"template": "bao-cao", "data": {"summary": "x" * 4000}})
    problem = assert_problem(response, 413, "Dữ liệu gửi lên quá lớn")
    assert "2 KB" in problem["detail"]


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (1.5e28, "15.000.000.000.000.000.000.000.000.000"),
        (10**30, "1" + ".000" * 10),
        (1.2345678901234568e28, "12.345.678.901.234.568.000.000.000.000"),
    ],
)
def test_huge_figure_in_a_table_is_written_in_full(
    client: FlaskClient, cell: float | int, text: str
) -> None:
    """Figures of 10^28 and more were a 500 (babel's rounding ran out of precision)."""
    data = example(client, "bao-cao")
    data["content"] = [{"table": {"columns": ["Chỉ tiêu", "Giá trị"], "rows": [["A", cell]]}}]
    response = render(client, {"template": "bao-cao", "data": data})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert text in docx_text(response.data)
