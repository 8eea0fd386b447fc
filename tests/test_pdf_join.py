"""merged.pdf's join (service.pdf.pdfparts.join, qpdf through pikepdf), on PDFs made here.

No LibreOffice needed: each source is a one-page PDF with a TrueType font whose
font file is a stream, like the documents LibreOffice converts (each carries its
own copy of its fonts). The join must keep every page in order, write each
identical resource once (by content, not by object number), keep different ones
apart, and give a PDF/A join the documents' output intent and its own XMP packet.
"""

from __future__ import annotations

import io

import pikepdf
import pytest
from pikepdf import Name
from pypdf import PdfReader

from service.pdf import pdfparts


def _source(text: str, font_file: bytes, *, pdfa: bool = False, filler: int = 0) -> bytes:
    """One page showing ``text`` in a font embedded as ``font_file``."""
    pdf = pikepdf.new()
    for _ in range(filler):  # shifts the object numbers of what follows
        pdf.make_indirect(pikepdf.Dictionary(Filler=True))
    descriptor = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=Name.FontDescriptor,
            FontName=Name("/AAAAAA+Test"),
            FontBBox=[0, -200, 1000, 800],
            FontFile2=pdf.make_stream(font_file),
        )
    )
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=Name.Font,
            Subtype=Name.TrueType,
            BaseFont=Name("/AAAAAA+Test"),
            FirstChar=32,
            LastChar=34,
            Widths=[250, 500, 500],
            FontDescriptor=descriptor,
        )
    )
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode())
    if pdfa:
        profile = pdf.make_stream(b"fake ICC profile", N=3)
        intent = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=Name.OutputIntent,
                S=Name.GTS_PDFA1,
                OutputConditionIdentifier=pikepdf.String("sRGB IEC61966-2.1"),
                DestOutputProfile=profile,
            )
        )
        pdf.Root.OutputIntents = pikepdf.Array([intent])  # direct, as pypdf writes it
    pdf.Root.Lang = pikepdf.String("vi-VN")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _fonts(joined: bytes) -> tuple[list[tuple[int, int]], list[bytes], list[bytes]]:
    """Per page: the font object's number and the page's content; every font file in the file."""
    with pikepdf.open(io.BytesIO(joined)) as pdf:
        numbers = [page.Resources.Font.F1.objgen for page in pdf.pages]
        contents = [page.Contents.read_bytes() for page in pdf.pages]
        files = [
            obj.read_bytes()
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == Name.FontDescriptor
            for obj in [obj.FontFile2]
        ]
    return numbers, contents, files


def test_pages_in_order_and_identical_fonts_written_once() -> None:
    same, other = b"font file one" * 500, b"font file two" * 500
    sources = [
        _source("first", same),
        _source("second", same, filler=7),  # same font, other object numbers
        _source("third", other),
        _source("fourth", same, filler=3),
    ]
    joined = pdfparts.join(sources)
    numbers, contents, files = _fonts(joined)
    assert [c.split(b"(")[1].split(b")")[0] for c in contents] == [
        b"first",
        b"second",
        b"third",
        b"fourth",
    ]
    assert numbers[0] == numbers[1] == numbers[3] != numbers[2]
    assert sorted(files) == sorted([same, other])  # each font file once
    assert len(PdfReader(io.BytesIO(joined)).pages) == 4


def test_a_resource_that_differs_in_one_value_is_kept_apart() -> None:
    font_file = b"font" * 1000
    a = _source("a", font_file)
    b = _source("b", font_file)
    with pikepdf.open(io.BytesIO(b)) as pdf:  # same font file, other widths
        pdf.pages[0].Resources.Font.F1.Widths = [250, 500, 600]
        out = io.BytesIO()
        pdf.save(out)
    numbers, _contents, _files = _fonts(pdfparts.join([a, out.getvalue(), a]))
    assert numbers[0] == numbers[2] != numbers[1]


def test_a_resource_referring_to_itself_is_joined() -> None:
    source = _source("loop", b"font" * 100)
    with pikepdf.open(io.BytesIO(source)) as pdf:
        font = pdf.pages[0].Resources.Font.F1
        font.Self = font
        out = io.BytesIO()
        pdf.save(out)
    numbers, _contents, _files = _fonts(pdfparts.join([out.getvalue(), out.getvalue()]))
    assert len(numbers) == 2  # a cycle is never shared, and never loops


def test_pdfa_join_keeps_the_output_intent_and_writes_its_metadata() -> None:
    meta = pdfparts.PdfMetadata(
        title="Giấy công nhận khu dân cư an toàn về an ninh, trật tự",
        author="Ủy ban nhân dân phường Bắc Sơn",
        subject="Đợt 1 năm 2024",
    )
    sources = [_source(f"doc {i}", b"font" * 300, pdfa=True) for i in range(3)]
    joined = pdfparts.join(sources, meta, pdfa=True)
    with pikepdf.open(io.BytesIO(joined)) as pdf:
        assert len(pdf.pages) == 3
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == Name.GTS_PDFA1
        assert intent.DestOutputProfile.read_bytes() == b"fake ICC profile"
        metadata = pdf.Root.Metadata
        assert (metadata.Type, metadata.Subtype) == (Name.Metadata, Name.XML)
        assert "/Filter" not in metadata  # PDF/A: the XMP stream is not compressed
        xmp = metadata.read_bytes().decode("utf-8")
        assert str(pdf.Root.Lang) == "vi-VN"
    assert "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert meta.title is not None and meta.title in xmp and "Bắc Sơn" in xmp
    info = PdfReader(io.BytesIO(joined)).metadata
    assert info is not None
    assert (info.title, info.author, info.subject) == (meta.title, meta.author, meta.subject)
    assert info.producer == pdfparts.PRODUCER
    # PDF/A: the XMP dates are those of the document information.
    created = info.creation_date
    assert created is not None
    assert f"<xmp:CreateDate>{created.isoformat()}</xmp:CreateDate>" in xmp


def test_a_join_without_pdfa_has_no_pdfa_identification() -> None:
    joined = pdfparts.join([_source("x", b"f" * 100, pdfa=True)])
    with pikepdf.open(io.BytesIO(joined)) as pdf:
        assert "/Metadata" not in pdf.Root and "/OutputIntents" not in pdf.Root


def test_nothing_to_join_is_an_error() -> None:
    with pytest.raises(ValueError):
        pdfparts.join([])
