"""The clerk's Excel template of a batch: one column a field, and a sheet explaining them."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from service import templates
from service.batches.fields import BOOLEAN_HELP, Field, row_fields

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Vietnamese help for fields whose schema carries no description.
HELP = {
    "agency": "Mã cơ quan ban hành (xem GET /api/v1/agencies); thường ghi trong dữ liệu chung",
    "date": "Ngày ban hành; để trống: ngày hôm nay",
    "recipients": "Nơi nhận, mỗi cột một nơi (thêm cột .3, .4 … khi cần)",
    "archive": "Lưu: phần sau “VT,” (thêm cột .3 … khi cần)",
    "urgency": "Độ khẩn",
    "secrecy": "Độ mật",
    "year": "Năm công nhận, ví dụ 2024",
    "unit.note": "Ghi chú về đơn vị",
    "decision.date": "Ngày của quyết định căn cứ; tự điền khi đợt có văn bản căn cứ (parent)",
    "decision.symbol": "Số, ký hiệu quyết định căn cứ; tự điền khi đợt có văn bản căn cứ (parent)",
    "achievement": "Nội dung đạt được (mặc định: Đạt tiêu chuẩn “An toàn về an ninh, trật tự”)",
    "authority_line": "Dòng thẩm quyền ban hành (để trống: tự tạo theo cơ quan)",
}
TYPES = {
    "string": "Chữ",
    "integer": "Số nguyên",
    "number": "Số",
    "boolean": BOOLEAN_HELP,
    "date": "Ngày (ô kiểu ngày của Excel, hoặc YYYY-MM-DD, hoặc dd/mm/yyyy)",
}


def _help(field: Field) -> str:
    base = field.name.rsplit(".", 1)[0] if field.name[-1:].isdigit() else field.name
    text = HELP.get(field.name) or field.description or HELP.get(base, "")
    if field.enum:
        text = (
            f"{text}. Một trong: {', '.join(field.enum)}"
            if text
            else (f"Một trong: {', '.join(field.enum)}")
        )
    return text


def _example(data: dict[str, Any], name: str) -> Any:
    node: Any = data
    for part in name.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) <= len(node):
            node = node[int(part) - 1]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return ""
    return node if isinstance(node, str | int | float) else ""


def rows_workbook(template_id: str) -> bytes:
    """An .xlsx whose first row holds the fields a row may carry, with a help sheet."""
    spec = templates.get(template_id)
    fields = row_fields(spec.id)
    example = spec.example()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Dữ liệu"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for col, field in enumerate(fields, 1):
        cell = sheet.cell(row=1, column=col, value=field.name)
        cell.font, cell.fill = bold, fill
        sheet.column_dimensions[get_column_letter(col)].width = max(14, len(field.name) + 4)
    sheet.freeze_panes = "A2"
    help_sheet = book.create_sheet("Hướng dẫn")
    help_sheet.append([f"Mẫu {spec.id}: {spec.name}. Mỗi dòng của trang “Dữ liệu” là một văn bản."])
    help_sheet.append(
        [
            "Dòng 1 là tên trường (giữ nguyên). Tên có dấu chấm là trường con (unit.name). "
            "Ô để trống lấy giá trị trong dữ liệu chung (common); có thể xóa cột không dùng."
        ]
    )
    help_sheet.append([])
    help_sheet.append(["Cột", "Bắt buộc", "Kiểu", "Ý nghĩa", "Ví dụ"])
    for cell in help_sheet[4]:
        cell.font, cell.fill = bold, fill
    for field in fields:
        help_sheet.append(
            [
                field.name,
                "Có" if field.required else "",
                TYPES.get(field.type, field.type),
                _help(field),
                _example(example, field.name),
            ]
        )
    for letter, width in zip("ABCDE", (22, 10, 24, 70, 40), strict=True):
        help_sheet.column_dimensions[letter].width = width
    for row in help_sheet.iter_rows(min_row=5):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
