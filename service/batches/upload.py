"""Read a clerk's sheet: .xlsx (openpyxl) or UTF-8 .csv, first row = field names.

Cells become typed values the way the clerk sees them: Excel dates become ISO
dates, whole numbers stay integers, empty cells are left out, and fully empty
rows are skipped. Dotted field names (``unit.name``) become nested objects,
numeric segments (``recipients.1``) become lists.

The file is untrusted input: whatever fails while it is parsed (a ZIP that is
not one, malformed XML, a cell whose value is not what its type says) is a 400
with a Vietnamese message, never a 500 and never the library's English text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from openpyxl.reader.excel import ExcelReader

from service import templates
from service.errors import BadRequest, InvalidData, PayloadTooLarge, UnsupportedUpload
from service.jsonin import MAX_DEPTH

log = logging.getLogger(__name__)

XLSX_MAGIC = b"PK\x03\x04"
CSV_TYPES = {"text/csv", "text/plain", "application/csv", "application/vnd.ms-excel"}
EXCEL_MAX_ROWS = 1_048_576  # no sheet Excel writes goes further
_RESAVE = "Hãy mở tệp bằng Excel, lưu lại dưới dạng .xlsx rồi gửi lại."


@dataclass(frozen=True)
class Sheet:
    """The rows of an uploaded sheet, each a nested dict, with its header."""

    header: list[str]
    rows: list[dict[str, Any]]
    lines: list[int]  # each row's number in the sheet (the header is line 1 or later)


def read_upload(content: bytes, filename: str, content_type: str, max_rows: int) -> Sheet:
    """Parse an uploaded .xlsx or .csv; 415 for other files, 400 when unreadable,
    422 when empty, 413 when it has more than ``max_rows`` data rows."""
    name = (filename or "").lower()
    if content.startswith(XLSX_MAGIC) and not name.endswith(".csv"):
        return _xlsx_sheet(content, max_rows)
    if name.endswith(".csv") or (not name and content_type in CSV_TYPES):
        return to_sheet(_csv_rows(content), max_rows)
    shown = filename or content_type or "không rõ"
    raise UnsupportedUpload(f"Chỉ nhận tệp .xlsx hoặc .csv (UTF-8), nhận: {shown}")


# --- .xlsx ---------------------------------------------------------------------------


class _WorkbookReader(ExcelReader):
    """openpyxl's reader with chartsheets left out: they hold no rows (and openpyxl
    3.1 fails with AttributeError on a chartsheet that has no drawing of its own)."""

    def read_chartsheet(self, sheet: Any, rel: Any) -> None:
        return None


def _xlsx_sheet(content: bytes, max_rows: int) -> Sheet:
    problem = _zip_problem(content)
    if problem:
        raise BadRequest(problem)
    reader = None
    try:
        reader = _WorkbookReader(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
        reader.read()
    except (MemoryError, Warning):
        raise  # not the file's fault; a Warning only raises when warnings are errors
    except Exception as exc:  # any failure to parse the untrusted file is the file's
        _log_unreadable("xlsx workbook", exc)
        if reader is not None:
            reader.archive.close()
        raise BadRequest(_workbook_problem(exc)) from None
    book = reader.wb
    try:
        # The first worksheet: the template's “Dữ liệu” (chartsheets are not read).
        sheets = book.worksheets
        if not sheets:
            return to_sheet([], max_rows)
        sheet = sheets[0]
        # The <dimension> a file declares is not trusted: openpyxl would stop at its
        # last row and column, silently leaving out any cell written beyond them.
        sheet.reset_dimensions()
        return to_sheet(_xlsx_rows(sheet), max_rows)
    finally:
        book.close()


def _zip_problem(content: bytes) -> str | None:
    """What makes the upload unreadable as a ZIP before openpyxl looks inside, if anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (MemoryError, Warning):
        raise
    except Exception as exc:  # BadZipFile, or a central directory zipfile cannot take
        _log_unreadable("xlsx zip", exc)
        return (
            "Tệp không phải là tệp Excel .xlsx (không đọc được như tệp ZIP): "
            "tệp có thể bị hỏng hoặc chưa tải lên hết"
        )
    if any(member.flag_bits & 0x41 for member in members):  # bit 6: strong
        return "Tệp Excel được mã hóa (đặt mật khẩu): hãy bỏ mật khẩu rồi gửi lại"
    readable = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
    if any(member.compress_type not in readable for member in members):
        return f"Tệp Excel được nén theo cách không hỗ trợ. {_RESAVE}"
    return None


_MISSING_PART = re.compile(r"There is no item named '(.+)' in the archive\Z", re.S)


def _workbook_problem(exc: Exception) -> str:
    """The 400 message when openpyxl cannot read the workbook's structure."""
    missing = _MISSING_PART.match(str(exc.args[0])) if isinstance(exc, KeyError) else None
    if missing:
        return f"Tệp Excel bị hỏng hoặc thiếu phần {_shown(missing.group(1))!r}. {_RESAVE}"
    return f"Tệp Excel bị hỏng: không đọc được cấu trúc của tệp. {_RESAVE}"


def _xlsx_rows(sheet: Any) -> Iterator[Sequence[Any]]:
    """The sheet's rows of values; 400 for any cell or row the parser cannot read."""
    title = f"“{_shown(unicodedata.normalize('NFC', str(sheet.title)))}”"
    rows = sheet.iter_rows(values_only=True)
    line = 0
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except (MemoryError, Warning):
            raise
        except Exception as exc:  # the sheet's XML, a cell's type or value, a reference
            _log_unreadable("xlsx rows", exc)
            where = f"sau dòng {line}" if line else "ngay từ đầu trang"
            msg = f"Tệp Excel bị hỏng: trang {title} có dữ liệu không đọc được ({where}). "
            raise BadRequest(msg + _RESAVE) from None
        line += 1
        if line > EXCEL_MAX_ROWS:
            limit = f"{EXCEL_MAX_ROWS:,}".replace(",", ".")
            msg = f"Tệp Excel bị hỏng: trang {title} có dòng sau dòng {limit}, giới hạn của Excel. "
            raise BadRequest(msg + _RESAVE)
        for col, value in enumerate(values):
            if isinstance(value, float) and not math.isfinite(value):
                msg = f"Tệp Excel bị hỏng: ô {_column(col)}{line} có giá trị số không hợp lệ. "
                raise BadRequest(msg + _RESAVE)
        yield values


def _log_unreadable(what: str, exc: BaseException) -> None:
    log.info("unreadable upload (%s): %s: %.300s", what, type(exc).__name__, exc)


# --- .csv ----------------------------------------------------------------------------


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    """The records of a UTF-8 CSV; 400 when unreadable, 422 for a quote never closed."""
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
    # Each record is handed on once the next one is read: the last one, when the
    # text ends inside its quotes, is the 422 rather than a row.
    held: list[str] | None = None
    start = read = 0  # the file line where the held record starts; the lines read
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            _log_unreadable("csv", exc)
            raise BadRequest(_csv_problem(exc, read + 1)) from None
        if held is not None:
            yield held
        if values == [_END]:
            return
        held, start, read = values, read + 1, reader.line_num
    assert held is not None  # the end line was read as part of a record
    raise _unclosed_quote(held, start)


_END = "\ufdd0vanban: end of the CSV text\ufdd0"  # noncharacters: not in a clerk's file
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what ends a line for csv (newline="")


def _csv_problem(exc: csv.Error, line: int) -> str:
    """The 400 message for what the csv module refused in the record from ``line`` on."""
    reason = str(exc)
    if reason.startswith("field larger than field limit"):
        limit = f"{csv.field_size_limit():,}".replace(",", ".")
        return f"Ô ở dòng {line} của tệp CSV dài quá {limit} ký tự"
    return f"Không đọc được tệp CSV ở dòng {line}"


def _unclosed_quote(values: list[str], start: int) -> InvalidData:
    """422 naming where the quote of the record's last field (read up to the end) opens."""
    line = start + sum(len(_LINE_BREAK.findall(v)) for v in values[:-1])
    msg = (
        f"Tệp CSV có dấu ngoặc kép chưa đóng (từ dòng {line}, cột {_column(len(values) - 1)}): "
        'phần còn lại của tệp sẽ bị đọc thành một ô; hãy thêm dấu " đóng hoặc bỏ dấu " thừa'
    )
    return InvalidData([{"loc": ["file"], "msg": msg}])


# --- cells, header, rows -------------------------------------------------------------


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


def _header(values: Sequence[Any]) -> list[str]:
    header = [str(cell_value(v)) if _present(v) else "" for v in values]
    seen: set[str] = set()
    errors = []
    for col, name in enumerate(header):
        if name and name in seen:
            msg = f"Cột {_column(col)}: tên trường {_shown(name)!r} bị lặp"
            errors.append({"loc": ["file", "header", col], "msg": msg})
        seen.add(name)
        problem = _name_problem(name) if name else None
        if problem:
            msg = f"Cột {_column(col)}: tên trường {_shown(name)!r} {problem}"
            errors.append({"loc": ["file", "header", col], "msg": msg})
    if errors:
        raise InvalidData(errors, "Dòng tiêu đề của tệp không hợp lệ")
    return header


def _name_problem(name: str) -> str | None:
    """What is wrong with a dotted field name, said after it; None when it is usable."""
    parts = name.split(".")
    if not all(parts):
        return "không hợp lệ"
    if len(parts) > MAX_DEPTH:
        return f"lồng nhau quá {MAX_DEPTH} tầng"
    # Where each part leads in every template's schema (a list index: to its items).
    nodes = [(root, root) for root in _schemas()]
    for i, part in enumerate(parts):
        if i and part.isdigit() and not part.isascii():
            return "có số thứ tự không viết bằng chữ số 0–9"
        if i and _is_index(part):
            limit = _list_limit(nodes)
            digits = part.lstrip("0")
            if len(digits) > len(str(limit)) or int(digits or "0") > limit:
                listed = _shown(".".join(parts[:i]))
                return f"vượt quá số phần tử tối đa của danh sách {listed!r} ({limit})"
            nodes = _step(nodes, "items")
        else:
            nodes = _step(nodes, part)
    return None


def _is_index(part: str) -> bool:
    """A list index: ASCII digits only (``"²".isdigit()`` is true, and int() refuses it)."""
    return part.isascii() and part.isdigit()


@cache
def _schemas() -> tuple[dict[str, Any], ...]:
    return tuple(spec.json_schema() for spec in templates.all_templates())


def _resolved(root: dict[str, Any], node: Any) -> list[dict[str, Any]]:
    """The alternatives ``node`` stands for once ``$ref`` and ``anyOf`` are followed."""
    out: list[dict[str, Any]] = []
    todo = [node]
    for _ in range(1000):  # a reference cycle without a step in between is not followed
        if not todo:
            break
        item = todo.pop()
        if not isinstance(item, dict):
            continue
        ref = item.get("$ref")
        if isinstance(ref, str):
            todo.append(root.get("$defs", {}).get(ref.rsplit("/", 1)[-1]))
        elif isinstance(item.get("anyOf"), list):
            todo.extend(item["anyOf"])
        else:
            out.append(item)
    return out


def _step(nodes: list[tuple[dict[str, Any], Any]], part: str) -> list[tuple[dict[str, Any], Any]]:
    """Where ``part`` (a property, or ``items`` for a list index) leads from ``nodes``."""
    out = []
    for root, node in nodes:
        for option in _resolved(root, node):
            if part == "items" and option.get("type") == "array":
                child = option.get("items")
            else:
                properties = option.get("properties")
                child = properties.get(part) if isinstance(properties, dict) else None
            if child is not None:
                out.append((root, child))
    return out


def _list_limit(nodes: list[tuple[dict[str, Any], Any]]) -> int:
    """The longest any template lets this list be; for a field no template has, the
    longest list any template takes (the row is refused as unknown field anyway)."""
    found = [
        option["maxItems"]
        for root, node in nodes
        for option in _resolved(root, node)
        if option.get("type") == "array" and isinstance(option.get("maxItems"), int)
    ]
    return max(found) if found else _longest_list()


@cache
def _longest_list() -> int:
    longest = 0
    todo: list[Any] = list(_schemas())
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            if isinstance(node.get("maxItems"), int):
                longest = max(longest, node["maxItems"])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return longest or 1000


def _shown(text: str, limit: int = 60) -> str:
    """``text`` cut short with … when longer than ``limit`` (a name from the file)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def to_sheet(table: Iterable[Sequence[Any]], max_rows: int) -> Sheet:
    """Header and nested rows of a table of cells; errors for empty or over-long sheets.

    The table is read as it comes: reading stops at the first data row over
    ``max_rows`` (blank rows do not count), which is a 413.
    """
    numbered = enumerate(table, 1)
    header: list[str] | None = None
    for _, values in numbered:
        if any(_present(v) for v in values):  # blank lines above the header are skipped
            header = _header(values)
            break
    if header is None:
        raise InvalidData([{"loc": ["file"], "msg": "Tệp trống: không có dòng tiêu đề"}])
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    for line, values in numbered:
        flat = {
            name: cell_value(value)
            for name, value in zip(header, values, strict=False)
            if name and _present(value)
        }
        if not flat:
            continue
        if len(rows) == max_rows:
            raise PayloadTooLarge(f"Tệp có hơn {max_rows} dòng dữ liệu (giới hạn BATCH_MAX_ROWS)")
        rows.append(nest(flat))
        lines.append(line)
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
    if items and all(_is_index(k) for k in items):
        return [items[k] for k in sorted(items, key=_index_order)]
    return items


def _index_order(index: str) -> tuple[int, str]:
    """Numeric order of ASCII digits without int() (which refuses over 4300 digits)."""
    digits = index.lstrip("0")
    return len(digits), digits
