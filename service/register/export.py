"""The register as a spreadsheet (.xlsx) or CSV, in the columns of the sổ văn bản đi."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from service import vn
from service.db import Database
from service.errors import InvalidData
from service.register import audit
from service.register.agencies import get_agency
from service.register.listing import COLUMNS, RegisterRow, export_rows

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
DATE_FORMAT = "dd/mm/yyyy"


@dataclass(frozen=True)
class Export:
    """An exported register file."""

    content: bytes
    media_type: str
    filename: str
    rows: int


def _cell_value(row: RegisterRow, attr: str) -> object:
    value = getattr(row, attr)
    return "" if value is None else value


# A spreadsheet program runs a cell that starts with one of these as a formula
# (OWASP "CSV injection"); the register's text is the public's, never a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def export_xlsx(rows: Sequence[RegisterRow], title: str) -> bytes:
    """An .xlsx workbook: a title row, a bold header row, one row per entry."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sổ văn bản đi"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    for col, (header, _attr, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=3, column=col, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = border
        ws.column_dimensions[get_column_letter(col)].width = width
    for r, row in enumerate(rows, start=4):
        for col, (_header, attr, _width) in enumerate(COLUMNS, start=1):
            value = _cell_value(row, attr)
            if isinstance(value, str):
                # Characters an .xlsx cannot hold (kept by rows stored before requests
                # were cleaned, service.validation) would make openpyxl refuse the file.
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = ws.cell(row=r, column=col, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, even when it starts with "=": never a formula
            cell.alignment = wrap
            cell.border = border
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_csv(rows: Sequence[RegisterRow]) -> bytes:
    """CSV in UTF-8 with a BOM (so Excel reads Vietnamese), dates as dd/mm/yyyy."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header for header, _attr, _width in COLUMNS])
    for row in rows:
        values = []
        for _header, attr, _width in COLUMNS:
            value = _cell_value(row, attr)
            if isinstance(value, dt.date):
                value = value.strftime("%d/%m/%Y")
            elif isinstance(value, str):
                value = _csv_text(value)
            values.append(value)
        writer.writerow(values)
    return out.getvalue().encode("utf-8-sig")


def export_title(session: Session, agency_id: str, book: str | None, year: int | None) -> str:
    """``SỔ ĐĂNG KÝ VĂN BẢN ĐI - BAN CHỈ ĐẠO 138 - Sổ văn bản đi - Năm 2018``."""
    agency = get_agency(session, agency_id)
    parts = ["SỔ ĐĂNG KÝ VĂN BẢN ĐI"]
    if agency is not None:
        parts.append(vn.upper(agency.name))
        names = {b.id: b.name for b in agency.books}
        parts.append(names.get(book, book) if book else "Tất cả các sổ")
    parts.append(f"Năm {year}" if year else "Tất cả các năm")
    return " - ".join(p for p in parts if p)


def export_register(
    database: Database,
    agency_id: str,
    *,
    fmt: str,
    actor: str,
    year: int | None = None,
    book: str | None = None,
    q: str | None = None,
) -> Export:
    """The whole register as ``fmt`` (xlsx or csv); the export is audited.

    The rows are read in a reader's transaction (``Database.reader``), the file
    is built after it, and the audit row is written in a short transaction of
    its own before the file is handed over: on SQLite, building a large
    register's workbook (0.46 s for 3,000 rows) inside a writing transaction
    would hold the write lock, and every issue would wait for it.
    """
    if fmt not in ("xlsx", "csv"):
        raise InvalidData([{"loc": ["format"], "msg": "Định dạng xuất sổ: xlsx hoặc csv"}])
    with database.read_sessions() as session:
        rows = export_rows(session, agency_id, year=year, book=book, q=q)
        title = export_title(session, agency_id, book, year) if fmt == "xlsx" else ""
    if fmt == "xlsx":
        content, media_type = export_xlsx(rows, title), XLSX_MEDIA_TYPE
    else:
        content, media_type = export_csv(rows), CSV_MEDIA_TYPE
    stem = "-".join(str(p) for p in ("so-van-ban-di", agency_id, book, year) if p)
    with database.session() as session:
        audit.record(
            session,
            actor,
            "export",
            agency_id=agency_id,
            detail={"format": fmt, "year": year, "book": book, "q": q, "rows": len(rows)},
        )
    return Export(content, media_type, f"{stem}.{fmt}", len(rows))
