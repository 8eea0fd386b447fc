"""Uploads a fuzzer found answering 500, or 400 in English: each is now a Vietnamese problem.

Malformed workbooks are a valid one written by openpyxl with one ZIP member
rewritten (or the ZIP's headers patched), the way a broken generator or a cut
upload delivers them.
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import db
from service.batches.upload import nest, read_upload
from service.register import last_number
from tests.batch_helpers import certificate_common
from tests.test_batches_upload import xlsx

PROBLEM = "application/problem+json"
RESAVE = "Hãy mở tệp bằng Excel, lưu lại dưới dạng .xlsx rồi gửi lại."
SHEET = "xl/worksheets/sheet1.xml"
GOOD = [["unit.name", "unit.address"], ["Khu phố 1", "Bắc Sơn"], ["Khu phố 2", "Bắc Sơn"]]


def upload(client: FlaskClient, content: bytes, name: str) -> Any:
    data = {
        "template": "giay-cong-nhan",
        "issue": "true",
        "common": json.dumps(certificate_common(), ensure_ascii=False),
        "file": (io.BytesIO(content), name),
    }
    return client.post("/api/v1/batches", data=data, content_type="multipart/form-data")


def refused(app: Flask, client: FlaskClient, content: bytes, name: str, status: int) -> Any:
    """POST the upload; assert the problem, that no number was taken and no batch made."""
    response = upload(client, content, name)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    with app.app_context(), db.current().session() as session:
        assert last_number(session, "ubnd-bac-son", "giay-cong-nhan", 2024) == 0
    assert client.get("/api/v1/batches").json["items"] == []
    return response.json


def rewritten(member: str, edit: Callable[[str], str], rows: list[list[Any]] = GOOD) -> bytes:
    """A valid workbook of ``rows`` with ``member`` rewritten; members stored, not deflated
    (so that the ZIP's header signatures appear only where the headers are)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx(rows)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == member:
                data = edit(data.decode()).encode()
            target.writestr(name, data)
    return out.getvalue()


def cell_a2(xml: str) -> Callable[[str], str]:
    return lambda sheet: re.sub(r'<c r="A2"[^>]*>.*?</c>', xml, sheet)


def patched_headers(*, flags: int = 0, method: int | None = None) -> bytes:
    """A workbook whose every ZIP header (local and central) has ``flags`` set, or
    ``method`` as its compression method."""
    content = bytearray(rewritten("", str))
    for signature, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        for match in re.finditer(re.escape(signature), bytes(content)):
            content[match.start() + flag_at] |= flags
            if method is not None:
                content[match.start() + method_at] = method
    return bytes(content)


# --- B1: list indexes in the header ----------------------------------------------------


def header_error(col: int, msg: str) -> dict[str, Any]:
    return {"loc": ["file", "header", col], "msg": msg}


NOT_ASCII = "có số thứ tự không viết bằng chữ số 0–9"


@pytest.mark.parametrize(
    ("content", "name", "error"),
    [
        (
            b"unit.name,recipients.\xc2\xb2\nA,B\n",
            "rows.csv",
            header_error(1, f"Cột B: tên trường 'recipients.²' {NOT_ASCII}"),
        ),
        (
            xlsx([["unit.name", "recipients.1", "recipients.²"], ["A", "B", "C"]]),
            "rows.xlsx",
            header_error(2, f"Cột C: tên trường 'recipients.²' {NOT_ASCII}"),
        ),
        (
            ("unit.name,recipients." + "9" * 5000 + "\nA,B\n").encode(),
            "rows.csv",
            header_error(
                1,
                "Cột B: tên trường 'recipients." + "9" * 48 + "…' vượt quá số phần tử "
                "tối đa của danh sách 'recipients' (200)",
            ),
        ),
        (
            b"unit.name,recipients.1,recipients.201\nA,B,C\n",
            "rows.csv",
            header_error(
                2,
                "Cột C: tên trường 'recipients.201' vượt quá số phần tử tối đa "
                "của danh sách 'recipients' (200)",
            ),
        ),
        (
            b"unit.name,archive.21\nA,B\n",
            "rows.csv",
            header_error(
                1,
                "Cột B: tên trường 'archive.21' vượt quá số phần tử tối đa "
                "của danh sách 'archive' (20)",
            ),
        ),
        (
            ("unit.name,recipients" + ".1" * 1000 + "\nA,B\n").encode(),
            "rows.csv",
            header_error(
                1, "Cột B: tên trường 'recipients" + ".1" * 24 + ".…' lồng nhau quá 64 tầng"
            ),
        ),
    ],
    ids=["superscript-csv", "superscript-xlsx", "5000-digits", "over-200", "over-20", "deep"],
)
def test_list_indexes_beyond_what_a_list_takes_are_named_by_column(
    app: Flask, client: FlaskClient, content: bytes, name: str, error: dict[str, Any]
) -> None:
    body = refused(app, client, content, name, 422)
    assert body["detail"] == "Dòng tiêu đề của tệp không hợp lệ"
    assert body["errors"] == [error]


def test_list_indexes_up_to_the_limit_are_read_in_numeric_order(client: FlaskClient) -> None:
    content = b"unit.name,recipients.200,recipients.10,recipients.9\nA,X,Y,Z\n"
    sheet = read_upload(content, "rows.csv", "", 10)
    assert sheet.rows == [{"unit": {"name": "A"}, "recipients": ["Z", "Y", "X"]}]
    assert upload(client, content, "rows.csv").status_code == 202


def test_nest_takes_only_ascii_digits_as_list_indexes() -> None:
    assert nest({"a.²": "x"}) == {"a": {"²": "x"}}
    assert nest({"a.١": "x", "a.1": "y"}) == {"a": {"١": "x", "1": "y"}}
    long = "9" * 5000  # more digits than int() converts: ordered without it
    assert nest({f"a.{long}": "x", "a.10": "y", "a.9": "z"}) == {"a": ["z", "y", "x"]}


# --- B2: chartsheets -------------------------------------------------------------------


@pytest.mark.parametrize("index", [None, 0], ids=["after", "first"])
def test_a_chartsheet_is_left_out(client: FlaskClient, index: int | None) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in GOOD:
        sheet.append(row)
    book.create_chartsheet("Biểu đồ", index)
    out = io.BytesIO()
    book.save(out)
    response = upload(client, out.getvalue(), "rows.xlsx")
    assert response.status_code == 202, response.json
    assert client.get(response.json["url"]).json["total"] == 2


# --- B3, B5: the workbook's structure --------------------------------------------------

BROKEN = f"Tệp Excel bị hỏng: không đọc được cấu trúc của tệp. {RESAVE}"
NOT_ZIP = (
    "Tệp không phải là tệp Excel .xlsx (không đọc được như tệp ZIP): "
    "tệp có thể bị hỏng hoặc chưa tải lên hết"
)


def _without(member: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx(GOOD)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            if name != member:
                target.writestr(name, source.read(name))
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (rewritten("xl/styles.xml", lambda _: "<garbage"), BROKEN),
        (rewritten("xl/workbook.xml", lambda _: "<garbage"), BROKEN),
        (rewritten("[Content_Types].xml", lambda _: "<garbage"), BROKEN),
        (rewritten(SHEET, lambda _: "<garbage"), BROKEN),
        (rewritten("xl/workbook.xml", lambda s: s.replace('sheetId="1"', 'sheetId="x"')), BROKEN),
        (
            patched_headers(flags=0x1),
            "Tệp Excel được mã hóa (đặt mật khẩu): hãy bỏ mật khẩu rồi gửi lại",
        ),
        (patched_headers(method=99), f"Tệp Excel được nén theo cách không hỗ trợ. {RESAVE}"),
        (xlsx(GOOD)[: len(xlsx(GOOD)) // 2], NOT_ZIP),
        (b"PK\x03\x04garbage", NOT_ZIP),
        (
            _without("xl/workbook.xml"),
            f"Tệp Excel bị hỏng hoặc thiếu phần 'xl/workbook.xml'. {RESAVE}",
        ),
        (
            _without("[Content_Types].xml"),
            f"Tệp Excel bị hỏng hoặc thiếu phần '[Content_Types].xml'. {RESAVE}",
        ),
    ],
    ids=[
        "styles",
        "workbook",
        "content-types",
        "sheet",
        "sheet-id",
        "encrypted",
        "compression",
        "truncated",
        "not-a-zip",
        "no-workbook",
        "no-content-types",
    ],
)
def test_a_broken_workbook_is_400_in_vietnamese(
    app: Flask, client: FlaskClient, content: bytes, detail: str
) -> None:
    body = refused(app, client, content, "rows.xlsx", 400)
    assert body["detail"] == detail
    assert body["title"] == "Yêu cầu không đọc được"


def test_the_parsing_failure_is_logged_with_its_type(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="service.batches.upload")
    refused(app, client, rewritten("xl/styles.xml", lambda _: "<garbage"), "rows.xlsx", 400)
    (record,) = [r for r in caplog.records if r.name == "service.batches.upload"]
    assert record.levelno == logging.INFO
    assert "XMLSyntaxError" in record.getMessage()


# --- B4: cells the parser cannot read --------------------------------------------------

AFTER_LINE_1 = f"Tệp Excel bị hỏng: trang “Sheet” có dữ liệu không đọc được (sau dòng 1). {RESAVE}"


@pytest.mark.parametrize(
    ("edit", "detail"),
    [
        (cell_a2('<c r="A2" t="n"><v>abc</v></c>'), AFTER_LINE_1),
        (cell_a2('<c r="A2" t="n"><v>NaN</v></c>'), AFTER_LINE_1),
        (cell_a2('<c r="A2" t="s"><v>999</v></c>'), AFTER_LINE_1),
        (cell_a2('<c r="A2" t="s"><v>x</v></c>'), AFTER_LINE_1),
        (cell_a2('<c r="A2" t="d"><v>not-a-date</v></c>'), AFTER_LINE_1),
        (cell_a2('<c r="A2" t="d"><v>2024-02-30</v></c>'), AFTER_LINE_1),
        (cell_a2('<c r="ZZZZZ2" t="inlineStr"><is><t>x</t></is></c>'), AFTER_LINE_1),
        (lambda s: s.replace('<row r="2"', '<row r="abc"'), AFTER_LINE_1),
        (
            cell_a2('<c r="A2" t="n"><v>1e999</v></c>'),  # was read as the text "inf"
            f"Tệp Excel bị hỏng: ô A2 có giá trị số không hợp lệ. {RESAVE}",
        ),
    ],
    ids=[
        "number-text",
        "nan",
        "shared-string-range",
        "shared-string-text",
        "date-text",
        "feb-30",
        "column-ref",
        "row-ref",
        "infinity",
    ],
)
def test_an_unreadable_cell_is_400_in_vietnamese(
    app: Flask, client: FlaskClient, edit: Callable[[str], str], detail: str
) -> None:
    body = refused(app, client, rewritten(SHEET, edit), "rows.xlsx", 400)
    assert body["detail"] == detail


# --- B6: CSV ---------------------------------------------------------------------------


def test_a_csv_cell_over_the_field_limit_is_named_by_line(app: Flask, client: FlaskClient) -> None:
    content = ('unit.name\nKhu 1\n"Khu\n' + "x" * 140_000 + '"\n').encode()
    body = refused(app, client, content, "rows.csv", 400)
    assert body["detail"] == "Ô ở dòng 3 của tệp CSV dài quá 131.072 ký tự"


# --- the row limit ---------------------------------------------------------------------

OVER_2 = "Tệp có hơn 2 dòng dữ liệu (giới hạn BATCH_MAX_ROWS)"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"unit.name\n\nKhu 1\nKhu 2\nKhu 3\n", "rows.csv"),
        (xlsx([["unit.name"], [None], ["Khu 1"], ["Khu 2"], ["Khu 3"]]), "rows.xlsx"),
        # A row with cells only under no field name is no data row either.
        ("unit.name,\nKhu 1\n,ghi chú\nKhu 2\nKhu 3\n".encode(), "rows.csv"),
        (xlsx([["unit.name"], ["Khu 1"], [None, "ghi chú"], ["Khu 2"], ["Khu 3"]]), "rows.xlsx"),
    ],
    ids=["csv-blank", "xlsx-blank", "csv-unnamed-cell", "xlsx-unnamed-cell"],
)
def test_blank_rows_do_not_count_toward_the_limit(
    app: Flask, client: FlaskClient, content: bytes, name: str
) -> None:
    app.config["BATCH_MAX_ROWS"] = 2
    body = refused(app, client, content, name, 413)
    assert body["detail"] == OVER_2


def test_blank_rows_between_rows_under_the_limit_are_fine(app: Flask, client: FlaskClient) -> None:
    app.config["BATCH_MAX_ROWS"] = 2
    response = upload(client, b"unit.name\n\nKhu 1\n\n\nKhu 2\n\n", "rows.csv")
    assert response.status_code == 202, response.json
    assert client.get(response.json["url"]).json["total"] == 2


def test_rows_past_the_declared_dimension_are_read(client: FlaskClient) -> None:
    """openpyxl stops at the last row the sheet declares: a wrong <dimension> lost rows."""
    rows = [*GOOD, ["Khu phố 3", "Bắc Sơn"]]
    content = rewritten(
        SHEET, lambda s: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:B2"', s), rows
    )
    sheet = read_upload(content, "rows.xlsx", "", 10)
    assert [row["unit"]["name"] for row in sheet.rows] == ["Khu phố 1", "Khu phố 2", "Khu phố 3"]
    response = upload(client, content, "rows.xlsx")
    assert response.status_code == 202, response.json
    assert client.get(response.json["url"]).json["total"] == 3


def test_a_row_past_excel_s_last_row_is_400(app: Flask, client: FlaskClient) -> None:
    def far(sheet: str) -> str:
        return re.sub(
            r'r="([AB])3"', r'r="\g<1>99999999"', sheet.replace('<row r="3"', '<row r="99999999"')
        )

    body = refused(app, client, rewritten(SHEET, far), "rows.xlsx", 400)
    assert body["detail"] == (
        "Tệp Excel bị hỏng: trang “Sheet” có dòng sau dòng 1.048.576, giới hạn của Excel. " + RESAVE
    )
