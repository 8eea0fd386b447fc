"""Cut a converted PDF into per-document files and join them, keeping PDF/A metadata.

Cutting (``split``, ``part_pdf``) uses pypdf. Joining many documents into one
(``join``: merged.pdf of a batch) uses qpdf through pikepdf, which copies pages
and writes the file in C++: for 1,000 certificates 1.7 s instead of pypdf's
7 s, in a smaller file (bench/RESULTS.md, bench/pdf.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast
from xml.sax.saxutils import escape

import pikepdf
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject

PRODUCER = "vanban (LibreOffice)"


@dataclass(frozen=True)
class PdfMetadata:
    """Document information of a PDF: title = trích yếu, author = issuing body, subject = symbol."""

    title: str | None = None
    author: str | None = None
    subject: str | None = None
    keywords: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        """The worker protocol's ``meta`` object."""
        return {
            "title": self.title,
            "author": self.author,
            "subject": self.subject,
            "keywords": list(self.keywords),
        }


@dataclass(frozen=True)
class Part:
    """Pages ``first``..``last`` (0-based, inclusive) of a converted chunk."""

    reader: PdfReader
    first: int
    last: int

    @property
    def pages(self) -> int:
        """How many pages the part has."""
        return self.last - self.first + 1


def page_ranges(starts: Sequence[int], total: int) -> list[tuple[int, int]]:
    """0-based inclusive page ranges from 1-based start pages; ValueError if inconsistent."""
    if not starts or starts[0] != 1:
        raise ValueError(f"first document does not start on page 1: {list(starts)}")
    bounds = [*starts, total + 1]
    ranges = []
    for begin, end in zip(bounds, bounds[1:], strict=False):
        if end <= begin:
            raise ValueError(f"page starts not increasing within {total} pages: {list(starts)}")
        ranges.append((begin - 1, end - 2))
    return ranges


def split(pdf: bytes, marks: Sequence[str]) -> list[Part]:
    """The parts of ``pdf`` that begin at the named destinations ``marks``, in order.

    Destinations point at the exported page objects, so blank pages that
    LibreOffice inserts in its layout (and leaves out of the PDF) cannot shift
    the count; ValueError if a mark is missing or the order is inconsistent.
    """
    reader = PdfReader(io.BytesIO(pdf))
    if len(marks) <= 1:
        return [Part(reader, 0, len(reader.pages) - 1)]
    dests = {str(name).lstrip("/"): dest for name, dest in reader.named_destinations.items()}
    starts = []
    for mark in marks:
        if mark not in dests:
            raise ValueError(f"mark {mark!r} missing from the converted PDF")
        page = reader.get_destination_page_number(dests[mark])
        if page is None:
            raise ValueError(f"mark {mark!r} points at no page")
        starts.append(page + 1)
    return [Part(reader, a, b) for a, b in page_ranges(starts, len(reader.pages))]


def _xmp(meta: PdfMetadata | None, pdfa: bool, moment: dt.datetime) -> bytes:
    """The XMP packet; its dates are ``moment``, as in the document information (PDF/A)."""
    now = moment.isoformat()
    meta = meta or PdfMetadata()

    def alt(tag: str, value: str | None) -> str:
        if not value:
            return ""
        return (
            f'<dc:{tag}><rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li>'
            f"</rdf:Alt></dc:{tag}>"
        )

    creator = (
        f"<dc:creator><rdf:Seq><rdf:li>{escape(meta.author)}</rdf:li></rdf:Seq></dc:creator>"
        if meta.author
        else ""
    )
    pdfaid = (
        '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">'
        "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>"
        if pdfa
        else ""
    )
    keywords = escape(", ".join(meta.keywords))
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:format>application/pdf</dc:format>{alt('title', meta.title)}{creator}"
        f"{alt('description', meta.subject)}</rdf:Description>"
        '<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">'
        f"<pdf:Producer>{PRODUCER}</pdf:Producer><pdf:Keywords>{keywords}</pdf:Keywords>"
        "</rdf:Description>"
        '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
        f"<xmp:CreateDate>{now}</xmp:CreateDate><xmp:ModifyDate>{now}</xmp:ModifyDate>"
        f"<xmp:MetadataDate>{now}</xmp:MetadataDate><xmp:CreatorTool>vanban</xmp:CreatorTool>"
        "</rdf:Description>"
        '<rdf:Description rdf:about="" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">'
        f"<xmpMM:DocumentID>uuid:{uuid.uuid4()}</xmpMM:DocumentID></rdf:Description>"
        f"{pdfaid}</rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")


def _pdf_date(moment: dt.datetime) -> str:
    return moment.strftime("D:%Y%m%d%H%M%S+00'00'")


def _info(meta: PdfMetadata | None, now: str) -> dict[str, str]:
    """The document information dictionary's entries."""
    info = {"/Producer": PRODUCER, "/Creator": "vanban", "/CreationDate": now, "/ModDate": now}
    if meta is not None:
        for key, value in (("/Title", meta.title), ("/Author", meta.author)):
            if value:
                info[key] = value
        if meta.subject:
            info["/Subject"] = meta.subject
        if meta.keywords:
            info["/Keywords"] = ", ".join(meta.keywords)
    return info


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _finish(writer: PdfWriter, source: PdfReader, meta: PdfMetadata | None, pdfa: bool) -> bytes:
    moment = _now()
    writer.add_metadata(_info(meta, _pdf_date(moment)))
    if pdfa:
        intents = cast(DictionaryObject, source.trailer["/Root"]).get("/OutputIntents")
        if intents is not None:
            writer.root_object[NameObject("/OutputIntents")] = intents.clone(writer)
        writer.xmp_metadata = _xmp(meta, True, moment)
        stream = cast(DictionaryObject, writer.root_object["/Metadata"].get_object())
        stream[NameObject("/Type")] = NameObject("/Metadata")
        stream[NameObject("/Subtype")] = NameObject("/XML")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def part_pdf(part: Part, meta: PdfMetadata | None = None, *, pdfa: bool = False) -> bytes:
    """One part as a PDF of its own, with its metadata (and PDF/A identification)."""
    writer = PdfWriter()
    for index in range(part.first, part.last + 1):
        writer.add_page(part.reader.pages[index])
    return _finish(writer, part.reader, meta, pdfa)


def join(pdfs: Sequence[bytes], meta: PdfMetadata | None = None, *, pdfa: bool = False) -> bytes:
    """Every page of ``pdfs``, in order, as one PDF; identical resources written once.

    Each stored document's PDF carries its own copy of the fonts of the
    conversion it came from: joined as they are, 1,000 certificates made a
    40 MB file. Every resource of a page (font, image, ...) that is, object
    for object and byte for byte, one already in the file is replaced by it,
    which leaves ~1.2 MB for 1,000 certificates. With ``pdfa`` the file keeps
    the PDF/A identification and output intent of the documents (PDF/A-2b, as
    LibreOffice made them), with ``meta`` as its title, author and subject.
    """
    if not pdfs:
        raise ValueError("no pages to join")
    out = pikepdf.new()
    shared: dict[bytes, pikepdf.Object] = {}
    # Kept open until the file is written: qpdf reads a copied page's streams then.
    sources: list[pikepdf.Pdf] = []
    try:
        for data in pdfs:
            source = pikepdf.open(io.BytesIO(data))
            sources.append(source)
            digests: dict[tuple[int, int], bytes] = {}
            for page in source.pages:
                out.pages.append(page)
                _share_resources(out.pages[-1], shared, digests)
        _describe(out, sources[0], meta, pdfa)
        buffer = io.BytesIO()
        out.save(
            buffer,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            fix_metadata_version=False,  # the XMP packet as written here
        )
        return buffer.getvalue()
    finally:
        for source in sources:
            source.close()
        out.close()


def _share_resources(
    page: pikepdf.Page, shared: dict[bytes, pikepdf.Object], digests: dict[tuple[int, int], bytes]
) -> None:
    """Point each resource of ``page`` at an identical one already in the file, if any."""
    resources = page.obj.get("/Resources")
    if not isinstance(resources, pikepdf.Dictionary):
        return
    for kind in list(resources.keys()):
        named = resources[kind]
        if not isinstance(named, pikepdf.Dictionary):
            continue  # /ProcSet: an array of names
        for name in list(named.keys()):
            resource = named[name]
            if not resource.is_indirect:
                continue
            digest = _digest(resource, digests, ())
            first = shared.setdefault(digest, resource)
            if first.objgen != resource.objgen:
                named[name] = first


def _digest(obj: pikepdf.Object, digests: dict[tuple[int, int], bytes], path: tuple) -> bytes:
    """A hash of the indirect object ``obj`` and of all it refers to, by content.

    Equal for identical objects only, whatever their numbers (which differ
    between files); ``digests`` remembers them per source file.
    """
    key = obj.objgen
    known = digests.get(key)
    if known is not None:
        return known
    if key in path:  # a resource that refers back to itself: never shared
        return uuid.uuid4().bytes
    h = hashlib.blake2b(digest_size=20)
    _feed_value(obj, h, digests, (*path, key))
    digest = digests[key] = h.digest()
    return digest


def _feed(obj: Any, h: Any, digests: dict[tuple[int, int], bytes], path: tuple) -> None:
    """Hash ``obj`` into ``h``: an indirect object by its digest, a direct one by its value."""
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        h.update(b"R")
        h.update(_digest(obj, digests, path))
    else:
        _feed_value(obj, h, digests, path)


def _feed_value(obj: Any, h: Any, digests: dict[tuple[int, int], bytes], path: tuple) -> None:
    if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream | pikepdf.Array):
        text = obj.unparse(resolved=True)
        if b" R" not in text:  # holds no reference: its text is all there is
            h.update(text)
        elif isinstance(obj, pikepdf.Array):
            h.update(b"[")
            for item in obj:
                _feed(item, h, digests, path)
            h.update(b"]")
        else:
            h.update(b"<<")
            for name in sorted(obj.keys()):
                h.update(name.encode())
                _feed(obj[name], h, digests, path)
            h.update(b">>")
        if isinstance(obj, pikepdf.Stream):
            h.update(obj.read_raw_bytes())
    elif isinstance(obj, pikepdf.Object):
        h.update(obj.unparse())  # a name or a string
    else:
        h.update(repr(obj).encode())  # a number, a boolean, None
        h.update(b" ")


def _describe(out: pikepdf.Pdf, first: pikepdf.Pdf, meta: PdfMetadata | None, pdfa: bool) -> None:
    """Document information, language, and for PDF/A the output intent and XMP metadata."""
    moment = _now()
    for key, value in _info(meta, _pdf_date(moment)).items():
        out.docinfo[key] = pikepdf.String(value)
    lang = first.Root.get("/Lang")
    if lang is not None:
        out.Root.Lang = pikepdf.String(str(lang))
    if pdfa:
        intents = first.Root.get("/OutputIntents")
        if intents is not None:
            out.Root.OutputIntents = _copy(out, intents)
        stream = pikepdf.Stream(out, _xmp(meta, True, moment))
        stream.Type = pikepdf.Name.Metadata
        stream.Subtype = pikepdf.Name.XML
        out.Root.Metadata = out.make_indirect(stream)


def _copy(out: pikepdf.Pdf, obj: Any) -> Any:
    """``obj`` of another file, with everything it refers to, as an object of ``out``."""
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        return out.copy_foreign(obj)
    if isinstance(obj, pikepdf.Array):
        return pikepdf.Array([_copy(out, item) for item in obj])
    if isinstance(obj, pikepdf.Dictionary):
        return pikepdf.Dictionary({name: _copy(out, obj[name]) for name in obj.keys()})
    return obj
