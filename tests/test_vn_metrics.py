"""Times New Roman width estimates for the lines drawn under headings."""

from __future__ import annotations

import unicodedata

import pytest

from service import vn


def test_quoc_hieu_width_at_13pt_bold() -> None:
    width = vn.text_width_pt("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 13, bold=True)
    assert 230 < width < 300


def test_known_afm_widths() -> None:
    # Times-Roman: space 250, "a" 444, "W" 944; Times-Bold "W" 1000.
    assert vn.text_width_pt(" ", 10) == pytest.approx(2.5)
    assert vn.text_width_pt("a", 1000) == pytest.approx(444)
    assert vn.text_width_pt("W", 1000) == pytest.approx(944)
    assert vn.text_width_pt("W", 1000, bold=True) == pytest.approx(1000)


@pytest.mark.parametrize(
    ("vietnamese", "base"),
    [("Độc lập", "Doc lap"), ("ƯỚC", "UOC"), ("đường", "duong"), ("Ho\u0300a", "Hoa")],
)
@pytest.mark.parametrize(("bold", "italic"), [(False, False), (True, False), (False, True),
                                              (True, True)])  # fmt: skip
def test_vietnamese_letters_take_base_width(
    vietnamese: str, base: str, bold: bool, italic: bool
) -> None:
    assert vn.text_width_pt(vietnamese, 13, bold=bold, italic=italic) == pytest.approx(
        vn.text_width_pt(base, 13, bold=bold, italic=italic)
    )


def test_styles_differ_and_scale_linearly() -> None:
    text = "Độc lập - Tự do - Hạnh phúc"
    regular = vn.text_width_pt(text, 13)
    assert vn.text_width_pt(text, 13, bold=True) > regular
    assert vn.text_width_pt(text, 13, italic=True) != regular
    assert vn.text_width_pt(text, 26) == pytest.approx(2 * regular)


def test_unknown_characters_use_average_lowercase_width() -> None:
    avg = sum(vn.text_width_pt(c, 1000) for c in "abcdefghijklmnopqrstuvwxyz") / 26
    assert vn.text_width_pt("中", 1000) == pytest.approx(avg)
    assert vn.text_width_pt("–", 1000) == pytest.approx(500)


def test_empty_and_bad_size() -> None:
    assert vn.text_width_pt("", 13) == 0
    with pytest.raises(ValueError, match="Cỡ chữ"):
        vn.text_width_pt("a", 0)


@pytest.mark.parametrize("bold", [False, True])
def test_character_widths_add_up_to_the_line(bold: bool) -> None:
    text = "ỦY BAN NHÂN DÂN PHƯỜNG BẮC SƠN – Độc lập - Tự do - Hạnh phúc"
    chars = vn.char_widths_pt(unicodedata.normalize("NFD", text), 13, bold=bold)
    assert "".join(ch for ch, _ in chars) == text  # NFC, one entry per character
    assert sum(w for _, w in chars) == pytest.approx(vn.text_width_pt(text, 13, bold=bold))
