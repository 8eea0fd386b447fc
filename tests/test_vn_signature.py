"""Signature block forms of nd30 §5 and rejection of nonsense input."""

from __future__ import annotations

import pytest

from service import vn

FORMS = [
    # (authority, kwargs, expected lines)
    (None, {"title": "Chủ tịch"}, ("CHỦ TỊCH",)),
    ("TM", {"body": "Ủy ban nhân dân", "title": "Chủ tịch"}, ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")),
    ("TM.", {"body": "Ban chỉ đạo", "title": "Trưởng ban"}, ("TM. BAN CHỈ ĐẠO", "TRƯỞNG BAN")),
    ("KT", {"body": "Chủ tịch", "title": "Phó Chủ tịch"}, ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")),
    (
        "kt.",
        {"body": "Chủ tịch", "title": "Phó Chủ tịch", "collective": "Ủy ban nhân dân"},
        ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
    ),
    ("TL", {"body": "Chủ tịch", "title": "Chánh Văn phòng"}, ("TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG")),
    ("tuq", {"body": "Chủ tịch", "title": "Chánh Văn phòng"}, ("TUQ. CHỦ TỊCH", "CHÁNH VĂN PHÒNG")),
    ("Q.", {"title": "Giám đốc"}, ("Q. GIÁM ĐỐC",)),
    ("Q", {"title": "Chủ tịch", "collective": "Ủy ban nhân dân"},
     ("TM. ỦY BAN NHÂN DÂN", "Q. CHỦ TỊCH")),
    ("", {"title": "giám đốc"}, ("GIÁM ĐỐC",)),
    (" TM. ", {"body": "ủy  ban nhân dân", "title": "chu\u0309 ti\u0323ch"},
     ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")),
]  # fmt: skip


@pytest.mark.parametrize(("authority", "kwargs", "lines"), FORMS)
def test_signature_forms(
    authority: str | None, kwargs: dict[str, str], lines: tuple[str, ...]
) -> None:
    block = vn.signature_block(authority, name="Nguyễn Văn A", **kwargs)
    assert block == vn.SignatureBlock(lines=lines, position=None, name="Nguyễn Văn A")


def test_reference_report_block() -> None:
    block = vn.signature_block(
        "TM",
        body="Ban chỉ đạo 138 thị xã",
        title="Trưởng ban",
        position="Phó Chủ tịch UBND thị xã",
        name="Mai Đình Lâm",
    )
    assert block.lines == ("TM. BAN CHỈ ĐẠO 138 THỊ XÃ", "TRƯỞNG BAN")
    assert block.position == "PHÓ CHỦ TỊCH UBND THỊ XÃ"
    assert block.name == "Mai Đình Lâm"


def test_name_trimmed_nfc_and_case_kept() -> None:
    block = vn.signature_block(None, title="Chủ tịch", name="  Mai  \u0110i\u0300nh La\u0302m ")
    assert block.name == "Mai Đình Lâm"
    lower = vn.signature_block(None, title="Chủ tịch", name="mai đình lâm")
    assert lower.name == "mai đình lâm"


def test_blank_position_is_none_and_block_frozen() -> None:
    block = vn.signature_block(None, title="Chủ tịch", name="Lê B", position="  ")
    assert block.position is None
    with pytest.raises(AttributeError):
        block.name = "X"  # type: ignore[misc]


REJECTS = [
    # (authority, kwargs, field, message fragment)
    ("KT", {"title": "Phó Chủ tịch"}, "body",
     "Ký thay (KT.) cần chức danh của người đứng đầu (body)"),
    ("TL", {"title": "Chánh Văn phòng"}, "body", "Thừa lệnh"),
    ("TUQ", {"title": "Chánh Văn phòng"}, "body", "Thừa ủy quyền"),
    ("TM", {"title": "Chủ tịch"}, "body", "Thay mặt"),
    ("TM", {"body": "Ủy ban nhân dân", "title": None}, "title", "Chức danh"),
    (None, {"title": "  "}, "title", "Chức danh"),
    ("KT", {"body": "Chủ tịch", "title": "chủ tịch"}, "title", "phải khác"),
    ("Q", {"body": "Chủ tịch", "title": "Giám đốc"}, "body", "Quyền (Q.)"),
    (None, {"body": "Ủy ban nhân dân", "title": "Chủ tịch"}, "body", "không ghi body"),
    (None, {"collective": "Ủy ban nhân dân", "title": "Chủ tịch"}, "collective", "TM."),
    ("TL", {"body": "Chủ tịch", "title": "Chánh Văn phòng", "collective": "Ủy ban nhân dân"},
     "collective", "Thừa lệnh"),
    ("TUQ", {"body": "Chủ tịch", "title": "Chánh Văn phòng", "collective": "UBND"},
     "collective", "Thừa ủy quyền"),
    ("TM", {"body": "Ủy ban nhân dân", "title": "Chủ tịch", "collective": "UBND"},
     "collective", "Thay mặt"),
    ("KTT", {"body": "Chủ tịch", "title": "Phó Chủ tịch"}, "authority", "không hợp lệ"),
    ("Ký thay", {"body": "Chủ tịch", "title": "Phó Chủ tịch"}, "authority", "không hợp lệ"),
    ("KT", {"body": "KT. Chủ tịch", "title": "Phó Chủ tịch"}, "body", "tiền tố"),
    (None, {"title": "Q. Giám đốc"}, "title", "tiền tố"),
]  # fmt: skip


@pytest.mark.parametrize(("authority", "kwargs", "field", "fragment"), REJECTS)
def test_signature_rejects(
    authority: str | None, kwargs: dict[str, str | None], field: str, fragment: str
) -> None:
    kwargs.setdefault("title", None)
    with pytest.raises(vn.SignatureError) as excinfo:
        vn.signature_block(authority, name="Nguyễn Văn A", **kwargs)  # type: ignore[arg-type]
    assert excinfo.value.field == field
    assert fragment in excinfo.value.message
    assert isinstance(excinfo.value, ValueError)
    assert str(excinfo.value) == excinfo.value.message


@pytest.mark.parametrize(
    "name", ["", "   ", "TS. Nguyễn Văn A", "ThS.Nguyễn Văn A", "PGS. TS. Lê B", "GS. Trần C",
             "ths. Phạm D", "Tiến sĩ Nguyễn Văn A"],
)  # fmt: skip
def test_signature_rejects_names(name: str) -> None:
    with pytest.raises(vn.SignatureError) as excinfo:
        vn.signature_block(None, title="Chủ tịch", name=name)
    assert excinfo.value.field == "name"


def test_ordinary_names_starting_like_titles_accepted() -> None:
    for name in ("Tsằn Văn A", "Giáp Văn B", "Thân Thị C"):
        assert vn.signature_block(None, title="Chủ tịch", name=name).name == name
