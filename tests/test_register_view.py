"""The register view: order, pages, diacritic-free search, xlsx and csv exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from sqlalchemy import select

from service.db import Database
from service.errors import InvalidData, UnknownAgency, UnknownBook
from service.register import (
    export_csv,
    export_register,
    export_rows,
    issue,
    record_failed,
    register_page,
    reserve_block,
    revoke,
)
from service.register.listing import COLUMNS
from service.register.models import AuditRow
from tests.dbfixtures import *  # noqa: F403  (the database fixtures)
from tests.dbfixtures import example_data

AGENCY = "ubnd-bac-son"
HEADERS = [
    "Số",
    "Ký hiệu",
    "Ngày tháng",
    "Tên loại và trích yếu nội dung",
    "Người ký",
    "Nơi nhận",
    "Đơn vị/người nhận bản lưu",
    "Số lượng bản",
    "Ghi chú",
]


@pytest.fixture
def register(seeded: Database) -> Database:
    """Bắc Sơn 2024: QĐ thành lập (01, revoked), QĐ công nhận (02), GCN (01), a failed GCN."""
    with seeded.session() as s:
        ids = {}
        for template in ("quyet-dinh-thanh-lap", "quyet-dinh-cong-nhan", "giay-cong-nhan"):
            result = issue(s, template_id=template, data=example_data(template), actor="clerk")
            ids[template] = result.document.id
        issue(s, template_id="bao-cao", data=example_data("bao-cao"), actor="clerk")
        revoke(s, ids["quyet-dinh-thanh-lap"], "Ban hành nhầm, thay bằng văn bản khác", "admin")
        number = reserve_block(s, AGENCY, "giay-cong-nhan", 2024, 1)
        record_failed(
            s,
            agency_id=AGENCY,
            book_id="giay-cong-nhan",
            year=2024,
            number=number,
            template_id="giay-cong-nhan",
            reason="Thiếu tên đơn vị được công nhận",
            actor="batch",
        )
    return seeded


def _symbols(page: dict[str, object]) -> list[str]:
    return [item["symbol"] for item in page["items"]]  # type: ignore[attr-defined]


def test_page_oldest_number_first(register: Database) -> None:
    with register.session() as s:
        page = register_page(s, AGENCY, year=2024, book="van-ban-di")
        second = register_page(s, AGENCY, year=2024, book="van-ban-di", page=2, per_page=1)
        everything = register_page(s, AGENCY)
    assert _symbols(page) == ["01/QĐ-UBND", "02/QĐ-UBND"]
    assert page["total"] == 2 and page["page"] == 1 and page["per_page"] == 50
    assert [i["status"] for i in page["items"]] == ["revoked", "issued"]
    assert _symbols(second) == ["02/QĐ-UBND"] and second["total"] == 2
    assert everything["total"] == 4  # both books, the failed row included


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("bim son", ["02/QĐ-UBND"]),
        ("BỈM SƠN", ["02/QĐ-UBND"]),
        ("Bim  Son", ["02/QĐ-UBND"]),
        ("quyet dinh cong nhan", ["02/QĐ-UBND"]),
        ("Quyết định công nhận", ["02/QĐ-UBND"]),
        ("02/qd-ubnd", ["02/QĐ-UBND"]),
        ("kien toan", ["01/QĐ-UBND"]),
        ("trinh van hung", ["01/QĐ-UBND", "02/QĐ-UBND"]),
        ("100%", []),
        ("a_b", []),
    ],
)
def test_search_ignores_diacritics_and_case(
    register: Database, q: str, expected: list[str]
) -> None:
    with register.session() as s:
        page = register_page(s, AGENCY, book="van-ban-di", q=q)
    assert _symbols(page) == expected
    assert page["total"] == len(expected)


def test_page_arguments_are_checked(register: Database) -> None:
    with pytest.raises(InvalidData), register.session() as s:
        register_page(s, AGENCY, page=0)
    with pytest.raises(UnknownAgency), register.session() as s:
        register_page(s, "khong-co")
    with pytest.raises(UnknownBook), register.session() as s:
        register_page(s, AGENCY, book="khong-co")


def test_export_rows_in_register_columns(register: Database) -> None:
    with register.session() as s:
        rows = export_rows(s, AGENCY, year=2024)
    assert [(r.book, r.number) for r in rows] == [
        ("giay-cong-nhan", 1),
        ("giay-cong-nhan", 2),
        ("van-ban-di", 1),
        ("van-ban-di", 2),
    ]
    revoked, decision = rows[2], rows[3]
    assert [h for h, _a, _w in COLUMNS] == HEADERS
    assert revoked.note == "Đã thu hồi: Ban hành nhầm, thay bằng văn bản khác"
    assert decision.note == ""
    assert decision.title.startswith("Quyết định: Về việc công nhận khu dân cư")
    assert decision.date == dt.date(2024, 11, 20)
    assert "Công an thị xã Bỉm Sơn (báo cáo)" in decision.recipients
    assert decision.archive == "VT, CA"
    assert rows[1].note == "Lỗi, không ban hành: Thiếu tên đơn vị được công nhận"


def test_xlsx_export_opens_with_dates_and_headers(register: Database) -> None:
    export = export_register(
        register, AGENCY, fmt="xlsx", actor="clerk", year=2024, book="van-ban-di"
    )
    assert export.filename == "so-van-ban-di-ubnd-bac-son-van-ban-di-2024.xlsx"
    ws = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert ws is not None
    title = ws.cell(row=1, column=1).value
    assert "ỦY BAN NHÂN DÂN PHƯỜNG BẮC SƠN" in title and "Sổ văn bản đi" in title
    assert "Năm 2024" in title
    assert [ws.cell(row=3, column=c).value for c in range(1, 10)] == HEADERS
    assert all(ws.cell(row=3, column=c).font.bold for c in range(1, 10))
    assert ws.cell(row=4, column=1).value == 1
    assert ws.cell(row=5, column=2).value == "02/QĐ-UBND"
    date_cell = ws.cell(row=5, column=3)
    assert isinstance(date_cell.value, dt.datetime)  # openpyxl reads dates as datetimes
    assert date_cell.value.date() == dt.date(2024, 11, 20)
    assert date_cell.number_format == "dd/mm/yyyy"
    assert ws.cell(row=4, column=9).value.startswith("Đã thu hồi")
    assert ws.column_dimensions["D"].width > ws.column_dimensions["A"].width
    with register.session() as s:
        actions = s.scalars(select(AuditRow.action).where(AuditRow.action == "export")).all()
    assert actions == ["export"]


def test_csv_export_has_bom_and_vietnamese(register: Database) -> None:
    content = export_register(register, AGENCY, fmt="csv", actor="clerk", year=2024).content
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert len(rows) == 5
    decision = rows[4]
    assert decision[:3] == ["2", "02/QĐ-UBND", "20/11/2024"]
    assert decision[4] == "Trịnh Văn Hùng"
    assert export_csv([]).decode("utf-8-sig").splitlines() == [",".join(HEADERS)]


def test_unknown_export_format_is_422(register: Database) -> None:
    with pytest.raises(InvalidData):
        export_register(register, AGENCY, fmt="pdf", actor="clerk")
