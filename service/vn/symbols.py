"""Document number and symbol, "Số: 05/QĐ-UBND" (nd30 §3)."""

from __future__ import annotations

from service.vn.text import nfc

#: Type name -> abbreviation, nd30 §3 (Phụ lục III) plus the certificate of recognition.
TYPE_CODES: dict[str, str] = {
    "Nghị quyết": "NQ",
    "Quyết định": "QĐ",
    "Chỉ thị": "CT",
    "Quy chế": "QC",
    "Quy định": "QyĐ",
    "Thông cáo": "TC",
    "Thông báo": "TB",
    "Hướng dẫn": "HD",
    "Chương trình": "CTr",
    "Kế hoạch": "KH",
    "Phương án": "PA",
    "Đề án": "ĐA",
    "Dự án": "DA",
    "Báo cáo": "BC",
    "Biên bản": "BB",
    "Tờ trình": "TTr",
    "Hợp đồng": "HĐ",
    "Công điện": "CĐ",
    "Bản ghi nhớ": "BGN",
    "Bản thỏa thuận": "BTT",
    "Giấy ủy quyền": "GUQ",
    "Giấy mời": "GM",
    "Giấy giới thiệu": "GGT",
    "Giấy nghỉ phép": "GNP",
    "Phiếu gửi": "PG",
    "Phiếu chuyển": "PC",
    "Phiếu báo": "PB",
    "Bản sao y": "SY",
    "Bản trích sao": "TrS",
    "Bản sao lục": "SL",
    "Giấy công nhận": "GCN",
}

# The official abbreviations QyĐ, CTr, TTr, TrS keep their lower-case letters; every other code
# must be upper case.
_OFFICIAL_CODES = frozenset(TYPE_CODES.values())


def _is_upper_part(part: str) -> bool:
    return bool(part) and all(ch.isalnum() and not ch.islower() for ch in part)


def _check_code(value: str, label: str, *, allow_official: bool = False) -> str:
    code = nfc(value).strip()
    if not code:
        raise ValueError(f"{label} không được để trống")
    if any(ch.isspace() for ch in code):
        raise ValueError(f"{label} không được chứa khoảng trắng: {code!r}")
    if allow_official and code in _OFFICIAL_CODES:
        return code
    if not all(_is_upper_part(part) for part in code.split("-")):
        raise ValueError(
            f"{label} phải viết hoa, chỉ gồm chữ và số (nối bằng dấu gạch ngang): {code!r}"
        )
    return code


def symbol(
    number: int | None,
    type_code: str | None,
    body_abbr: str,
    unit: str | None = None,
    *,
    blank_width: int = 6,
) -> str:
    """Build "149/BC-BCĐ", "05/QĐ-UBND", công văn "05/UBND-VX"; number None leaves a blank."""
    parts = []
    # An empty type code or unit (as sent by a form) means "none".
    if type_code is not None and type_code.strip():
        parts.append(_check_code(type_code, "Ký hiệu loại văn bản", allow_official=True))
    parts.append(_check_code(body_abbr, "Chữ viết tắt tên cơ quan ban hành"))
    if unit is not None and unit.strip():
        parts.append(_check_code(unit, "Chữ viết tắt tên đơn vị soạn thảo"))
    suffix = "/" + "-".join(parts)
    if number is None:
        if blank_width < 1:
            raise ValueError("Độ rộng chỗ trống phải từ 1 ký tự trở lên")
        return " " * blank_width + suffix
    if isinstance(number, bool) or not isinstance(number, int):
        raise ValueError(f"Số văn bản phải là số nguyên, nhận được {number!r}")
    if number < 1:
        raise ValueError(f"Số văn bản phải từ 1 trở lên, nhận được {number}")
    # Leading zero below 10 ("05"), never a thousands separator ("1082").
    return f"{number:02d}{suffix}"


def number_line(symbol: str) -> str:
    """Prefix a symbol with "Số: "; a blank draft symbol keeps its own spacing ("Số:      /QĐ")."""
    text = nfc(symbol)
    if not text.strip():
        raise ValueError("Số, ký hiệu văn bản không được để trống")
    if text[0].isspace():
        return "Số:" + text
    return "Số: " + text.strip()
