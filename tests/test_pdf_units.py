"""PDF package pieces that need no LibreOffice: merging, splitting maths, settings, errors."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile

import pytest
from lxml import etree

from config.settings import SettingsError
from service.errors import ConversionFailed, ConversionTimeout, ConverterUnavailable
from service.pdf import ConverterPool, PoolSettings, ooxml, pdfparts, settings
from tests.test_pdf_support import certificate, render

W = ooxml.W


def _body(docx: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    body = root.find(ooxml.w("body"))
    assert body is not None
    return body


def test_import_starts_no_process() -> None:
    code = "import service.pdf, os; print(len(os.listdir('/proc/self/task')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "1"  # no worker threads, hence no started pool


def test_same_template_same_signature_other_templates_differ() -> None:
    a, b = certificate(1, "Khu phố 1"), certificate(2, "Thôn Đông")
    assert ooxml.signature(a) == ooxml.signature(b) is not None
    assert ooxml.signature(render("ke-hoach")) != ooxml.signature(a)
    assert ooxml.signature(b"not a zip") is None


def test_merge_keeps_sections_restarts_pages_and_marks_each_document() -> None:
    docs = [render("ke-hoach"), render("ke-hoach", number=150)]
    merged = ooxml.merge(docs)
    body = _body(merged)
    sects = body.findall(f".//{{{W}}}sectPr")
    assert len(sects) == 2
    assert sects[0].getparent().tag == ooxml.w("pPr")  # a section break in the last paragraph
    assert body[-1].tag == ooxml.w("sectPr")
    for sect in sects:
        assert sect.find(ooxml.w("pgNumType")).get(ooxml.w("start")) == "1"
        assert sect.find(ooxml.w("titlePg")) is not None
        # pgNumType precedes titlePg in schema order
        tags = [etree.QName(c).localname for c in sect]
        assert tags.index("pgNumType") < tags.index("titlePg")
    names = [b.get(ooxml.w("name")) for b in body.iter(ooxml.w("bookmarkStart"))]
    assert names == [ooxml.mark_name(0), ooxml.mark_name(1)]
    text = "".join(body.itertext())
    assert text.index("Số: 149/KH") < text.index("Số: 150/KH")


def test_merge_adds_a_tiny_carrier_after_a_final_table() -> None:
    body = _body(ooxml.merge([certificate(1, "A"), certificate(2, "B")]))
    sect = body.findall(f".//{{{W}}}sectPr")[0]
    carrier = sect.getparent().getparent()
    assert carrier.tag == ooxml.w("p")
    assert carrier.getprevious().tag == ooxml.w("tbl")
    assert carrier.find(f"{{{W}}}pPr/{{{W}}}spacing").get(ooxml.w("line")) == "20"


def test_page_ranges() -> None:
    assert pdfparts.page_ranges([1, 2, 4], 5) == [(0, 0), (1, 2), (3, 4)]
    with pytest.raises(ValueError):
        pdfparts.page_ranges([1, 3, 3], 5)
    with pytest.raises(ValueError):
        pdfparts.page_ranges([2], 5)
    with pytest.raises(ValueError):
        pdfparts.page_ranges([1, 6], 5)


def test_settings_parse_loudly() -> None:
    conf = PoolSettings.from_env({"VANBAN_PDF_POOL_SIZE": "3", "VANBAN_PDF_TIMEOUT": "2.5"})
    assert (conf.size, conf.timeout, conf.max_conversions) == (3, 2.5, 200)
    assert PoolSettings.from_env({}).size is None
    for name, raw in [("VANBAN_PDF_POOL_SIZE", "many"), ("VANBAN_PDF_TIMEOUT", "-1")]:
        with pytest.raises(SettingsError, match=name):
            PoolSettings.from_env({name: raw})


def test_missing_libreoffice_is_a_clear_503() -> None:
    assert not settings.available(soffice="/nonexistent/soffice")
    pool = ConverterPool(1, soffice="/nonexistent/soffice")
    with pytest.raises(ConverterUnavailable) as info:
        pool.convert(certificate(1, "A"))
    assert info.value.status == 503
    assert "LibreOffice" in info.value.detail
    assert pool.health()["status"] == "stopped"


def test_missing_uno_python_is_a_clear_503() -> None:
    with pytest.raises(ConverterUnavailable, match="uno"):
        settings.check(python="/nonexistent/python3")


def test_error_statuses() -> None:
    assert ConverterUnavailable().status == 503
    assert ConversionTimeout().status == 504
    assert ConversionFailed().status == 502
