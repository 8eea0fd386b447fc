"""Helpers for tests that open rendered .docx files and look at text and layout."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.document import Document
from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def open_docx(content: bytes) -> Document:
    """The python-docx Document of ``content``."""
    return docx.Document(io.BytesIO(content))


def part(content: bytes, name: str) -> etree._Element:
    """A parsed XML part of the package (e.g. ``word/document.xml``)."""
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        return etree.fromstring(zf.read(name))


def paragraphs(content: bytes) -> list[str]:
    """The text of every paragraph in body order, table cells included."""
    root = part(content, "word/document.xml")
    out = []
    for p in root.iter(f"{{{W}}}p"):
        out.append("".join(t.text or "" for t in p.iter(f"{{{W}}}t")))
    return out


def styled(content: bytes) -> list[tuple[str, str]]:
    """(style id, text) of every non-empty paragraph in body order."""
    root = part(content, "word/document.xml")
    out = []
    for p in root.iter(f"{{{W}}}p"):
        text = "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))
        if not text:
            continue
        style = p.find("w:pPr/w:pStyle", NS)
        out.append((style.get(f"{{{W}}}val") if style is not None else "", text))
    return out


def text(content: bytes) -> str:
    """All paragraph texts joined by newlines."""
    return "\n".join(paragraphs(content))
