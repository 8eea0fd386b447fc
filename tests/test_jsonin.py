"""JSON from outside: nesting, huge integers and NaN are bad input, never a crash."""

from __future__ import annotations

import io
import json
import unicodedata

import pytest
from flask.testing import FlaskClient

from service import jsonin
from tests.test_api_render import assert_problem

DEEP_LIST = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 50_000 + "1" + "}" * 50_000


def _nested(depth: int) -> str:
    return '{"a":' * (depth - 1) + "[1]" + "}" * (depth - 1)


def test_decode_accepts_ordinary_json() -> None:
    assert jsonin.decode('{"a": [1, 2.5, "Bỉm Sơn", null, true]}') == {
        "a": [1, 2.5, "Bỉm Sơn", None, True]
    }
    assert jsonin.decode(_nested(jsonin.MAX_DEPTH)) is not None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (DEEP_LIST, "lồng nhau quá 64 tầng"),
        (DEEP_OBJECT, "lồng nhau quá 64 tầng"),
        (_nested(jsonin.MAX_DEPTH + 1), "lồng nhau quá 64 tầng"),  # parses, then refused
        ('{"number": ' + "9" * 5000 + "}", "số nguyên quá dài"),
        ('{"number": NaN}', "NaN không phải giá trị JSON hợp lệ"),
        ("[-Infinity]", "-Infinity không phải giá trị JSON hợp lệ"),
        ('{"t": "\\u12"}', "chuỗi thoát \\uXXXX không hợp lệ"),
        ('{"a": 1,}', "tên trường phải đặt trong ngoặc kép"),
    ],
)
def test_decode_refuses_with_a_vietnamese_reason(text: str, reason: str) -> None:
    with pytest.raises(jsonin.Unreadable) as caught:
        jsonin.decode(text)
    assert reason in caught.value.reason


def test_unknown_parser_message_is_not_passed_through() -> None:
    assert jsonin.reason("Some new message of a later Python") == "không đọc được"


def test_too_deep_counts_levels() -> None:
    assert not jsonin.too_deep(1, limit=1)
    assert not jsonin.too_deep([], limit=1)
    assert jsonin.too_deep([[]], limit=1)
    assert not jsonin.too_deep({"a": [1], "b": {"c": 2}}, limit=2)
    assert jsonin.too_deep({"a": [1], "b": {"c": [2]}}, limit=2)


BAD_BODIES = [
    DEEP_LIST,
    DEEP_OBJECT,
    '{"template": "bao-cao", "data": {"number": 1' + "0" * 5000 + "}}",
]


@pytest.mark.parametrize("body", BAD_BODIES, ids=["deep-list", "deep-object", "long-integer"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/render",
        "/api/v1/documents",
        "/api/v1/batches",
        "/api/v1/agencies",
        "/api/v1/documents/x/revoke",
    ],
)
def test_every_json_endpoint_answers_400(client: FlaskClient, path: str, body: str) -> None:
    response = client.post(path, data=body, content_type="application/json")
    problem = assert_problem(response, 400, "Yêu cầu không đọc được")
    detail = problem["detail"]
    assert detail.startswith("JSON không được chấp nhận: ")
    assert unicodedata.is_normalized("NFC", detail)


def test_nan_in_data_is_400_not_an_english_422(client: FlaskClient) -> None:
    body = '{"template": "bao-cao", "data": {"number": NaN}}'
    response = client.post("/api/v1/render", data=body, content_type="application/json")
    problem = assert_problem(response, 400, "Yêu cầu không đọc được")
    assert "NaN" in problem["detail"] and "finite" not in problem["detail"]


def test_batch_common_field_too_deep_is_422(client: FlaskClient) -> None:
    csv = "name\nKhu dân cư số 1\n".encode()
    response = client.post(
        "/api/v1/batches",
        data={
            "template": "giay-cong-nhan",
            "common": DEEP_OBJECT,
            "file": (io.BytesIO(csv), "rows.csv"),
        },
        content_type="multipart/form-data",
    )
    problem = assert_problem(response, 422, "Dữ liệu không hợp lệ")
    (error,) = problem["errors"]
    assert error["loc"] == ["common"]
    assert "lồng nhau quá 64 tầng" in error["msg"]


def test_syntax_errors_keep_their_place(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/render", data='{"template": "\\u12"}', content_type="application/json"
    )
    problem = assert_problem(response, 400, "Yêu cầu không đọc được")
    assert problem["detail"] == (
        "JSON sai cú pháp ở dòng 1, cột 16: chuỗi thoát \\uXXXX không hợp lệ."
    )
    assert json.loads(response.data)["status"] == 400
