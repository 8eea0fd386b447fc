"""Number and symbol (nd30 §3), Nơi nhận, Kính gửi and legal bases (nd30 §2)."""

from __future__ import annotations

import pytest

from service import vn

SPEC_TYPE_CODES = {
    "Nghị quyết": "NQ", "Quyết định": "QĐ", "Chỉ thị": "CT", "Quy chế": "QC", "Quy định": "QyĐ",
    "Thông cáo": "TC", "Thông báo": "TB", "Hướng dẫn": "HD", "Chương trình": "CTr",
    "Kế hoạch": "KH", "Phương án": "PA", "Đề án": "ĐA", "Dự án": "DA", "Báo cáo": "BC",
    "Biên bản": "BB", "Tờ trình": "TTr", "Hợp đồng": "HĐ", "Công điện": "CĐ",
    "Bản ghi nhớ": "BGN", "Bản thỏa thuận": "BTT", "Giấy ủy quyền": "GUQ", "Giấy mời": "GM",
    "Giấy giới thiệu": "GGT", "Giấy nghỉ phép": "GNP", "Phiếu gửi": "PG", "Phiếu chuyển": "PC",
    "Phiếu báo": "PB", "Bản sao y": "SY", "Bản trích sao": "TrS", "Bản sao lục": "SL",
    "Giấy công nhận": "GCN",
}  # fmt: skip


def test_type_codes_match_spec() -> None:
    assert vn.TYPE_CODES == SPEC_TYPE_CODES


@pytest.mark.parametrize(
    ("args", "kwargs", "text"),
    [
        ((149, "BC", "BCĐ"), {}, "149/BC-BCĐ"),
        ((5, "QĐ", "UBND"), {}, "05/QĐ-UBND"),
        ((1, "KH", "UBND"), {}, "01/KH-UBND"),
        ((10, "QĐ", "UBND"), {}, "10/QĐ-UBND"),
        ((1082, "QĐ", "UBND"), {}, "1082/QĐ-UBND"),
        ((12, "TTr", "UBND"), {}, "12/TTr-UBND"),
        ((3, "QyĐ", "UBND"), {}, "03/QyĐ-UBND"),
        ((7, "GCN", "UBND"), {}, "07/GCN-UBND"),
        ((5, None, "UBND", "VX"), {}, "05/UBND-VX"),
        ((5, "", "UBND", "VX"), {}, "05/UBND-VX"),
        ((45, None, "UBND"), {}, "45/UBND"),
        ((None, "QĐ", "UBND"), {}, "      /QĐ-UBND"),
        ((None, None, "UBND", "VP"), {"blank_width": 4}, "    /UBND-VP"),
        ((2, "QĐ", "Q\u0110"), {}, "02/QĐ-QĐ"),
        ((9, "KH", "BCĐ138"), {}, "09/KH-BCĐ138"),
    ],
)
def test_symbol(args: tuple[object, ...], kwargs: dict[str, int], text: str) -> None:
    assert vn.symbol(*args, **kwargs) == text  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((0, "QĐ", "UBND"), "từ 1"),
        ((-3, "QĐ", "UBND"), "từ 1"),
        ((True, "QĐ", "UBND"), "số nguyên"),
        ((1, "qđ", "UBND"), "viết hoa"),
        ((1, "Qđ", "UBND"), "viết hoa"),
        ((1, "QĐ", "ubnd"), "viết hoa"),
        ((1, "QĐ", "UB ND"), "khoảng trắng"),
        ((1, "QĐ", ""), "để trống"),
        ((1, None, "UBND", "vx"), "viết hoa"),
        ((1, "Q/Đ", "UBND"), "viết hoa"),
    ],
)
def test_symbol_rejects(args: tuple[object, ...], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        vn.symbol(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("symbol", "line"),
    [("149/BC-BCĐ", "Số: 149/BC-BCĐ"), ("05/QĐ-UBND", "Số: 05/QĐ-UBND"),
     ("      /QĐ-UBND", "Số:      /QĐ-UBND")],
)  # fmt: skip
def test_number_line(symbol: str, line: str) -> None:
    assert vn.number_line(symbol) == line


def test_number_line_from_blank_symbol_matches_spec() -> None:
    assert vn.number_line(vn.symbol(None, "QĐ", "UBND")) == "Số:      /QĐ-UBND"


RECIPIENT_CASES = [
    (
        (["UBND tỉnh (để b/c)", "Công an tỉnh"], ["CA"]),
        {"first": "Như Điều 3"},
        ["- Như Điều 3;", "- UBND tỉnh (để b/c);", "- Công an tỉnh;", "- Lưu: VT, CA."],
    ),
    (
        (["- Thường trực Thị ủy;", "+ Chủ tịch UBND.", "• Các thành viên BCĐ,", "  ", ""], []),
        {"first": "Như trên"},
        ["- Như trên;", "- Thường trực Thị ủy;", "- Chủ tịch UBND;", "- Các thành viên BCĐ;",
         "- Lưu: VT."],
    ),
    (([], ["VT", "CA"]), {"copies": 2}, ["- Lưu: VT, CA (02)."]),
    ((["Sở Nội vụ"], ["vt", "VX", "VP"]), {"copies": 12},
     ["- Sở Nội vụ;", "- Lưu: VT, VX, VP (12)."]),
    ((["Sở Nội vụ;"], ["VT"]), {}, ["- Sở Nội vụ;", "- Lưu: VT."]),
    ((["Như trên", "Sở Tư pháp"], ["CA."]), {"first": "Như trên"},
     ["- Như trên;", "- Sở Tư pháp;", "- Lưu: VT, CA."]),
]  # fmt: skip


@pytest.mark.parametrize(("args", "kwargs", "lines"), RECIPIENT_CASES)
def test_recipient_lines(
    args: tuple[list[str], list[str]], kwargs: dict[str, object], lines: list[str]
) -> None:
    result = vn.recipient_lines(*args, **kwargs)  # type: ignore[arg-type]
    assert result == lines
    assert all(line.startswith("- ") for line in result)
    assert all(line.endswith(";") for line in result[:-1])
    assert result[-1].startswith("- Lưu: VT") and result[-1].endswith(".")


@pytest.mark.parametrize("copies", [0, -1, True])
def test_recipient_lines_bad_copies(copies: int) -> None:
    with pytest.raises(ValueError, match="Số bản lưu"):
        vn.recipient_lines(["A"], ["CA"], copies=copies)


@pytest.mark.parametrize(
    ("recipients", "lines"),
    [
        (["UBND tỉnh Thanh Hóa"], ["Kính gửi: UBND tỉnh Thanh Hóa."]),
        (["- Ủy ban nhân dân tỉnh;"], ["Kính gửi: Ủy ban nhân dân tỉnh."]),
        (["Sở Nội vụ", "Sở Tài chính;", "Công an tỉnh."],
         ["Kính gửi:", "- Sở Nội vụ;", "- Sở Tài chính;", "- Công an tỉnh."]),
    ],
)  # fmt: skip
def test_kinh_gui_lines(recipients: list[str], lines: list[str]) -> None:
    assert vn.kinh_gui_lines(recipients) == lines


def test_kinh_gui_requires_a_recipient() -> None:
    with pytest.raises(ValueError, match="Kính gửi"):
        vn.kinh_gui_lines(["  ", "-"])


@pytest.mark.parametrize(
    ("items", "lines"),
    [
        (
            ["Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015;",
             " Căn cứ Thông tư số 124/2021/TT-BCA ngày 28/12/2021 của Bộ Công an. ",
             "Xét đề nghị của Trưởng Công an thị xã"],
            ["Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015;",
             "Căn cứ Thông tư số 124/2021/TT-BCA ngày 28/12/2021 của Bộ Công an;",
             "Xét đề nghị của Trưởng Công an thị xã."],
        ),
        (["Căn cứ Luật A,", "", "Theo đề nghị của B;"], ["Căn cứ Luật A;", "Theo đề nghị của B."]),
        (["Căn cứ Luật A"], ["Căn cứ Luật A."]),
        ([], []),
    ],
)  # fmt: skip
def test_legal_basis_lines(items: list[str], lines: list[str]) -> None:
    assert vn.legal_basis_lines(items) == lines
