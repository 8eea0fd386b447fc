"""Combine rendered .docx files into one, section by section, for one batch conversion.

Two documents can share one package only if everything but their body is the
same (styles, settings, headers and their relationships): that holds for the
documents of one template, which is what a batch is. Each document keeps its
own section (its ``sectPr`` moves into the pPr of its last paragraph, as Word
writes a section break), its page numbering restarts at 1 and its first page
carries a bookmark, exported as a PDF named destination that marks where it starts.
Packages with parts whose numbering or ids would run on across documents
(lists, footnotes, comments, images) are not merged: they convert alone.
"""

from __future__ import annotations

import copy
import hashlib
import io
import re
import zipfile

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MARK_PREFIX = "VanbanDoc"  # alphanumeric: LibreOffice hex-escapes other characters
_MARK_ID_BASE = 900_000
_BODY_PARTS = {"word/document.xml", "docProps/core.xml", "docProps/app.xml"}
_SHARED_OK = re.compile(
    r"^(\[Content_Types\]\.xml|_rels/\.rels|docProps/[a-z]+\.xml|word/_rels/document\.xml\.rels"
    r"|word/(document|styles|settings|fontTable|webSettings|header\d+|footer\d+)\.xml"
    r"|word/theme/theme\d+\.xml)$"
)
_REFERENCE = re.compile(rb"<w:(?:header|footer)Reference\b[^>]*>")
# CT_SectPr children that must come after pgNumType, in schema order.
_AFTER_PGNUM = {f"{{{W}}}{n}" for n in ("cols", "formProt", "vAlign", "noEndnote", "titlePg")}
_AFTER_PGNUM |= {f"{{{W}}}{n}" for n in ("textDirection", "bidi", "rtlGutter", "docGrid")}
_AFTER_PGNUM |= {f"{{{W}}}{n}" for n in ("printerSettings", "sectPrChange")}


def w(tag: str) -> str:
    """The Clark name of a WordprocessingML tag."""
    return f"{{{W}}}{tag}"


def signature(docx: bytes) -> str | None:
    """A digest of everything but the body, or None when the package must convert alone.

    The final section's header and footer references count too: a section
    without them would inherit the previous document's headers.
    """
    digest = hashlib.sha256()
    if not zipfile.is_zipfile(io.BytesIO(docx)):
        return None
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        names = sorted(zf.namelist())
        if "word/document.xml" not in names:
            return None
        body = zf.read("word/document.xml")
        tail = body[body.rfind(b"<w:sectPr") :]
        digest.update(b"".join(sorted(_REFERENCE.findall(tail))) + b"\0")
        for name in names:
            if not _SHARED_OK.match(name):
                return None
            if name in _BODY_PARTS:
                continue
            digest.update(name.encode() + b"\0" + zf.read(name) + b"\0")
    return digest.hexdigest()


def mark_name(index: int) -> str:
    """The bookmark that opens the ``index``-th document of a merged package."""
    return f"{MARK_PREFIX}{index}"


def _with_page_restart(sect: etree._Element) -> etree._Element:
    sect = copy.deepcopy(sect)
    for old in sect.findall(w("pgNumType")):
        sect.remove(old)
    pg = etree.Element(w("pgNumType"))
    pg.set(w("start"), "1")
    anchor = next((c for c in sect if c.tag in _AFTER_PGNUM), None)
    if anchor is None:
        sect.append(pg)
    else:
        anchor.addprevious(pg)
    return sect


def _carrier(sect: etree._Element) -> etree._Element:
    """A 1-pt empty paragraph ending a section whose last block is a table."""
    p = etree.Element(w("p"))
    ppr = etree.SubElement(p, w("pPr"))
    spacing = etree.SubElement(ppr, w("spacing"))
    for key, value in (("before", "0"), ("after", "0"), ("line", "20"), ("lineRule", "exact")):
        spacing.set(w(key), value)
    rpr = etree.SubElement(ppr, w("rPr"))
    etree.SubElement(rpr, w("sz")).set(w("val"), "2")
    ppr.append(sect)
    return p


def _end_section(blocks: list[etree._Element], sect: etree._Element) -> None:
    last = blocks[-1] if blocks else None
    if last is not None and last.tag == w("p") and last.find(w("pPr")) is not None:
        ppr = last.find(w("pPr"))
        assert ppr is not None
        if ppr.find(w("sectPr")) is None:
            change = ppr.find(w("pPrChange"))
            if change is not None:
                change.addprevious(sect)
            else:
                ppr.append(sect)
            return
    if last is not None and last.tag == w("p") and last.find(w("pPr")) is None:
        ppr = etree.Element(w("pPr"))
        last.insert(0, ppr)
        ppr.append(sect)
        return
    blocks.append(_carrier(sect))


def _mark(blocks: list[etree._Element], index: int) -> None:
    for block in blocks:
        p = block if block.tag == w("p") else next(block.iter(w("p")), None)
        if p is None:
            continue
        start = etree.Element(w("bookmarkStart"))
        start.set(w("id"), str(_MARK_ID_BASE + index))
        start.set(w("name"), mark_name(index))
        end = etree.Element(w("bookmarkEnd"))
        end.set(w("id"), str(_MARK_ID_BASE + index))
        ppr = p.find(w("pPr"))
        position = 0 if ppr is None else list(p).index(ppr) + 1
        p.insert(position, end)
        p.insert(position, start)
        return
    raise ValueError("document has no paragraph to mark")


def merge(docs: list[bytes]) -> bytes:
    """One package holding ``docs`` in order, each in its own section (same signature)."""
    if not docs:
        raise ValueError("nothing to merge")
    with zipfile.ZipFile(io.BytesIO(docs[0])) as zf:
        parts = {info.filename: (info, zf.read(info.filename)) for info in zf.infolist()}
    root = etree.fromstring(parts["word/document.xml"][1])
    body = root.find(w("body"))
    if body is None:
        raise ValueError("document.xml has no body")
    for child in list(body):
        body.remove(child)
    last_sect: etree._Element | None = None
    for index, content in enumerate(docs):
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            doc_root = etree.fromstring(zf.read("word/document.xml"))
        doc_body = doc_root.find(w("body"))
        assert doc_body is not None
        blocks = list(doc_body)
        sect = blocks.pop() if blocks and blocks[-1].tag == w("sectPr") else None
        if sect is None:
            raise ValueError(f"document {index} has no final sectPr")
        _mark(blocks, index)
        sect = _with_page_restart(sect)
        if index < len(docs) - 1:
            _end_section(blocks, sect)
        else:
            last_sect = sect
        body.extend(blocks)
    assert last_sect is not None
    body.append(last_sect)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, (info, data) in parts.items():
            zf.writestr(info, xml if name == "word/document.xml" else data)
    return out.getvalue()


def minimal_docx(text: str) -> bytes:
    """A one-page Times New Roman .docx with a header page field, to warm a converter."""
    ns = f'xmlns:w="{W}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006"
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    run = '<w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman"/></w:rPr>'
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{pkg}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}.document.main+xml"/>'
        f'<Override PartName="/word/header1.xml" ContentType="{main}.header+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{pkg}/relationships"><Relationship Id="rId1" '
        f'Type="{rel}/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/_rels/document.xml.rels": f'<Relationships xmlns="{pkg}/relationships">'
        f'<Relationship Id="rIdH" Type="{rel}/header" Target="header1.xml"/></Relationships>',
        "word/header1.xml": f'<w:hdr {ns}><w:p><w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t>'
        "</w:r></w:fldSimple></w:p></w:hdr>",
        "word/document.xml": f"<w:document {ns}><w:body><w:tbl><w:tr><w:tc><w:p><w:r>{run}"
        f"<w:t>{text}</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:r><w:rPr><w:b/></w:rPr>"
        f'<w:t>{text}</w:t></w:r></w:p><w:sectPr><w:headerReference w:type="default" r:id="rIdH"/>'
        '<w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, xml in parts.items():
            zf.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + xml)
    return out.getvalue()
