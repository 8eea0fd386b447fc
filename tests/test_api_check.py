"""POST /api/v1/check: the conformance report of an uploaded .docx."""

from __future__ import annotations

import io
import re
import time
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from service import vn
from service.conformance.package import LIMITS
from tests import conformance_docs as cd
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


_zip = cd.zip_of


def test_check_not_a_docx(client: FlaskClient) -> None:
    response = upload(client, b"%PDF-1.7 this is not a docx", "van-ban.pdf")
    assert response.status_code == 400
    assert response.content_type == PROBLEM
    body = response.get_json()
    assert body["title"] == "Yêu cầu không đọc được"
    assert ".docx" in body["detail"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"%PDF-1.7 this is not a docx", "không phải tệp nén ZIP"),
        (_zip({"word/styles.xml": "<x/>"}), "thiếu word/document.xml"),
        (_zip({"word/document.xml": "<w:document"}), "phần word/document.xml hỏng"),
    ],
    ids=["not-a-zip", "no-document", "broken-xml"],
)
def test_check_says_why_a_file_is_no_docx(client: FlaskClient, content: bytes, reason: str) -> None:
    response = upload(client, content)
    assert response.status_code == 400
    assert response.get_json()["detail"] == f"Tệp không phải .docx hợp lệ: {reason}"


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


def _edit(data: bytes, change: Callable[[str], str], part: str = "word/document.xml") -> bytes:
    return cd.edit_part(data, part, change)


_RULE = '<w:p><w:pPr><w:pStyle w:val="VBRule"/>'
_VML = '<v:line xmlns:v="urn:schemas-microsoft-com:vml" from="1.2.3,0" to="5,0"/>'
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_EXTENT = f'<wp:inline xmlns:wp="{_WP}"><wp:extent cx="²" cy="0"/></wp:inline>'
_NINES = "9" * 5000

# One change each to a rendered decision, as the fuzzer made them: (document part, change).
HOSTILE: dict[str, tuple[str, Callable[[str], str]]] = {
    "margin 1e999": ("word/document.xml", lambda s: s.replace('w:left="1701"', 'w:left="1e999"')),
    "margin inf": ("word/document.xml", lambda s: s.replace('w:left="1701"', 'w:left="inf"')),
    "number ²": ("word/document.xml", lambda s: re.sub("Số: [0-9]+/", "Số: ²/", s)),
    "number 5000 digits": (
        "word/document.xml",
        lambda s: re.sub("Số: [0-9]+/", f"Số: {_NINES}/", s),
    ),
    "article 5000 digits": ("word/document.xml", lambda s: s.replace("Điều 1.", f"Điều {_NINES}.")),
    "Như Điều 5000 digits": (
        "word/document.xml",
        lambda s: s.replace("Như Điều 3", f"Như Điều {_NINES}"),
    ),
    "sz 0": ("word/styles.xml", lambda s: re.sub(r'(<w:sz w:val=")[^"]*', r"\g<1>0", s)),
    "sz -4": ("word/styles.xml", lambda s: re.sub(r'(<w:sz w:val=")[^"]*', r"\g<1>-4", s)),
    "vml 1.2.3": (
        "word/document.xml",
        lambda s: s.replace(_RULE, f"<w:p><w:r><w:pict>{_VML}</w:pict></w:r></w:p>{_RULE}", 1),
    ),
    "extent ²": (
        "word/document.xml",
        lambda s: s.replace(
            _RULE, f"<w:p><w:r><w:drawing>{_EXTENT}</w:drawing></w:r></w:p>{_RULE}", 1
        ),
    ),
}
EXPECTED: dict[str, tuple[int, str]] = {  # status, words of the detail or of a finding
    "margin 1e999": (400, "thuộc tính w:left của thẻ w:pgMar trong word/document.xml"),
    "margin inf": (400, "có giá trị “inf”, không phải số đo hợp lệ"),
    "number ²": (200, "“Số: ²/QĐ-UBND”"),
    "number 5000 digits": (200, "“Số: 9999999999"),
    "article 5000 digits": (200, "Điều 99999999999…"),
    "Như Điều 5000 digits": (200, "“Như Điều 99999"),
    "sz 0": (200, "12–13 pt 0 pt"),
    "sz -4": (400, "thuộc tính w:val của thẻ w:sz trong word/styles.xml có giá trị “-4”"),
    "vml 1.2.3": (400, "thuộc tính from của thẻ v:line"),
    "extent ²": (400, "thuộc tính cx của thẻ wp:extent"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_check_hostile_document_is_a_report_or_a_4xx(client: FlaskClient, case: str) -> None:
    part, change = HOSTILE[case]
    response = upload(client, _edit(rendered(client, "quyet-dinh-cong-nhan"), change, part))
    status, words = EXPECTED[case]
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body = response.get_json()
    if status == 200:
        found = " ".join(f"{f['expected']} {f['found']}" for f in body["findings"])
        assert words in found
        return
    assert response.content_type == PROBLEM
    assert body["title"] == "Yêu cầu không đọc được"
    assert body["detail"].startswith("Tệp không phải .docx hợp lệ: ")
    assert words in body["detail"]
    assert len(body["detail"]) < 250
    assert unicodedata.is_normalized("NFC", body["detail"])


_flag_entries = cd.flag_entries


@pytest.mark.parametrize(
    ("flag", "method", "words"),
    [
        (1, None, "phần word/document.xml được mã hóa (tệp nén có mật khẩu)."),
        (0, 9, "nén theo cách không hỗ trợ (phương thức 9)."),
        (0, 99, "nén theo cách không hỗ trợ (phương thức 99)."),
    ],
    ids=["encrypted", "deflate64", "aes"],
)
def test_check_zip_entries_it_cannot_open_are_a_400(
    client: FlaskClient, flag: int, method: int | None, words: str
) -> None:
    data = _flag_entries(rendered(client, "quyet-dinh-cong-nhan"), flag=flag, method=method)
    response = upload(client, data)
    assert response.status_code == 400
    assert response.content_type == PROBLEM
    assert words in response.get_json()["detail"]


def test_check_paragraph_of_30000_runs_is_checked(client: FlaskClient) -> None:
    runs = "<w:r><w:t>a</w:t></w:r>" * 30_000
    data = _edit(
        rendered(client, "quyet-dinh-cong-nhan"),
        lambda s: s.replace(_RULE, f"<w:p>{runs}</w:p>{_RULE}", 1),
    )
    started = time.monotonic()
    response = upload(client, data)
    assert response.status_code == 200
    assert time.monotonic() - started < 5  # 7.6 s when each run looked up its paragraph's style


def test_check_document_over_the_size_limits_is_a_413(client: FlaskClient) -> None:
    most = next(n for tag, n, _ in LIMITS if tag == "p")
    data = _edit(
        rendered(client, "quyet-dinh-cong-nhan"),
        lambda s: re.sub("(<w:body[^>]*>)", r"\g<1>" + "<w:p/>" * (most + 1), s, count=1),
    )
    response = upload(client, data)
    assert response.status_code == 413
    assert response.content_type == PROBLEM
    body = response.get_json()
    assert body["title"] == "Dữ liệu gửi lên quá lớn"
    assert body["detail"].startswith(f"Văn bản quá lớn để kiểm tra: có {vn.format_int(most)[:4]}")
    assert body["detail"].endswith(f" đoạn văn, giới hạn {vn.format_int(most)} đoạn văn.")
