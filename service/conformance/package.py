"""Read a .docx package: the main document, styles, theme and the header/footer parts."""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field

from lxml import etree

from service.errors import BadRequest, PayloadTooLarge
from service.vn import format_int

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
V_NS = "urn:schemas-microsoft-com:vml"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

_DOCUMENT = "word/document.xml"
_MAX_PART = 64 * 1024 * 1024  # uncompressed bytes; a larger XML part is refused


def w(tag: str) -> str:
    """Return the Clark name of a WordprocessingML tag: w("p") -> "{ns}p"."""
    return f"{{{W_NS}}}{tag}"


def wattr(el: etree._Element | None, name: str) -> str | None:
    """Return the w:-namespaced attribute of el, or None."""
    if el is None:
        return None
    return el.get(w(name))


class NotADocx(ValueError):
    """The bytes are not a readable .docx package."""

    message = "Tệp không phải .docx hợp lệ"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(self.message)
        self.detail: str = detail or ""  # why, in Vietnamese ("thiếu word/document.xml")

    def explained(self) -> str:
        """The message with its reason: "Tệp không phải .docx hợp lệ: thiếu word/document.xml"."""
        if not self.detail or self.detail.startswith(self.message):
            return self.detail or self.message
        return f"{self.message}: {self.detail}"


class UnreadableDocx(NotADocx, BadRequest):
    """A package that opens but holds something the checker cannot read; the client is told what.

    A 400 whose detail names the problem: "Tệp không phải .docx hợp lệ: thuộc tính w:left …".
    """

    def __init__(self, reason: str) -> None:
        text = f"{NotADocx.message}: {reason}."
        BadRequest.__init__(self, text)
        self.detail = text


class DocxTooLarge(NotADocx, PayloadTooLarge):
    """A document with more paragraphs, runs, cells … than the checker takes (413)."""

    def __init__(self, reason: str) -> None:
        PayloadTooLarge.__init__(self, reason)
        self.detail = reason


# What the checker takes from one document (word/document.xml with its headers and footers);
# a larger one is refused with 413 (DocxTooLarge). The check takes time in proportion to these
# counts: at the limits, a few seconds. They stand above what the templates emit (a report's
# table of 2,000 rows by 12 columns alone is 24,000 cells and as many paragraphs, and the
# checker refused it with 20,000), so that every document vanban emits can be checked; an
# administrative document stays far below them (a 100-page decision holds about 2,000
# paragraphs). The upload itself is limited by
# MAX_CONTENT_LENGTH, but XML compresses 100 to 1 and more, so a few kilobytes can hold a
# million empty paragraphs.
LIMITS: tuple[tuple[str, int, str], ...] = (
    ("p", 40_000, "đoạn văn"),
    ("r", 200_000, "đoạn chữ (w:r)"),
    ("tc", 30_000, "ô bảng"),
    ("tr", 30_000, "hàng bảng"),
    ("tbl", 2_000, "bảng"),
    ("sectPr", 1_000, "phần (section)"),
)

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_DEFLATE_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})


def _parse(zf: zipfile.ZipFile, name: str) -> etree._Element:
    info = zf.getinfo(name)
    if info.file_size > _MAX_PART:
        raise NotADocx(f"phần {name} quá lớn")
    if info.flag_bits & 0x1:
        raise UnreadableDocx(f"phần {name} được mã hóa (tệp nén có mật khẩu)")
    if info.compress_type not in _DEFLATE_METHODS:
        # OPC packages store or deflate their parts; Python reads bzip2 and lzma too, but
        # Word does not, and other methods (deflate64, AES …) cannot be read at all.
        method = info.compress_type
        raise UnreadableDocx(f"phần {name} nén theo cách không hỗ trợ (phương thức {method})")
    try:
        # base_url names the part in the messages about its values (values.py).
        return etree.fromstring(zf.read(name), _PARSER, base_url=name)
    except (
        etree.XMLSyntaxError,
        zipfile.BadZipFile,
        OSError,
        ValueError,
        EOFError,
        RuntimeError,
        NotImplementedError,
        zlib.error,
    ) as exc:
        raise NotADocx(f"phần {name} hỏng") from exc


def check_limits(roots: list[etree._Element]) -> None:
    """Refuse (DocxTooLarge, 413) a document with more elements of a kind than LIMITS allows."""
    counts = dict.fromkeys((w(tag) for tag, _, _ in LIMITS), 0)
    for root in roots:
        for el in root.iter(*counts):
            counts[el.tag] += 1
    for tag, limit, label in LIMITS:
        if counts[w(tag)] > limit:
            found, most = format_int(counts[w(tag)]), format_int(limit)
            raise DocxTooLarge(
                f"Văn bản quá lớn để kiểm tra: có {found} {label}, giới hạn {most} {label}."
            )


@dataclass
class Package:
    """The parsed XML parts of a .docx that the checker reads."""

    document: etree._Element
    styles: etree._Element | None = None
    theme: etree._Element | None = None
    parts: dict[str, etree._Element] = field(default_factory=dict)  # "header1.xml" -> root
    rels: dict[str, str] = field(default_factory=dict)  # rId -> "header1.xml"

    def related(self, rel_id: str | None) -> tuple[str, etree._Element] | None:
        """Return (name, root) of the part a document relationship id points to."""
        if rel_id is None or rel_id not in self.rels:
            return None
        name = self.rels[rel_id]
        root = self.parts.get(name)
        return None if root is None else (name, root)


def _rels(zf: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    name = "word/_rels/document.xml.rels"
    if name not in zf.namelist():
        return {}
    root = _parse(zf, name)
    out: dict[str, tuple[str, str]] = {}
    for rel in root.iter(f"{{{PKG_REL_NS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("word", target)
        out[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], posixpath.normpath(path))
    return out


def open_package(data: bytes) -> Package:
    """Open the .docx bytes; raise NotADocx when they are not a readable package."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise NotADocx("không phải tệp nén ZIP") from exc
    with zf:
        names = set(zf.namelist())
        if _DOCUMENT not in names:
            raise NotADocx("thiếu word/document.xml")
        document = _parse(zf, _DOCUMENT)
        if document.tag != w("document") or document.find(w("body")) is None:
            raise NotADocx("word/document.xml không có phần thân")
        pkg = Package(document=document)
        if "word/styles.xml" in names:
            pkg.styles = _parse(zf, "word/styles.xml")
        for rel_id, (kind, path) in _rels(zf).items():
            if path not in names:
                continue
            if kind in ("header", "footer"):
                short = posixpath.basename(path)
                pkg.parts[short] = _parse(zf, path)
                pkg.rels[rel_id] = short
            elif kind == "theme" and pkg.theme is None:
                pkg.theme = _parse(zf, path)
    check_limits([pkg.document, *pkg.parts.values()])
    return pkg
