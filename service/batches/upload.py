"""Read a clerk's sheet: .xlsx (openpyxl) or UTF-8 .csv, first row = field names.

Cells become typed values the way the clerk sees them: Excel dates become ISO
dates, whole numbers stay integers, empty cells are left out, and fully empty
rows are skipped. Dotted field names (``unit.name``) become nested objects,
numeric segments (``recipients.1``) become lists.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from service.errors import BadRequest, InvalidData, PayloadTooLarge, UnsupportedUpload

XLSX_MAGIC = b"PK\x03\x04"
CSV_TYPES = {"text/csv", "text/plain", "application/csv", "application/vnd.ms-excel"}


@dataclass(frozen=True)
class Sheet:
    """The rows of an uploaded sheet, each a nested dict, with its header."""

    header: list[str]
    rows: list[dict[str, Any]]
    lines: list[int]  # each row's number in the sheet (the header is line 1 or later)


def read_upload(content: bytes, filename: str, content_type: str, max_rows: int) -> Sheet:
    """Parse an uploaded .xlsx or .csv; 415 for other files, 422 when empty, 413 when too long."""
    name = (filename or "").lower()
    if content.startswith(XLSX_MAGIC) and not name.endswith(".csv"):
        table = _xlsx_table(content, max_rows)
    elif name.endswith(".csv") or (not name and content_type in CSV_TYPES):
        table = _csv_table(content, max_rows)
    else:
        shown = filename or content_type or "không rõ"
        raise UnsupportedUpload(f"Chỉ nhận tệp .xlsx hoặc .csv (UTF-8), nhận: {shown}")
    return to_sheet(table, max_rows)


def _xlsx_table(content: bytes, max_rows: int) -> list[list[Any]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise BadRequest(f"Không đọc được tệp Excel: {exc}") from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            return []
        table: list[list[Any]] = []
        for values in sheet.iter_rows(values_only=True):
            table.append(list(values))
            if len(table) > max_rows + 1 and any(_present(v) for v in values):
                break  # enough to know it is over the limit
        return table
    finally:
        book.close()


def _csv_table(content: bytes, max_rows: int) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("Tệp CSV phải được mã hóa UTF-8") from None
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample.splitlines()[0] if sample else "", ",;\t")
    except csv.Error:
        dialect = csv.excel
    # csv is lenient: a quote opened and never closed makes the rest of the file
    # one cell, silently (strict=True would say so, but also refuse text after a
    # closing quote, ``"Khu 1" bis``, which is read today). So a last line is
    # added: a record of its own, unless the text ends inside a quoted field.
    end = "" if not text or text.endswith(("\n", "\r")) else "\n"
    reader = csv.reader(io.StringIO(text + end + _END, newline=""), delimiter=dialect.delimiter)
    table: list[list[Any]] = []
    start = read = 0  # the file line where the last record starts; the lines read
    try:
        for values in reader:
            if values == [_END]:
                return table
            start, read = read + 1, reader.line_num
            table.append(list(values))
            if len(table) > max_rows + 1 and any(_present(v) for v in values):
                return table  # enough to know it is over the limit
    except csv.Error as exc:
        raise BadRequest(f"Không đọc được tệp CSV: {exc}") from None
    raise _unclosed_quote(table[-1], start)


_END = "\ufdd0vanban: end of the CSV text\ufdd0"  # noncharacters: not in a clerk's file
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what ends a line for csv (newline="")


def _unclosed_quote(values: list[str], start: int) -> InvalidData:
    """422 naming where the quote of the record's last field (read up to the end) opens."""
    line = start + sum(len(_LINE_BREAK.findall(v)) for v in values[:-1])
    msg = (
        f"Tệp CSV có dấu ngoặc kép chưa đóng (từ dòng {line}, cột {_column(len(values) - 1)}): "
        'phần còn lại của tệp sẽ bị đọc thành một ô; hãy thêm dấu " đóng hoặc bỏ dấu " thừa'
    )
    return InvalidData([{"loc": ["file"], "msg": msg}])


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def cell_value(value: Any) -> Any:
    """A cell as JSON: dates as ISO text, whole floats as int, text NFC and trimmed."""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    return value


def _header(values: list[Any]) -> list[str]:
    header = [str(cell_value(v)) if _present(v) else "" for v in values]
    seen: set[str] = set()
    errors = []
    for col, name in enumerate(header):
        if name and name in seen:
            msg = f"Cột {_column(col)}: tên trường {name!r} bị lặp"
            errors.append({"loc": ["file", "header", col], "msg": msg})
        seen.add(name)
        parts = name.split(".") if name else []
        if name and not all(parts):
            msg = f"Cột {_column(col)}: tên trường {name!r} không hợp lệ"
            errors.append({"loc": ["file", "header", col], "msg": msg})
    if errors:
        raise InvalidData(errors, "Dòng tiêu đề của tệp không hợp lệ")
    return header


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def to_sheet(table: list[list[Any]], max_rows: int) -> Sheet:
    """Header and nested rows of a table of cells; errors for empty or over-long sheets."""
    skipped = 0
    while skipped < len(table) and not any(_present(v) for v in table[skipped]):
        skipped += 1  # blank lines above the header
    if skipped == len(table):
        raise InvalidData([{"loc": ["file"], "msg": "Tệp trống: không có dòng tiêu đề"}])
    header = _header(table[skipped])
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    for line, values in enumerate(table[skipped + 1 :], skipped + 2):
        flat = {
            name: cell_value(value)
            for name, value in zip(header, values, strict=False)
            if name and _present(value)
        }
        if not flat:
            continue
        rows.append(nest(flat))
        lines.append(line)
        if len(rows) > max_rows:
            raise PayloadTooLarge(f"Tệp có hơn {max_rows} dòng dữ liệu (giới hạn BATCH_MAX_ROWS)")
    if not rows:
        raise InvalidData([{"loc": ["file"], "msg": "Tệp không có dòng dữ liệu nào dưới tiêu đề"}])
    return Sheet(header=[h for h in header if h], rows=rows, lines=lines)


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """``{"unit.name": x}`` → ``{"unit": {"name": x}}``; numeric parts make lists."""
    out: dict[str, Any] = {}
    for name, value in flat.items():
        parts = name.split(".")
        node = out
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[parts[-1]] = value
    # A row is an object whatever its headers (a row of numeric headers fails
    # validation as unknown fields, not as a list where a row should be).
    return {k: _lists(v) for k, v in out.items()}


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    items = {k: _lists(v) for k, v in node.items()}
    if items and all(k.isdigit() for k in items):
        return [items[k] for k in sorted(items, key=int)]
    return items
