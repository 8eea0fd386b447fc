"""Agencies (issuing bodies) from configuration: names, place, books, signers."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError

from service import vn
from service.errors import InvalidData, UnknownAgency
from service.schemas import Abbreviation, Issuer, ShortText, Signer
from service.validation import problems

log = logging.getLogger(__name__)

#: The type "code" of the book that takes every type no other book names.
CATCH_ALL = "*"


def _code(value: Any) -> Any:
    """A type code as written, in NFC and without surrounding blanks."""
    return vn.nfc(value).strip() if isinstance(value, str) else value


TypeCode = Annotated[str, BeforeValidator(_code)]


class Book(BaseModel):
    """A register (sổ) with its own yearly sequence and the type codes it takes."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    name: ShortText
    types: list[TypeCode] = Field(
        min_length=1,
        description=(
            "Ký hiệu loại văn bản sổ nhận (QĐ, KH, BC, GCN…, viết như trong ký hiệu văn bản), "
            'hoặc "*": mọi loại không sổ nào khác ghi tên. Mỗi loại chỉ thuộc một sổ.'
        ),
    )

    def takes(self, type_code: str) -> bool:
        """Whether documents of ``type_code`` go into this book by name."""
        return type_code in self.types


class NumberStyleSetting(BaseModel):
    """How this agency reads numbers in words (nd30 §6): one style per document."""

    model_config = ConfigDict(extra="forbid")
    zero_tens: Literal["linh", "lẻ"] = "linh"
    four: Literal["bốn", "tư"] = "bốn"
    thousand: Literal["nghìn", "ngàn"] = "nghìn"

    def style(self) -> vn.NumberStyle:
        """The vn.NumberStyle of this setting."""
        return vn.NumberStyle(zero_tens=self.zero_tens, four=self.four, thousand=self.thousand)


class Agency(BaseModel):
    """A configured issuing body."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    parent: ShortText | None = None
    name: ShortText
    abbreviation: Abbreviation
    place: ShortText
    head: ShortText | None = None
    books: list[Book] = Field(
        default_factory=lambda: [Book(id="van-ban-di", name="Sổ văn bản đi", types=["*"])],
        description=(
            "Ít nhất một sổ, mã sổ không trùng nhau; một sổ đã có văn bản không bỏ được "
            "và các loại văn bản của nó không chuyển sang sổ khác được (409)."
        ),
    )
    signers: list[Signer] = Field(default_factory=list)
    number_style: NumberStyleSetting = Field(default_factory=NumberStyleSetting)

    def issuer(self) -> Issuer:
        """The issuer lines of this agency."""
        return Issuer(
            parent=self.parent, name=self.name, abbreviation=self.abbreviation, place=self.place
        )

    def book_for(self, type_code: str) -> Book | None:
        """The first book naming ``type_code``, else the catch-all ``*`` book."""
        for book in self.books:
            if book.takes(type_code):
                return book
        for book in self.books:
            if "*" in book.types:
                return book
        return None


# The official abbreviations keep their case (QyĐ, CTr, TTr, TrS); other codes are upper case,
# the rule of the symbols the codes end up in (service.vn.symbols).
_OFFICIAL_CODES = frozenset(vn.TYPE_CODES.values())


def _upper_code(code: str) -> bool:
    """Upper-case letters and digits, in parts joined by hyphens (QĐ, GCN, MẬT, BC-2)."""
    return all(
        part and all(ch.isalnum() and not ch.islower() for ch in part) for part in code.split("-")
    )


def _type_code_problem(code: str) -> str | None:
    """Why ``code`` cannot be in a book's ``types``, or None when it can."""
    if code == CATCH_ALL or code in _OFFICIAL_CODES:
        return None
    if not code:
        return "Ký hiệu loại văn bản không được để trống"
    if any(ch.isspace() for ch in code):
        return f"Ký hiệu loại văn bản không được chứa khoảng trắng: {code!r}"
    if _upper_code(code):
        return None
    message = (
        f"Ký hiệu loại văn bản {code!r} không hợp lệ: viết như trong ký hiệu văn bản "
        "(chữ hoa, chữ số, nối bằng dấu gạch ngang, ví dụ QĐ, KH, GCN)"
    )
    official = [c for c in sorted(_OFFICIAL_CODES) if c.casefold() == code.casefold()]
    upper = code.upper()
    hint = official[0] if official else upper if _upper_code(upper) else None
    return f"{message}; có phải {hint!r}?" if hint else message


def book_problems(agency: Agency) -> list[dict[str, Any]]:
    """What makes ``agency``'s books unusable, as problem+json ``errors`` items.

    Every agency needs a book; book ids are unique within the agency; a type code
    is a code of the document symbols (case kept: matching is exact) or ``*``;
    and no type is named by two books, nor ``*`` held by two: ``book_for`` would
    otherwise take the first and a reordering of the books would silently move
    a type's numbering to another sequence.
    """
    found: list[dict[str, Any]] = []
    if not agency.books:
        found.append(
            {
                "loc": ["books"],
                "msg": "Cơ quan phải có ít nhất một sổ văn bản (không có sổ thì không cấp số được)",
                "type": "books_empty",
            }
        )
    first_with_id: dict[str, int] = {}
    owner: dict[str, int] = {}  # type code -> index of the book that takes it
    for i, book in enumerate(agency.books):
        if book.id in first_with_id:
            found.append(
                {
                    "loc": ["books", i, "id"],
                    "msg": f"Mã sổ {book.id!r} trùng với sổ thứ {first_with_id[book.id] + 1}; "
                    "mỗi sổ của cơ quan cần một mã riêng",
                    "type": "book_id_duplicate",
                }
            )
        else:
            first_with_id[book.id] = i
        for j, code in enumerate(book.types):
            loc = ["books", i, "types", j]
            invalid = _type_code_problem(code)
            if invalid is not None:
                found.append({"loc": loc, "msg": invalid, "type": "type_code_invalid"})
                continue
            if code in book.types[:j]:
                message = f"Loại {code!r} đã có trong sổ này"
                found.append({"loc": loc, "msg": message, "type": "type_code_duplicate"})
                continue
            if code not in owner:
                owner[code] = i
                continue
            other = agency.books[owner[code]]
            if code == CATCH_ALL:
                message = (
                    f"Sổ {other.id!r} đã nhận mọi loại văn bản còn lại ('*'); chỉ một sổ được "
                    "như vậy, nếu không không xác định được văn bản vào sổ nào"
                )
            else:
                message = (
                    f"Loại {code} đã thuộc sổ {other.id!r}; mỗi loại văn bản chỉ thuộc một sổ, "
                    "nếu không không xác định được văn bản vào sổ nào"
                )
            found.append({"loc": loc, "msg": message, "type": "type_code_overlap"})
    return found


def check_books(agency: Agency) -> None:
    """Raise InvalidData (422) listing book_problems, if there are any."""
    found = book_problems(agency)
    if found:
        raise InvalidData(found)


class InvalidAgencies(ValueError):
    """A list of agencies (file) refused; ``problems`` are problem+json ``errors`` items."""

    def __init__(self, source: str, problems: list[dict[str, Any]]):
        self.source = source
        self.problems = problems
        lines = [f"{source}: danh sách cơ quan không hợp lệ ({len(problems)} lỗi):"]
        lines += [f"  - {_where(p['loc'])}: {p['msg']}" for p in problems]
        super().__init__("\n".join(lines))


def _where(loc: list[Any]) -> str:
    """``[0, "books", 1, "id"]`` as ``[0].books[1].id``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(gốc)"


_AGENCY_LIST = TypeAdapter(list[Agency])


def parse_agencies(text: str, *, source: str = "<agencies>") -> list[Agency]:
    """Parse a YAML or JSON list of agencies; raise ValueError naming the source.

    Invalid agencies (the API's 422 rules, books included) raise InvalidAgencies,
    a ValueError that lists every problem with its place in the list.
    """
    try:
        raw = yaml.safe_load(text) if not text.lstrip().startswith("[") else json.loads(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ValueError(f"{source}: không đọc được YAML/JSON: {exc}") from exc
    try:
        agencies = _AGENCY_LIST.validate_python(vn.nfc_deep(raw or []))
    except ValidationError as exc:
        raise InvalidAgencies(source, problems(exc)) from None
    found = [
        {**p, "loc": [n, *p["loc"]]}
        for n, agency in enumerate(agencies)
        for p in book_problems(agency)
    ]
    if found:
        raise InvalidAgencies(source, found)
    ids = [a.id for a in agencies]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"{source}: mã cơ quan trùng: {', '.join(duplicates)}")
    return agencies


class AgencyDirectory:
    """Agencies by id, as loaded from configuration."""

    def __init__(self, agencies: list[Agency]):
        self._by_id = {a.id: a for a in agencies}

    @classmethod
    def from_file(cls, path: str | Path) -> AgencyDirectory:
        """Load the directory from a YAML/JSON file."""
        p = Path(path)
        return cls(parse_agencies(p.read_text(encoding="utf-8"), source=str(p)))

    def get(self, agency_id: str) -> Agency:
        """The agency ``agency_id``; UnknownAgency when there is none."""
        try:
            return self._by_id[agency_id]
        except KeyError:
            raise UnknownAgency(f"Không có cơ quan mã {agency_id!r}") from None

    def find(self, agency_id: str) -> Agency | None:
        """The agency ``agency_id`` or None."""
        return self._by_id.get(agency_id)

    def all(self) -> list[Agency]:
        """Every agency, in configuration order."""
        return list(self._by_id.values())

    def put(self, agency: Agency) -> None:
        """Add or replace an agency."""
        self._by_id[agency.id] = agency


def init_app(app: Any) -> None:
    """Read the configured agencies (the seed of the database's agencies)."""
    directory = AgencyDirectory.from_file(app.config["AGENCIES_FILE"])
    app.extensions["vanban.agencies.seed"] = directory
    log.info("read %d agencies from %s", len(directory.all()), app.config["AGENCIES_FILE"])


def seed() -> AgencyDirectory:
    """The agencies of the configuration file, as read at start."""
    from flask import current_app

    directory: AgencyDirectory = current_app.extensions["vanban.agencies.seed"]
    return directory


def current() -> AgencyDirectory:
    """The agencies of the register database, read once per request."""
    from flask import g

    from service import db
    from service.register import load_directory

    directory: AgencyDirectory | None = g.get("vanban_agencies")
    if directory is None:
        directory = load_directory(db.request_session())
        g.vanban_agencies = directory
    return directory
