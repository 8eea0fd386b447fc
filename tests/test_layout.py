"""Line wrapping for the rules under headings: widths of the lines a heading wraps into."""

from __future__ import annotations

import pytest

from service import layout, vn

HDR_CELL = layout.HDR_LEFT_W - 2 * layout.CELL_MARGIN  # the issuing body's cell, twips
LONG_BODY = (
    "BAN CHỈ ĐẠO PHÒNG, CHỐNG TỘI PHẠM, TỆ NẠN XÃ HỘI VÀ XÂY DỰNG PHONG TRÀO TOÀN DÂN BẢO VỆ "
    "AN NINH TỔ QUỐC, PHÒNG CHỐNG THIÊN TAI"
)
KH_SUBJECT = (
    "Tổng kết 10 năm thực hiện Đề án 375 và Chỉ thị số 10 của UBND tỉnh về đẩy mạnh phong trào "
    "toàn dân bảo vệ ANTQ, xây dựng khu dân cư an toàn về ANTT (giai đoạn 2008 - 2018)"
)


# The lines as LibreOffice 24 breaks them in the rendered documents (pdftotext of the PDF).
@pytest.mark.parametrize(
    ("text", "size", "avail", "lines"),
    [
        ("BAN CHỈ ĐẠO 138", 13, HDR_CELL, ["BAN CHỈ ĐẠO 138"]),
        (
            "ỦY BAN NHÂN DÂN PHƯỜNG BẮC SƠN",
            13,
            HDR_CELL,
            ["ỦY BAN NHÂN DÂN", "PHƯỜNG BẮC SƠN"],
        ),
        ("ỦY BAN NHÂN DÂN THỊ XÃ BỈM SƠN", 13, HDR_CELL, ["ỦY BAN NHÂN DÂN THỊ", "XÃ BỈM SƠN"]),
        (
            LONG_BODY,
            13,
            HDR_CELL,
            [
                "BAN CHỈ ĐẠO PHÒNG,",
                "CHỐNG TỘI PHẠM, TỆ",
                "NẠN XÃ HỘI VÀ XÂY",
                "DỰNG PHONG TRÀO",
                "TOÀN DÂN BẢO VỆ AN",
                "NINH TỔ QUỐC, PHÒNG",
                "CHỐNG THIÊN TAI",
            ],
        ),
        (
            KH_SUBJECT,
            14,
            layout.TEXT_W,
            [
                "Tổng kết 10 năm thực hiện Đề án 375 và Chỉ thị số 10 của UBND tỉnh về đẩy",
                "mạnh phong trào toàn dân bảo vệ ANTQ, xây dựng khu dân cư an toàn về",
                "ANTT (giai đoạn 2008 - 2018)",
            ],
        ),
    ],
    ids=["one line", "Bắc Sơn", "Bỉm Sơn", "seven lines", "subject"],
)
def test_wrapped_lines_are_the_word_processors(
    text: str, size: float, avail: int, lines: list[str]
) -> None:
    widths = layout.wrapped_widths_pt(text, size, bold=True, avail_twips=avail)
    expected = [vn.text_width_pt(line, size, bold=True) for line in lines]
    assert widths == pytest.approx(expected)
    assert layout.longest_line_pt([text], size, bold=True, avail_twips=avail) == pytest.approx(
        max(expected)
    )


def _chars(text: str) -> list[tuple[str, float]]:
    return [(ch, 10.0) for ch in text]


@pytest.mark.parametrize(
    ("text", "avail", "widths"),
    [
        ("", 50, [0]),
        ("abc", 50, [30]),
        ("ab cd", 50, [50]),  # fits exactly
        ("ab cd", 49, [20, 20]),  # the space before the break does not count
        ("ab   cd ef", 60, [20, 50]),
        ("ab-cdef", 55, [30, 40]),  # a break after the hyphen, not inside "cdef"
        ("abcdefghij", 35, [30, 30, 30, 10]),  # a word longer than the line: between letters
        ("x abcdefghij", 35, [10, 30, 30, 30, 10]),  # on a line of its own first
    ],
)
def test_line_widths(text: str, avail: float, widths: list[float]) -> None:
    assert layout.line_widths_pt(_chars(text), avail) == pytest.approx(widths)


@pytest.mark.parametrize(
    ("name", "widest"),
    [("BAN CHỈ ĐẠO 138", "BAN CHỈ ĐẠO 138"), ("ỦY BAN NHÂN DÂN PHƯỜNG BẮC SƠN", "ỦY BAN NHÂN DÂN")],
)
def test_issuing_body_rule_is_04_of_the_widest_wrapped_line(name: str, widest: str) -> None:
    rule = layout.centred_rule([name], 13, bold=True, avail_twips=HDR_CELL, ratio=0.4)
    length_pt = (HDR_CELL - rule["l"] - rule["r"]) / 20
    assert rule["l"] == rule["r"]
    assert length_pt / vn.text_width_pt(widest, 13, bold=True) == pytest.approx(0.4, abs=0.002)


HEADER_CELL = layout.HDR_LEFT_W - 2 * layout.CELL_MARGIN


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("BAN CHỈ ĐẠO 138", ("BAN CHỈ ĐẠO 138",)),
        ("ỦY BAN NHÂN DÂN THỊ XÃ BỈM SƠN", ("ỦY BAN NHÂN DÂN", "THỊ XÃ BỈM SƠN")),
        ("ỦY BAN NHÂN DÂN PHƯỜNG BẮC SƠN", ("ỦY BAN NHÂN DÂN", "PHƯỜNG BẮC SƠN")),
        ("ỦY BAN NHÂN DÂN XÃ ĐÔNG HÒA", ("ỦY BAN NHÂN DÂN", "XÃ ĐÔNG HÒA")),
        # The unit's own line may still wrap; the break is never inside THÀNH PHỐ.
        ("ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH", ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ HỒ CHÍ MINH")),
        # No unit word to break before: the word processor wraps it.
        (
            "BAN CHỈ ĐẠO PHÒNG, CHỐNG TỘI PHẠM VÀ TỆ NẠN XÃ HỘI",
            ("BAN CHỈ ĐẠO PHÒNG, CHỐNG TỘI PHẠM VÀ TỆ NẠN XÃ HỘI",),
        ),
    ],
)
def test_a_long_body_name_breaks_before_its_unit(name: str, lines: tuple[str, ...]) -> None:
    assert layout.name_lines(name, 13, bold=True, avail_twips=HEADER_CELL) == lines
