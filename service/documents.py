"""Validate a template's data and render it: the domain behind /render and /documents."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import unicodedata
from dataclasses import dataclass
from typing import Any

from service import layout, templates, vn
from service.agencies import Agency, AgencyDirectory
from service.errors import InvalidData
from service.render.engine import CompiledTemplate, engine
from service.schemas import CommonData, Issuer, Signer
from service.templates import TemplateSpec
from service.validation import validate

log = logging.getLogger(__name__)

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Prepared:
    """Validated data with everything resolved that the context needs."""

    spec: TemplateSpec
    data: CommonData
    agency: Agency | None
    issuer: Issuer
    signer: Signer
    date: dt.date
    number: int | None
    symbol: str

    @property
    def number_style(self) -> vn.NumberStyle:
        """How numbers read in words for this document's agency."""
        return self.agency.number_style.style() if self.agency else vn.NumberStyle()

    @property
    def type_code(self) -> str:
        """The type abbreviation of the document (QĐ, KH, BC, GCN)."""
        return self.spec.doc_type


@dataclass(frozen=True)
class RenderedDocument:
    """A rendered file and what the register needs to know about it."""

    content: bytes
    filename: str
    media_type: str
    symbol: str
    number: int | None
    date: dt.date
    summary: str
    signer_name: str


def prepare(
    template_id: str,
    data: Any,
    agencies: AgencyDirectory,
    *,
    number: int | None = None,
) -> Prepared:
    """Validate ``data`` for ``template_id`` and resolve agency, signer, date, symbol."""
    spec = templates.get(template_id)
    model = validate(spec.model, data, prefix=["data"])
    agency = agencies.get(model.agency) if model.agency else None
    issuer = agency.issuer() if agency else model.issuer
    assert issuer is not None  # guaranteed by CommonData
    signer = model.signer or (agency.signers[0] if agency and agency.signers else None)
    if signer is None:
        raise InvalidData([{"loc": ["data", "signer"], "msg": "Thiếu người ký", "type": "missing"}])
    date = model.date or vn.today()
    if number is None and not model.draft:
        number = model.number
    symbol = vn.symbol(None if model.draft else number, spec.doc_type, issuer.abbreviation)
    return Prepared(spec, model, agency, issuer, signer, date, number, symbol)


def common_context(p: Prepared) -> dict[str, Any]:
    """The header, title and signature values every portrait template shows."""
    issuer, data = p.issuer, p.data
    left, right = layout.header_columns(layout.text_width(p.spec.orientation))
    cell_left = left - 2 * layout.CELL_MARGIN
    cell_right = right - 2 * layout.CELL_MARGIN
    body_lines = list(
        layout.name_lines(vn.upper(issuer.name), 13, bold=True, avail_twips=cell_left)
    )
    motto = "Độc lập - Tự do - Hạnh phúc"
    date_line = vn.date_line(issuer.place, None if data.draft else p.date, year=p.date.year)
    marks = [vn.upper(m) for m in (data.secrecy, data.urgency) if m]
    block = p.signer.block()
    return {
        "hdr": {
            "parent": vn.upper(issuer.parent) if issuer.parent else None,
            "body": body_lines,
            "body_rule": layout.centred_rule(
                body_lines, 13, bold=True, avail_twips=cell_left, ratio=0.4
            ),
            "quoc_hieu": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "motto": motto,
            "motto_rule": layout.centred_rule(
                [motto], 13, bold=True, avail_twips=cell_right, ratio=1.0
            ),
            "number": vn.number_line(p.symbol),
            "marks": marks,
            "date": date_line,
        },
        "title": title_context(p.spec.type_name, data.summary),
        "sig": {
            "lines": list(block.lines),
            "position": block.position,
            "name": block.name,
        },
    }


def title_context(type_name: str, subject: str) -> dict[str, Any]:
    """The type name, the subject and the rule under it (1/3–1/2 of its width)."""
    return {
        "type": type_name,
        "subject": subject,
        "rule": layout.centred_rule([subject], 14, bold=True, avail_twips=layout.TEXT_W, ratio=0.4),
    }


def recipients(p: Prepared, *, first: str | None = None) -> list[str]:
    """The Nơi nhận lines of the document."""
    return vn.recipient_lines(list(p.data.recipients), list(p.data.archive), first=first)


def _ascii_filename(text: str) -> str:
    folded = vn.fold(text)
    cleaned = "".join(c if c.isalnum() else "-" for c in folded)
    return "-".join(part for part in cleaned.split("-") if part) or "van-ban"


def filename_for(p: Prepared, extension: str) -> str:
    """A file name such as ``149-BC-BCD-2018-07-27.docx`` (UTF-8 variant keeps Đ)."""
    stem = p.symbol.strip().replace("/", "-") if p.number else f"du-thao-{p.spec.id}"
    stem = unicodedata.normalize("NFC", stem)
    return f"{stem}-{p.date.isoformat()}.{extension}"


def ascii_filename(name: str) -> str:
    """The ASCII fallback of a file name for Content-Disposition."""
    stem, _, ext = name.rpartition(".")
    return f"{_ascii_filename(stem)}.{ext}"


def render_prepared(p: Prepared) -> RenderedDocument:
    """Render a prepared document to .docx bytes."""
    return _rendered(p, _compiled(p).package(_body(p)))


# Private-use characters around the number in the symbol of a NumberedRenderer's
# one full render: they pass Jinja's escaping and NFC untouched, and mark where
# the number went so that another number can replace it.
_OPEN, _CLOSE = "\ue000", "\ue001"


class NumberedRenderer:
    """One prepared document, rendered for whichever number the register gives it.

    The register may learn the number only after the document was rendered
    (a predicted number that another issue took first), or want the render
    done before it takes the number under the book's lock. The template is
    rendered once, with the number marked in the symbol; every number then
    costs a substitution and the .docx package, and gives the bytes a full
    render with that number gives (tests/test_render_numbered.py, for every
    template). If the marks cannot be trusted (text that contains the marking
    characters itself), every number is rendered in full instead.
    """

    def __init__(self, prepared: Prepared):
        self._prepared = prepared
        # The body split at each marked number; None before the first render,
        # () when the marks cannot be trusted.
        self._pieces: tuple[str, ...] | None = None

    def prime(self) -> None:
        """Render the template now, so that ``render`` costs only the number later."""
        if self._pieces is None:
            self._pieces = self._marked_body(*self._numbered(1))

    def render(self, number: int) -> RenderedDocument:
        """The document with ``number`` (and its symbol)."""
        numbered, digits = self._numbered(number)
        if self._pieces is None:
            self._pieces = self._marked_body(numbered, digits)
        if not self._pieces:
            return render_prepared(numbered)
        return _rendered(numbered, _compiled(numbered).package(digits.join(self._pieces)))

    def _numbered(self, number: int) -> tuple[Prepared, str]:
        """The document with ``number``, and how the number is written in its symbol."""
        p = self._prepared
        symbol = vn.symbol(number, p.spec.doc_type, p.issuer.abbreviation)
        return dataclasses.replace(p, number=number, symbol=symbol), symbol.partition("/")[0]

    def _marked_body(self, numbered: Prepared, digits: str) -> tuple[str, ...]:
        marked = _OPEN + digits + _CLOSE + numbered.symbol[len(digits) :]
        body = _body(dataclasses.replace(numbered, symbol=marked))
        first, *rest = body.split(_OPEN)
        pieces = [first]
        for piece in rest:
            number, close, after = piece.partition(_CLOSE)
            if number != digits or not close or _OPEN in after or _CLOSE in after:
                return ()
            pieces.append(after)
        if len(pieces) < 2 or _CLOSE in first:
            return ()
        return tuple(pieces)


def _compiled(p: Prepared) -> CompiledTemplate:
    return engine().get(p.spec.id, p.spec.docx_path)


def _body(p: Prepared) -> str:
    context = common_context(p)
    context.update(p.spec.module.context(p))
    return _compiled(p).render_body(context)


def _rendered(p: Prepared, content: bytes) -> RenderedDocument:
    return RenderedDocument(
        content=content,
        filename=filename_for(p, "docx"),
        media_type=DOCX_MEDIA_TYPE,
        symbol=p.symbol,
        number=p.number,
        date=p.date,
        summary=p.data.summary,
        signer_name=p.signer.name,
    )


def render(
    template_id: str,
    data: Any,
    agencies: AgencyDirectory,
    *,
    number: int | None = None,
) -> RenderedDocument:
    """Validate and render ``data`` with ``template_id`` (stateless: no register)."""
    return render_prepared(prepare(template_id, data, agencies, number=number))
