"""Numbers and money in words (nd30 §6)."""

from __future__ import annotations

import pytest

from service import vn

CASES = [
    (0, "không"),
    (1, "một"),
    (4, "bốn"),
    (5, "năm"),
    (9, "chín"),
    (10, "mười"),
    (11, "mười một"),
    (14, "mười bốn"),
    (15, "mười lăm"),
    (19, "mười chín"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (24, "hai mươi bốn"),
    (25, "hai mươi lăm"),
    (30, "ba mươi"),
    (41, "bốn mươi mốt"),
    (44, "bốn mươi bốn"),
    (55, "năm mươi lăm"),
    (99, "chín mươi chín"),
    (100, "một trăm"),
    (101, "một trăm linh một"),
    (104, "một trăm linh bốn"),
    (105, "một trăm linh năm"),
    (110, "một trăm mười"),
    (111, "một trăm mười một"),
    (115, "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt"),
    (200, "hai trăm"),
    (305, "ba trăm linh năm"),
    (999, "chín trăm chín mươi chín"),
    (1000, "một nghìn"),
    (1001, "một nghìn không trăm linh một"),
    (1005, "một nghìn không trăm linh năm"),
    (1010, "một nghìn không trăm mười"),
    (1015, "một nghìn không trăm mười lăm"),
    (1021, "một nghìn không trăm hai mươi mốt"),
    (1082, "một nghìn không trăm tám mươi hai"),
    (1100, "một nghìn một trăm"),
    (2024, "hai nghìn không trăm hai mươi bốn"),
    (10_000, "mười nghìn"),
    (15_972, "mười lăm nghìn chín trăm bảy mươi hai"),
    (21_000, "hai mươi mốt nghìn"),
    (100_000, "một trăm nghìn"),
    (105_000, "một trăm linh năm nghìn"),
    (999_999, "chín trăm chín mươi chín nghìn chín trăm chín mươi chín"),
    (1_000_000, "một triệu"),
    (1_000_001, "một triệu không trăm linh một"),
    (1_005_000, "một triệu không trăm linh năm nghìn"),
    (1_200_000, "một triệu hai trăm nghìn"),
    (2_050_300, "hai triệu không trăm năm mươi nghìn ba trăm"),
    (25_000_000, "hai mươi lăm triệu"),
    (1_000_000_000, "một tỷ"),
    (1_000_000_005, "một tỷ không trăm linh năm"),
    (1_000_005_000, "một tỷ không trăm linh năm nghìn"),
    (
        1_001_001_001,
        "một tỷ không trăm linh một triệu không trăm linh một nghìn không trăm linh một",
    ),
    (3_500_000_000, "ba tỷ năm trăm triệu"),
    (10**12, "một nghìn tỷ"),
    (1_500_000_000_000, "một nghìn năm trăm tỷ"),
    (1_001_000_000_000, "một nghìn không trăm linh một tỷ"),
    (1_000_020_000_000, "một nghìn tỷ không trăm hai mươi triệu"),
    (2 * 10**15, "hai triệu tỷ"),
    (10**15 + 1, "một triệu tỷ không trăm linh một"),
    (12_345_678_000_000_000, "mười hai triệu ba trăm bốn mươi lăm nghìn sáu trăm bảy mươi tám tỷ"),
    (10**18, "một tỷ tỷ"),
    (10**18 + 5, "một tỷ tỷ không trăm linh năm"),
    (21 * 10**18, "hai mươi mốt tỷ tỷ"),
    (-5, "âm năm"),
    (-1021, "âm một nghìn không trăm hai mươi mốt"),
]


@pytest.mark.parametrize(("n", "words"), CASES)
def test_number_to_words(n: int, words: str) -> None:
    assert vn.number_to_words(n) == words


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 60


def test_largest_supported_number() -> None:
    words = vn.number_to_words(10**21 - 1)
    assert words.startswith("chín trăm chín mươi chín tỷ tỷ chín trăm chín mươi chín triệu")
    assert words.endswith("nghìn chín trăm chín mươi chín")


@pytest.mark.parametrize("n", [10**21, -(10**21), 10**30])
def test_above_range_raises_vietnamese(n: int) -> None:
    with pytest.raises(ValueError, match="quá lớn"):
        vn.number_to_words(n)


@pytest.mark.parametrize("bad", [1.5, "12", True])
def test_non_integer_rejected(bad: object) -> None:
    with pytest.raises(TypeError):
        vn.number_to_words(bad)  # type: ignore[arg-type]


STYLE_CASES = [
    (vn.NumberStyle(zero_tens="lẻ"), 105, "một trăm lẻ năm"),
    (vn.NumberStyle(zero_tens="lẻ"), 1021, "một nghìn không trăm hai mươi mốt"),
    (vn.NumberStyle(zero_tens="lẻ"), 1001, "một nghìn không trăm lẻ một"),
    (vn.NumberStyle(four="tư"), 24, "hai mươi tư"),
    (vn.NumberStyle(four="tư"), 14, "mười bốn"),
    (vn.NumberStyle(four="tư"), 104, "một trăm linh bốn"),
    (vn.NumberStyle(four="tư"), 4, "bốn"),
    (vn.NumberStyle(four="tư"), 44_000, "bốn mươi tư nghìn"),
    (vn.NumberStyle(thousand="ngàn"), 1021, "một ngàn không trăm hai mươi mốt"),
    (vn.NumberStyle(thousand="ngàn"), 10**12, "một ngàn tỷ"),
    (
        vn.NumberStyle(zero_tens="lẻ", four="tư", thousand="ngàn"),
        24_105_024,
        "hai mươi tư triệu một trăm lẻ năm ngàn không trăm hai mươi tư",
    ),
]


@pytest.mark.parametrize(("style", "n", "words"), STYLE_CASES)
def test_style_variants(style: vn.NumberStyle, n: int, words: str) -> None:
    assert vn.number_to_words(n, style=style) == words


@pytest.mark.parametrize(
    "kwargs", [{"zero_tens": "le"}, {"four": "4"}, {"thousand": "ngan"}, {"thousand": "Nghìn"}]
)
def test_invalid_style_rejected(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="không hợp lệ"):
        vn.NumberStyle(**kwargs)


def test_style_is_frozen() -> None:
    style = vn.NumberStyle()
    with pytest.raises(AttributeError):
        style.four = "tư"  # type: ignore[misc]


AMOUNT_CASES = [
    (1021, {}, "Một nghìn không trăm hai mươi mốt đồng"),
    (0, {}, "Không đồng"),
    (15_000_000, {}, "Mười lăm triệu đồng"),
    (1_500_000_000_000, {}, "Một nghìn năm trăm tỷ đồng"),
    (1021, {"style": vn.NumberStyle(thousand="ngàn")}, "Một ngàn không trăm hai mươi mốt đồng"),
    (25, {"currency": "đô la Mỹ"}, "Hai mươi lăm đô la Mỹ"),
    (7, {"currency": ""}, "Bảy"),
    (-2000, {}, "Âm hai nghìn đồng"),
]


@pytest.mark.parametrize(("n", "kwargs", "text"), AMOUNT_CASES)
def test_amount_to_words(n: int, kwargs: dict[str, object], text: str) -> None:
    assert vn.amount_to_words(n, **kwargs) == text  # type: ignore[arg-type]


def test_amount_sentence_as_in_spec() -> None:
    sentence = f"Bằng chữ: {vn.amount_to_words(1021)}."
    assert sentence == "Bằng chữ: Một nghìn không trăm hai mươi mốt đồng."
    assert not vn.amount_to_words(1021).endswith(".")
