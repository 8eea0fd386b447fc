"""PDF through the converter pool: fidelity, PDF/A, batches, previews, health and faults."""

from __future__ import annotations

import io
import os
import re
import signal
import struct
import threading
import time
import zipfile
from collections.abc import Iterator
from typing import Any, cast

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, StreamObject

from service.errors import ConversionTimeout
from service.pdf import ConverterPool, PdfMetadata, ooxml, page_png
from service.pdf.worker import process_group_pids, rss_bytes
from tests.test_pdf_support import (
    NEED_OFFICE,
    certificate,
    docx_words,
    missing_in_order,
    office_pids,
    pdf_fonts,
    pdf_text,
    render,
    table_docx,
)

pytestmark = NEED_OFFICE

# Pages of each template's example as LibreOffice 7.4 lays it out with Liberation Serif.
PAGES = {
    "ke-hoach": 2,
    "quyet-dinh-thanh-lap": 2,
    "quyet-dinh-cong-nhan": 2,
    "bao-cao": 15,
    "giay-cong-nhan": 1,
}
A4 = (595.3, 841.9)


def _root(reader: PdfReader) -> DictionaryObject:
    return cast(DictionaryObject, reader.trailer["/Root"])


def _xmp(reader: PdfReader) -> str:
    stream = cast(StreamObject, _root(reader)["/Metadata"].get_object())
    return stream.get_data().decode("utf-8")


@pytest.fixture(scope="module")
def pool() -> Iterator[ConverterPool]:
    """One warm pool of two workers for the whole module."""
    with ConverterPool(2, timeout=30, max_conversions=60) as started:
        yield started


@pytest.fixture
def whole(pool: ConverterPool) -> Iterator[ConverterPool]:
    """The pool, checked to be whole again (both workers alive) after the test."""
    yield pool
    assert pool.wait_ready(60), pool.health()
    assert pool.health()["alive"] == 2


@pytest.mark.parametrize("template_id", list(PAGES))
def test_fidelity(pool: ConverterPool, template_id: str) -> None:
    docx = render(template_id)
    pdf = pool.convert(docx)
    text = pdf_text(pdf)
    body, cells = docx_words(docx)
    assert missing_in_order(body, text) == []
    for words in cells:
        assert missing_in_order(words, text) == [], words
    letters = {c for c in " ".join(body + sum(cells, [])) if ord(c) > 127}
    assert letters - set(text) == set(), "diacritics lost"
    assert "\ufffd" not in text
    fonts = pdf_fonts(pdf)
    assert fonts and all(emb == "yes" for _, emb in fonts), fonts
    assert all(re.search(r"LiberationSerif|TimesNewRoman", name) for name, _ in fonts), fonts
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == PAGES[template_id]
    size = (float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height))
    expected = A4[::-1] if template_id == "giay-cong-nhan" else A4
    assert size == pytest.approx(expected, abs=1)
    if PAGES[template_id] > 1:
        assert pdf_text(pdf, first=2, last=2).split()[0] == "2"  # page number at the top
        assert pdf_text(pdf, first=1, last=1).split()[0] != "1"  # none on page 1


def test_pdfa_with_metadata(pool: ConverterPool) -> None:
    meta = PdfMetadata(
        title="Tổng kết 10 năm thực hiện Đề án 375",
        author="Ban chỉ đạo 138 thị xã Bỉm Sơn",
        subject="149/KH-BCĐ",
    )
    pdf = pool.convert(render("ke-hoach"), pdfa=True, metadata=meta)
    reader = PdfReader(io.BytesIO(pdf))
    info = reader.metadata
    assert info is not None
    assert (info.title, info.author, info.subject) == (meta.title, meta.author, meta.subject)
    xmp = _xmp(reader)
    assert re.search(r"pdfaid:part(>|=\")2", xmp), xmp
    assert re.search(r"pdfaid:conformance(>|=\")B", xmp), xmp
    assert str(meta.title) in xmp
    assert "/OutputIntents" in _root(reader)


def test_batch_splits_in_order_with_page_numbers(pool: ConverterPool) -> None:
    units = [f"Khu phố {i}" for i in range(1, 8)]
    docs = [certificate(100 + i, unit) for i, unit in enumerate(units)]
    docs += [render("ke-hoach", number=300), render("ke-hoach", number=301)]
    result = pool.convert_many(docs, chunk_size=3)
    assert result.ok and result.conversions == 4  # 3 + 3 + 1 certificates, 2 plans
    assert result.page_counts == [1] * 7 + [2, 2]
    for i, unit in enumerate(units):
        text = pdf_text(result.pdfs[i])
        assert f"Số: {100 + i}/GCN-UBND" in text and unit.upper() in text
    for k, number in enumerate((300, 301)):
        plan = result.pdfs[7 + k]
        assert f"Số: {number}/KH-BCĐ" in pdf_text(plan)
        assert pdf_text(plan, first=2, last=2).split()[0] == "2"
    merged = PdfReader(io.BytesIO(result.merged))
    assert len(merged.pages) == 11
    numbers = [re.search(r"Số: (\d+)/", page.extract_text() or "") for page in merged.pages]
    firsts = [int(m.group(1)) for m in numbers if m]
    assert firsts == [100, 101, 102, 103, 104, 105, 106, 300, 301]


def test_batch_pdfa_parts_carry_their_metadata(pool: ConverterPool) -> None:
    docs = [certificate(n, f"Thôn {n}") for n in (1, 2, 3)]
    metas = [PdfMetadata("Giấy công nhận", "UBND", f"{n}/GCN") for n in (1, 2, 3)]
    result = pool.convert_many(docs, pdfa=True, metadata=metas)
    assert result.ok and result.conversions == 1
    for n, pdf in zip((1, 2, 3), result.pdfs, strict=True):
        reader = PdfReader(io.BytesIO(pdf))
        assert reader.metadata is not None and reader.metadata.subject == f"{n}/GCN"
        xmp = _xmp(reader)
        assert "<pdfaid:part>2</pdfaid:part>" in xmp and f"{n}/GCN" in xmp
        assert "/OutputIntents" in _root(reader)


def test_batch_falls_back_when_a_document_cannot_merge(pool: ConverterPool) -> None:
    docs = [certificate(n, f"Xóm {n}") for n in range(11, 15)]
    out = io.BytesIO()  # the third: same package, but no final sectPr, so merge() refuses it
    with zipfile.ZipFile(io.BytesIO(docs[2])) as zin, zipfile.ZipFile(out, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "word/document.xml":
                data = re.sub(rb"<w:sectPr>.*?</w:sectPr>", b"", data, flags=re.S)
            zout.writestr(name, data)
    docs[2] = out.getvalue()
    result = pool.convert_many(docs, chunk_size=4)
    assert result.ok and result.conversions > 1  # halved down around the odd one
    for n, pdf in enumerate(result.pdfs, start=11):
        assert f"Số: {n}/GCN-UBND" in pdf_text(pdf)


def test_preview_png(pool: ConverterPool) -> None:
    pdf = pool.convert(render("ke-hoach"))
    png = page_png(pdf, page=2, width=400)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == 400 and height == pytest.approx(400 * 842 / 595, abs=2)


def test_health(pool: ConverterPool) -> None:
    health = pool.health()
    assert health["status"] == "ok" and health["size"] == 2 and health["alive"] == 2
    assert all(w["office_pid"] and w["rss"] > 0 for w in health["workers"])


def test_timeout_kills_a_pathological_document_without_stalling_others(
    whole: ConverterPool,
) -> None:
    pool = whole
    hang = table_docx(300, 10, 5, base=ooxml.minimal_docx("Bảng lớn"))
    before = pool.health()["timeouts"]
    outcome: dict[str, Any] = {}

    def convert_hang() -> None:
        started = time.monotonic()
        try:
            pool.convert(hang, timeout=3)
        except ConversionTimeout as exc:
            outcome["error"] = exc
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=convert_hang)
    thread.start()
    time.sleep(0.5)
    cert = certificate(7, "Khu phố 7")
    for _ in range(5):  # the other worker keeps serving meanwhile
        started = time.monotonic()
        assert pool.convert(cert).startswith(b"%PDF")
        assert time.monotonic() - started < 2
    thread.join(30)
    assert isinstance(outcome.get("error"), ConversionTimeout)
    assert outcome["error"].status == 504
    assert 3 <= outcome["seconds"] < 6
    assert pool.convert(cert).startswith(b"%PDF")  # the next conversion succeeds
    assert pool.health()["timeouts"] == before + 1


def test_kill_9_mid_conversion_is_retried_on_a_fresh_process(whole: ConverterPool) -> None:
    pool = whole
    slow = table_docx(600, 10, 0, base=certificate(9, "Khu phố 9"))
    before = pool.health()["crashes"]
    result: dict[str, bytes] = {}
    thread = threading.Thread(target=lambda: result.setdefault("pdf", pool.convert(slow)))
    thread.start()
    deadline = time.monotonic() + 5
    busy: list[dict[str, Any]] = []
    while not busy and time.monotonic() < deadline:
        busy = [w for w in pool.health()["workers"] if w["busy"]]
        time.sleep(0.02)
    assert busy, "no worker picked the job up"
    time.sleep(0.3)
    os.kill(busy[0]["office_pid"], signal.SIGKILL)
    thread.join(60)
    assert result["pdf"].startswith(b"%PDF")
    assert pool.health()["crashes"] == before + 1


def test_memory_stays_bounded_over_200_conversions(whole: ConverterPool) -> None:
    pool = whole
    cert = certificate(5, "Khu phố 5")
    samples = []
    for i in range(200):
        pool.convert(cert)
        if i % 20 == 19:
            groups = [w.proc.pid for w in pool.workers()]
            office = [pid for g in groups for pid in office_pids(g)]
            samples.append(max(rss_bytes(pid) for pid in office))
            assert all(process_group_pids(g) for g in groups)
    # max_conversions=60: every worker is recycled, and no soffice outgrows its first sample
    assert pool.health()["recycled"] >= 2
    assert max(samples) < samples[0] * 1.5, [s // 2**20 for s in samples]
