"""Names of bodies: where the administrative unit starts, and running-text case."""

from __future__ import annotations

import unicodedata

import pytest
import yaml

from config.settings import ROOT
from service import vn


@pytest.mark.parametrize(
    ("name", "spans"),
    [
        ("ỦY BAN NHÂN DÂN THỊ XÃ BỈM SƠN", [(4, 6)]),
        ("ỦY BAN NHÂN DÂN PHƯỜNG BẮC SƠN", [(4, 5)]),
        ("ỦY BAN NHÂN DÂN THỊ TRẤN ĐÔNG HÒA", [(4, 6)]),
        ("ỦY BAN NHÂN DÂN XÃ ĐÔNG HÒA, HUYỆN ĐÔNG SƠN", [(4, 5), (7, 8)]),
        ("BAN CHỈ ĐẠO 138", []),
        # "Xã hội" is society, not a commune called Hội.
        ("BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", []),
        ("BAN CHỈ ĐẠO PHÒNG, CHỐNG TỆ NẠN XÃ HỘI THÀNH PHỐ HUẾ", [(9, 11)]),
    ],
)
def test_unit_spans(name: str, spans: list[tuple[int, int]]) -> None:
    assert vn.unit_spans(name.split()) == spans


def _agency_names() -> list[tuple[str, str]]:
    agencies = yaml.safe_load((ROOT / "config" / "agencies.yaml").read_text(encoding="utf-8"))
    return [(a["id"], a["name"]) for a in agencies]


# Every configured agency has a name this test knows how running text writes.
AGENCY_NAMES = {
    "bcd138-bimson": "Ban Chỉ đạo 138",
    "ubnd-bimson": "Ủy ban nhân dân thị xã Bỉm Sơn",
    "ubnd-bac-son": "Ủy ban nhân dân phường Bắc Sơn",
}


@pytest.mark.parametrize(("agency", "name"), _agency_names())
def test_configured_agency_names_in_running_text(agency: str, name: str) -> None:
    assert vn.running_case(name) == AGENCY_NAMES[agency]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ỦY BAN NHÂN DÂN PHƯỜNG BẮC SƠN", "Ủy ban nhân dân phường Bắc Sơn"),
        ("ỦY BAN NHÂN DÂN THỊ XÃ BỈM SƠN", "Ủy ban nhân dân thị xã Bỉm Sơn"),
        ("ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH", "Ủy ban nhân dân thành phố Hồ Chí Minh"),
        ("ỦY BAN NHÂN DÂN QUẬN 1", "Ủy ban nhân dân quận 1"),
        (
            "ỦY BAN NHÂN DÂN XÃ ĐÔNG HÒA, HUYỆN ĐÔNG SƠN, TỈNH THANH HÓA",
            "Ủy ban nhân dân xã Đông Hòa, huyện Đông Sơn, tỉnh Thanh Hóa",
        ),
        ("ỦY BAN NHÂN DÂN TỈNH BÀ RỊA - VŨNG TÀU", "Ủy ban nhân dân tỉnh Bà Rịa - Vũng Tàu"),
        ("HỘI ĐỒNG NHÂN DÂN TỈNH THANH HÓA", "Hội đồng nhân dân tỉnh Thanh Hóa"),
        ("CÔNG AN PHƯỜNG BẮC SƠN", "Công an phường Bắc Sơn"),
        # Ban Chỉ đạo: the kind and the first word of its function take capitals.
        ("BAN CHỈ ĐẠO 138", "Ban Chỉ đạo 138"),
        ("BAN CHỈ ĐẠO 138 THỊ XÃ", "Ban Chỉ đạo 138 thị xã"),
        ("BAN CHỈ ĐẠO 138 THỊ XÃ BỈM SƠN", "Ban Chỉ đạo 138 thị xã Bỉm Sơn"),
        (
            "BAN CHỈ ĐẠO PHÒNG, CHỐNG TỘI PHẠM VÀ TỆ NẠN XÃ HỘI PHƯỜNG BẮC SƠN",
            "Ban Chỉ đạo phòng, chống tội phạm và tệ nạn xã hội phường Bắc Sơn",
        ),
        # No administrative unit in the name.
        ("SỞ TƯ PHÁP", "Sở Tư pháp"),
        ("HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG", "Hội đồng Thi đua - Khen thưởng"),
        ("ĐẢNG ỦY PHƯỜNG BẮC SƠN", "Đảng ủy phường Bắc Sơn"),
        # Abbreviations keep their capitals.
        ("VĂN PHÒNG HĐND VÀ UBND PHƯỜNG BẮC SƠN", "Văn phòng HĐND và UBND phường Bắc Sơn"),
        # A head before the body (an authority line given in capitals).
        ("CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG BẮC SƠN", "Chủ tịch Ủy ban nhân dân phường Bắc Sơn"),
        (
            "PHÓ CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH THANH HÓA",
            "Phó Chủ tịch Ủy ban nhân dân tỉnh Thanh Hóa",
        ),
        ("TRƯỞNG BAN CHỈ ĐẠO 138 THỊ XÃ BỈM SƠN", "Trưởng Ban Chỉ đạo 138 thị xã Bỉm Sơn"),
        ("CHỦ TỊCH UBND PHƯỜNG BẮC SƠN", "Chủ tịch UBND phường Bắc Sơn"),
        ("CHỦ TỊCH", "Chủ tịch"),
        # Decomposed input comes out composed.
        ("ỦY BAN NHÂN DÂN XÃ ĐÔNG HO\u0300A", "Ủy ban nhân dân xã Đông Hòa"),
    ],
)
def test_running_case(name: str, expected: str) -> None:
    result = vn.running_case(name)
    assert result == expected
    assert unicodedata.is_normalized("NFC", result)
    assert vn.upper(result) == vn.upper(name)  # only the case changes


@pytest.mark.parametrize(
    "name",
    [
        "Chủ tịch Ủy ban nhân dân thị xã Bỉm Sơn",
        "Ban chỉ đạo 138 thị xã",
        "Chủ tịch UBND phường Bắc Sơn",
        "Sở Tư pháp",
    ],
)
def test_a_name_with_small_letters_is_kept_as_written(name: str) -> None:
    assert vn.running_case(name) == name


def test_spacing_is_kept() -> None:
    assert vn.running_case(" ỦY BAN  NHÂN DÂN PHƯỜNG BẮC SƠN") == " Ủy ban  nhân dân phường Bắc Sơn"
