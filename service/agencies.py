"""Agencies (issuing bodies) from configuration: names, place, books, signers."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from service import vn
from service.errors import UnknownAgency
from service.schemas import Abbreviation, Issuer, ShortText, Signer

log = logging.getLogger(__name__)


class Book(BaseModel):
    """A register (sổ) with its own yearly sequence and the type codes it takes."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    name: ShortText
    types: list[str] = Field(min_length=1)

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
        default_factory=lambda: [Book(id="van-ban-di", name="Sổ văn bản đi", types=["*"])]
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


_AGENCY_LIST = TypeAdapter(list[Agency])


def parse_agencies(text: str, *, source: str = "<agencies>") -> list[Agency]:
    """Parse a YAML or JSON list of agencies; raise ValueError naming the source."""
    try:
        raw = yaml.safe_load(text) if not text.lstrip().startswith("[") else json.loads(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ValueError(f"{source}: không đọc được YAML/JSON: {exc}") from exc
    try:
        agencies = _AGENCY_LIST.validate_python(vn.nfc_deep(raw or []))
    except ValidationError as exc:
        raise ValueError(f"{source}: danh sách cơ quan không hợp lệ: {exc}") from exc
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
