"""Signature block: signing authority, title and name (nd30 §5)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.vn.text import fold, nfc, upper

FIELDS = ("authority", "title", "body", "name", "collective")
AUTHORITIES = ("TM", "KT", "TL", "TUQ", "Q")


class SignatureError(ValueError):
    """Invalid signature input; .field names the input field, .message is Vietnamese."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class SignatureBlock:
    """Upper-case authority/title lines, optional position line, and the signer's name."""

    lines: tuple[str, ...]
    position: str | None
    name: str


# nd30: no academic or professional titles before the signer's name.
_ACADEMIC = re.compile(r"^(?:gs|pgs|tskh|ts|ths|ks|bs|ds|ls|ncs)\s*\.", re.IGNORECASE)
_ACADEMIC_WORDS = ("giao su ", "pho giao su ", "tien si ", "thac si ")
# A prefix typed into a field that we add ourselves ("KT. CHỦ TỊCH" as the body).
_PREFIX = re.compile(r"^(?:tm|kt|tl|tuq|q)\s*\.\s*", re.IGNORECASE)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(nfc(value).split())
    return text or None


def _field(field: str, value: str | None) -> str | None:
    text = _clean(value)
    if text is not None and _PREFIX.match(text):
        raise SignatureError(
            field, f"Không ghi tiền tố thẩm quyền (TM., KT., TL., TUQ., Q.) trong {field}: {text!r}"
        )
    return text


def _authority(value: str | None) -> str | None:
    text = _clean(value)
    if text is None:
        return None
    code = upper(text).rstrip(".").strip()
    if code not in AUTHORITIES:
        raise SignatureError(
            "authority",
            f"Thẩm quyền ký không hợp lệ: {text!r} (dùng TM., KT., TL., TUQ., Q. hoặc bỏ trống)",
        )
    return code


def _name(value: str | None) -> str:
    name = _clean(value)
    if name is None:
        raise SignatureError("name", "Họ và tên người ký không được để trống")
    if _ACADEMIC.match(name) or fold(name).startswith(_ACADEMIC_WORDS):
        raise SignatureError(
            "name", f"Không ghi học hàm, học vị trước họ tên người ký (Nghị định 30): {name!r}"
        )
    return name


def signature_block(
    authority: str | None,
    *,
    title: str | None,
    name: str,
    body: str | None = None,
    collective: str | None = None,
    position: str | None = None,
) -> SignatureBlock:
    """Build the signer block lines for the given authority (None, TM, KT, TL, TUQ, Q)."""
    code = _authority(authority)
    title_text = _field("title", title)
    body_text = _field("body", body)
    collective_text = _field("collective", collective)
    position_text = _clean(position)
    if title_text is None:
        raise SignatureError("title", "Chức danh người ký (title) không được để trống")
    signer = _name(name)

    if code is None:
        if body_text is not None:
            raise SignatureError(
                "body", "Người đứng đầu ký trực tiếp (không có tiền tố thẩm quyền) không ghi body"
            )
        if collective_text is not None:
            raise SignatureError(
                "collective", "Ký trực tiếp không ghi tập thể; thay mặt tập thể thì dùng TM."
            )
    elif code == "Q":
        if body_text is not None:
            raise SignatureError("body", "Quyền (Q.) chỉ ghi chức danh được giao quyền (title)")
    else:
        if body_text is None:
            raise SignatureError("body", _MISSING_BODY[code])
        if upper(body_text) == upper(title_text):
            raise SignatureError("title", _SAME_TITLE[code])
        if collective_text is not None and code != "KT":
            raise SignatureError("collective", _NO_COLLECTIVE[code])

    lines: list[str] = []
    if collective_text is not None:
        lines.append("TM. " + upper(collective_text))
    if code is None:
        lines.append(upper(title_text))
    elif code == "Q":
        lines.append("Q. " + upper(title_text))
    else:
        assert body_text is not None
        lines += [f"{code}. " + upper(body_text), upper(title_text)]
    return SignatureBlock(
        lines=tuple(lines),
        position=upper(position_text) if position_text else None,
        name=signer,
    )


_MISSING_BODY = {
    "TM": "Thay mặt (TM.) cần tên tập thể lãnh đạo (body), ví dụ Ủy ban nhân dân",
    "KT": "Ký thay (KT.) cần chức danh của người đứng đầu (body)",
    "TL": "Thừa lệnh (TL.) cần chức danh của người đứng đầu (body)",
    "TUQ": "Thừa ủy quyền (TUQ.) cần chức danh của người đứng đầu (body)",
}
_SAME_TITLE = {
    "TM": "Thay mặt (TM.): chức danh người ký (title) phải khác tên tập thể (body)",
    "KT": "Ký thay (KT.): chức danh cấp phó (title) phải khác chức danh người đứng đầu (body)",
    "TL": "Thừa lệnh (TL.): chức danh người ký (title) phải khác chức danh người đứng đầu (body)",
    "TUQ": "Thừa ủy quyền (TUQ.): chức danh người ký (title) phải khác chức danh người đứng đầu",
}
_NO_COLLECTIVE = {
    "TM": "Thay mặt (TM.): tên tập thể ghi ở body, không ghi thêm collective",
    "TL": "Thừa lệnh (TL.) không ghi tập thể (collective)",
    "TUQ": "Thừa ủy quyền (TUQ.) không ghi tập thể (collective)",
}
