"""Unicode helpers: NFC, case, folding, Roman numerals, point letters, XML cleaning."""

from __future__ import annotations

import random
import unicodedata

import pytest

from service import vn


def test_nfc_composes() -> None:
    assert vn.nfc("Vie\u0323\u0302t Nam") == "Việt Nam"
    assert unicodedata.is_normalized("NFC", vn.nfc("Ho\u0300a"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cộng hòa xã hội chủ nghĩa Việt Nam", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("đường ưu tiên", "ĐƯỜNG ƯU TIÊN"),
        ("Ban chỉ đạo 138 thị xã", "BAN CHỈ ĐẠO 138 THỊ XÃ"),
        ("ủy ban nhân dân", "ỦY BAN NHÂN DÂN"),
        ("ho\u0300a", "HÒA"),
        ("Thanh Ho\u0301a", "THANH HÓA"),
        ("Ơn", "ƠN"),
    ],
)
def test_upper(text: str, expected: str) -> None:
    result = vn.upper(text)
    assert result == expected
    assert unicodedata.is_normalized("NFC", result)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("một nghìn đồng", "Một nghìn đồng"),
        ("đồng ý", "Đồng ý"),
        ("ủy ban Nhân dân", "Ủy ban Nhân dân"),
        ("  xét đề nghị", "  Xét đề nghị"),
        ("«các» nội dung", "«Các» nội dung"),
        ("5 hộ gia đình", "5 hộ gia đình"),
        ("", ""),
        ("u\u031b\u0300u đãi", "Ừu đãi"),
    ],
)
def test_capitalize_first(text: str, expected: str) -> None:
    assert vn.capitalize_first(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bỉm Sơn", "bim son"),
        ("ĐÀ NẴNG", "da nang"),
        ("Quyết định", "quyet dinh"),
        ("Bi\u0309m So\u031bn", "bim son"),
        ("Nguyễn Thị Ưng", "nguyen thi ung"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert vn.fold(text) == expected


def _fold_whole(s: str) -> str:
    """fold written over the whole string (decompose, drop marks, compose, casefold)."""
    decomposed = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).casefold()


# Latin with every Vietnamese letter, combining marks, Greek/Cyrillic, punctuation, digits.
_FOLD_RANGES = [*range(0x20, 0x250), *range(0x300, 0x370), *range(0x370, 0x530),
                *range(0x1E00, 0x1F00), *range(0x2000, 0x2070), 0xFB00, 0xFB01]  # fmt: skip


def test_fold_by_character_equals_folding_the_whole_string() -> None:
    chars = [chr(c) for c in _FOLD_RANGES]
    rng = random.Random(30)
    samples = ["".join(rng.choices(chars, k=rng.randint(1, 40))) for _ in range(3000)]
    samples += [unicodedata.normalize(form, s) for s in samples[:500] for form in ("NFC", "NFD")]
    samples += ["Ủy ban nhân dân thị xã Bỉm Sơn", "ẞ straße ǅ ﬁ", "Ǆ ǰ İstanbul"]
    for s in samples:
        assert vn.fold(s) == _fold_whole(s), s


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "I"), (2, "II"), (4, "IV"), (5, "V"), (9, "IX"), (14, "XIV"), (40, "XL"),
     (90, "XC"), (400, "CD"), (1994, "MCMXCIV"), (2024, "MMXXIV"), (3999, "MMMCMXCIX")],
)  # fmt: skip
def test_roman(n: int, text: str) -> None:
    assert vn.roman(n) == text


@pytest.mark.parametrize("n", [0, -1, 4000, True])
def test_roman_out_of_range(n: int) -> None:
    with pytest.raises(ValueError, match="La Mã"):
        vn.roman(n)


def test_point_letters_in_vietnamese_order() -> None:
    letters = [vn.point_letter(i) for i in range(23)]
    assert "".join(letters) == "abcdđeghiklmnopqrstuvxy"
    assert "f" not in letters and "j" not in letters and "w" not in letters and "z" not in letters


@pytest.mark.parametrize(
    ("i", "label"), [(0, "a"), (3, "d"), (4, "đ"), (5, "e"), (6, "g"), (22, "y"), (23, "aa"),
                     (24, "bb"), (27, "đđ"), (45, "yy"), (46, "aaa")]
)  # fmt: skip
def test_point_letter(i: int, label: str) -> None:
    assert vn.point_letter(i) == label


def test_point_letter_negative() -> None:
    with pytest.raises(ValueError, match="điểm"):
        vn.point_letter(-1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\x00b\x01c\x08d\x0be\x0cf\x1fg", "abcdefg"),
        ("tab\tnew\nline\rok", "tab\tnew\nline\rok"),
        ("x\ufffey\uffffz", "xyz"),
        ("lone\ud800 high\udfff low", "lone high low"),
        ("emoji 😀 🇻🇳 giữ nguyên", "emoji 😀 🇻🇳 giữ nguyên"),
        ("Cộng hòa – “Độc lập” … €", "Cộng hòa – “Độc lập” … €"),
        ("\ue000private\ufffd", "\ue000private\ufffd"),
        ("", ""),
    ],
)
def test_strip_xml_illegal(text: str, expected: str) -> None:
    assert vn.strip_xml_illegal(text) == expected


def test_nfc_deep_normalises_every_string_of_a_json_value() -> None:
    import unicodedata

    from service import vn

    decomposed = unicodedata.normalize("NFD", "Bỉm Sơn")
    value = {"a": [decomposed, {"b": (decomposed, 5)}], decomposed: None}
    out = vn.nfc_deep(value)
    assert out == {"a": ["Bỉm Sơn", {"b": ["Bỉm Sơn", 5]}], "Bỉm Sơn": None}
