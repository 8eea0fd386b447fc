"""Helpers shared by the PDF tests: rendered documents, text and font checks."""

from __future__ import annotations

import io
import os
import re
import subprocess
import tempfile
import unicodedata
import zipfile
from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from config.settings import ROOT
from service import documents, templates
from service.agencies import AgencyDirectory
from service.pdf import settings

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
IN_CI = os.environ.get("CI", "").lower() == "true"
NEED_OFFICE = pytest.mark.skipif(
    not settings.available() and not IN_CI,
    reason="LibreOffice (soffice) or python3-uno NOT INSTALLED: PDF conversion tests SKIPPED "
    "(they fail instead when CI=true)",
)


@cache
def agencies() -> AgencyDirectory:
    """The configured agencies."""
    return AgencyDirectory.from_file(ROOT / "config" / "agencies.yaml")


def render(template_id: str, *, number: int = 149, **changes: object) -> bytes:
    """The template's example rendered to .docx with ``number`` and top-level changes."""
    data = templates.get(template_id).example() | changes
    return documents.render(template_id, data, agencies(), number=number).content


def certificate(number: int, unit: str) -> bytes:
    """A giay-cong-nhan for ``unit`` with ``number``."""
    data = templates.get("giay-cong-nhan").example()
    data["unit"] = {**data["unit"], "name": unit}
    return documents.render("giay-cong-nhan", data, agencies(), number=number).content


def pdf_text(pdf: bytes, *, first: int | None = None, last: int | None = None) -> str:
    """pdftotext -raw of ``pdf`` (content-stream order, i.e. layout order), NFKC-normalised."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(pdf)
        tmp.flush()
        cmd = ["pdftotext", "-raw", "-enc", "UTF-8"]
        if first:
            cmd += ["-f", str(first)]
        if last:
            cmd += ["-l", str(last)]
        out = subprocess.run([*cmd, tmp.name, "-"], capture_output=True, check=True).stdout
    return unicodedata.normalize("NFKC", out.decode("utf-8"))


def pdf_fonts(pdf: bytes) -> list[tuple[str, str]]:
    """(font name, emb yes/no) of every font in ``pdf``, from pdffonts."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(pdf)
        tmp.flush()
        out = subprocess.run(["pdffonts", tmp.name], capture_output=True, text=True, check=True)
    fonts = []
    for line in out.stdout.splitlines()[2:]:
        fields = line.split()
        match = re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line)
        assert match, line
        fonts.append((fields[0], match.group(1)))
    return fonts


def docx_words(docx: bytes) -> tuple[list[str], list[list[str]]]:
    """NFKC words of body paragraphs in order, and of each table-cell paragraph."""
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    body: list[str] = []
    cells: list[list[str]] = []
    for p in root.iter(f"{{{W}}}p"):
        # A line break (w:br) or a tab parts words as a space does.
        text = "".join(
            t.text or "" if t.tag == f"{{{W}}}t" else " "
            for t in p.iter(f"{{{W}}}t", f"{{{W}}}br", f"{{{W}}}cr", f"{{{W}}}tab")
        )
        words = unicodedata.normalize("NFKC", text).split()
        in_table = any(a.tag == f"{{{W}}}tbl" for a in p.iterancestors())
        if in_table:
            cells.append(words)
        else:
            body += words
    return body, cells


def missing_in_order(words: list[str], text: str) -> list[str]:
    """The words that do not occur, in order, in ``text`` (whitespace-normalised)."""
    flat = " ".join(text.split())
    missing, position = [], 0
    for word in words:
        found = flat.find(word, position)
        if found < 0:
            missing.append(word)
        else:
            position = found + len(word)
    return missing


def table_docx(rows: int, cols: int, nested: int, *, base: bytes) -> bytes:
    """``base`` with a big table (cells holding ``nested``-row tables) at the body's start.

    300 x 10 cells with 5-row nested tables: a 19 KB file that keeps
    LibreOffice 7.4 busy for about 40 s, a real pathological document.
    """
    cell = "<w:tc><w:p><w:r><w:t>Ô số liệu</w:t></w:r></w:p></w:tc>"
    if nested:
        inner = "<w:tbl>" + ("<w:tr>" + cell * 3 + "</w:tr>") * nested + "</w:tbl>"
        cell = "<w:tc>" + inner + "<w:p/></w:tc>"
    table = "<w:tbl><w:tblPr><w:tblW w:w='5000' w:type='pct'/></w:tblPr>"
    table += ("<w:tr>" + cell * cols + "</w:tr>") * rows + "</w:tbl>"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as zin, zipfile.ZipFile(out, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "word/document.xml":
                head, sep, tail = _split_body(data)
                data = head + sep + table.encode() + tail
            zout.writestr(name, data)
    return out.getvalue()


def _split_body(xml: bytes) -> tuple[bytes, bytes, bytes]:
    start = xml.index(b"<w:body")
    end = xml.index(b">", start) + 1
    return xml[:start], xml[start:end], xml[end:]


def office_pids(pgid: int) -> list[int]:
    """The soffice.bin processes of a worker's process group."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if "(soffice.bin)" in stat and int(stat.rsplit(")", 1)[1].split()[2]) == pgid:
            pids.append(int(entry.name))
    return pids
