"""Request data models shared by every template: the common data blocks of api.md."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from service import vn


def _nfc(value: Any) -> Any:
    """Normalise every incoming string to NFC and trim it."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    return value


# Years a document may carry: the register's own range (its query takes these).
YEAR_MIN, YEAR_MAX = 1900, 2200


def _iso_date(value: Any) -> Any:
    """A date written as YYYY-MM-DD, in the register's years (not a number, not 0001)."""
    if isinstance(value, dt.date):
        year = value.year
    elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        year = int(value.strip()[:4])
    else:
        raise PydanticCustomError("date_format", "Ngày phải có dạng YYYY-MM-DD")
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise PydanticCustomError("date_year", f"Năm phải từ {YEAR_MIN} đến {YEAR_MAX}")
    return value


# A document's date: written YYYY-MM-DD, in a year the register can show.
DocDate = Annotated[dt.date, BeforeValidator(_iso_date)]

Text = Annotated[str, BeforeValidator(_nfc), StringConstraints(min_length=1, max_length=2000)]
ShortText = Annotated[str, BeforeValidator(_nfc), StringConstraints(min_length=1, max_length=300)]
LongText = Annotated[str, BeforeValidator(_nfc), StringConstraints(min_length=1, max_length=20000)]
Abbreviation = Annotated[
    str,
    BeforeValidator(_nfc),
    StringConstraints(min_length=1, max_length=20, pattern=r"^[A-ZĐ0-9]+(-[A-ZĐ0-9]+)*$"),
]

Authority = Literal["TM", "KT", "TL", "TUQ", "Q"]
Urgency = Literal["Khẩn", "Thượng khẩn", "Hỏa tốc"]
Secrecy = Literal["Mật", "Tối mật", "Tuyệt mật"]


class Model(BaseModel):
    """Base of our request models: unknown fields are an error, strings are NFC."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _authority(value: Any) -> Any:
    if isinstance(value, str):
        cleaned = value.strip().rstrip(".").upper()
        return cleaned or None
    return value


class Signer(Model):
    """Who signs, and with which authority (nd30 §5)."""

    authority: Annotated[Authority | None, BeforeValidator(_authority)] = Field(
        default=None,
        description="Thẩm quyền ký: null (người đứng đầu ký), TM, KT, TL, TUQ, Q",
    )
    body: ShortText | None = Field(
        default=None, description="Tập thể (TM) hoặc chức danh người đứng đầu (KT, TL, TUQ)"
    )
    title: ShortText = Field(description="Chức danh người ký, ví dụ: Trưởng ban")
    name: ShortText = Field(description="Họ và tên người ký")
    collective: ShortText | None = Field(
        default=None, description="Tập thể đứng trước dòng KT./Q. (ví dụ: Ủy ban nhân dân)"
    )
    position: ShortText | None = Field(
        default=None, description="Chức vụ ghi thêm trên họ tên (ví dụ: Phó Chủ tịch UBND thị xã)"
    )

    @model_validator(mode="after")
    def _coherent(self) -> Signer:
        try:
            self.block()
        except vn.SignatureError as exc:
            raise PydanticCustomError("signature", exc.message) from None
        return self

    def block(self) -> vn.SignatureBlock:
        """The signature lines for this signer."""
        return vn.signature_block(
            self.authority,
            title=self.title,
            name=self.name,
            body=self.body,
            collective=self.collective,
            position=self.position,
        )


class Issuer(Model):
    """An issuing body given inline instead of a configured agency id."""

    parent: ShortText | None = Field(default=None, description="Cơ quan chủ quản")
    name: ShortText = Field(description="Tên cơ quan ban hành")
    abbreviation: Abbreviation = Field(description="Chữ viết tắt tên cơ quan, ví dụ UBND")
    place: ShortText = Field(description="Địa danh ghi trên dòng ngày tháng")


class CommonData(Model):
    """The fields every template accepts (api.md, Common data blocks)."""

    agency: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")] | None = Field(
        default=None, description="Mã cơ quan đã cấu hình"
    )
    issuer: Issuer | None = None
    date: DocDate | None = Field(default=None, description="Ngày ban hành (mặc định: hôm nay)")
    summary: Text = Field(description="Trích yếu nội dung")
    signer: Signer | None = Field(
        default=None, description="Người ký (mặc định: người ký đầu tiên của cơ quan)"
    )
    recipients: list[ShortText] = Field(default_factory=list, max_length=200)
    archive: list[
        Annotated[str, BeforeValidator(_nfc), StringConstraints(min_length=1, max_length=100)]
    ] = Field(default_factory=list, max_length=20)
    number: int | None = Field(default=None, ge=1, le=999_999)
    urgency: Urgency | None = None
    secrecy: Secrecy | None = None
    draft: bool = False

    @model_validator(mode="after")
    def _one_issuer(self) -> CommonData:
        if self.agency is None and self.issuer is None:
            raise PydanticCustomError(
                "issuer_missing", "Cần mã cơ quan (agency) hoặc thông tin cơ quan (issuer)"
            )
        if self.agency is not None and self.issuer is not None:
            raise PydanticCustomError("issuer_twice", "Chỉ dùng một trong hai: agency hoặc issuer")
        return self
