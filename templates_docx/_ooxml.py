"""OOXML building blocks for the template builder (build.py): styles and parts.

Templates are generated, not hand-edited: every size, margin and border of
nd30.md is set here once, so the five templates cannot drift apart.
"""

from __future__ import annotations

import functools
from xml.sax.saxutils import escape

from service import layout

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = f'xmlns:w="{W}" xmlns:r="{R}"'
FONT = "Times New Roman"
MARK_BOX = "VBMarkBox"  # character style of the secrecy/urgency marks (nd30 §2 item 10)
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _fonts() -> str:
    return f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}" w:eastAsia="{FONT}"/>'


def _pstyle(
    sid: str,
    name: str,
    *,
    sz: int,
    b: bool = False,
    i: bool = False,
    jc: str = "left",
    before: int = 0,
    after: int = 0,
    line: int = 240,
    first_line: int | None = None,
    keep_next: bool = False,
) -> str:
    ppr = "<w:keepNext/>" if keep_next else ""
    ppr += f'<w:spacing w:before="{before}" w:after="{after}" w:line="{line}" w:lineRule="auto"/>'
    if first_line is not None:
        ppr += f'<w:ind w:firstLine="{first_line}"/>'
    ppr += f'<w:jc w:val="{jc}"/>'
    rpr = ("<w:b/><w:bCs/>" if b else "") + ("<w:i/><w:iCs/>" if i else "")
    rpr += f'<w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/>'
    return (
        f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{sid}">'
        f'<w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:qFormat/>'
        f"<w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
    )


def _box_cstyle(sid: str, name: str) -> str:
    """A character style drawing a box around its run (a character border, w:bdr).

    A paragraph border would not do for the secrecy/urgency marks: it spans the whole
    column, and Word and LibreOffice merge the borders of adjacent paragraphs that have
    the same settings, so two marks would share one box. A run border encloses the word
    and is drawn per paragraph.
    """
    return (
        f'<w:style w:type="character" w:customStyle="1" w:styleId="{sid}">'
        f'<w:name w:val="{name}"/><w:basedOn w:val="DefaultParagraphFont"/><w:qFormat/>'
        '<w:rPr><w:b/><w:bCs/><w:bdr w:val="single" w:sz="8" w:space="1" w:color="000000"/>'
        "</w:rPr></w:style>"
    )


# Body text (nd30 §1): 14 pt, justified, first line 1 cm, 6 pt after, 1.1 lines.
_body = functools.partial(
    _pstyle, sz=layout.SIZE_BODY, jc="both", before=0, after=120, line=264, first_line=567
)


def styles_xml() -> str:
    """styles.xml: Times New Roman black by default and one style per nd30 element."""
    hs, qh = layout.SIZE_HEADER, layout.SIZE_QUOC_HIEU
    styles = [
        _pstyle("VBHdrParent", "VB Cơ quan chủ quản", sz=hs, jc="center"),
        _pstyle("VBHdrBody", "VB Cơ quan ban hành", sz=hs, b=True, jc="center"),
        _pstyle("VBQuocHieu", "VB Quốc hiệu", sz=qh, b=True, jc="center"),
        _pstyle("VBTieuNgu", "VB Tiêu ngữ", sz=hs, b=True, jc="center"),
        _pstyle("VBRule", "VB Đường kẻ", sz=4, jc="center", line=240),
        _pstyle("VBNumber", "VB Số ký hiệu", sz=hs, jc="center", before=120),
        _pstyle("VBMark", "VB Độ khẩn mật", sz=hs, b=True, jc="center", before=120),
        _box_cstyle(MARK_BOX, "VB Khung độ khẩn mật"),
        _pstyle("VBDate", "VB Địa danh ngày tháng", sz=hs, i=True, jc="center", before=120),
        _pstyle("VBTypeName", "VB Tên loại", sz=layout.SIZE_BODY, b=True, jc="center", before=360),
        _pstyle("VBSubject", "VB Trích yếu", sz=layout.SIZE_BODY, b=True, jc="center"),
        _pstyle("VBKinhGui", "VB Kính gửi", sz=layout.SIZE_BODY, jc="center", before=240),
        _pstyle(
            "VBAuthority",
            "VB Thẩm quyền ban hành",
            sz=layout.SIZE_BODY,
            b=True,
            jc="center",
            before=240,
            after=120,
        ),
        _body("VBLegal", "VB Căn cứ", i=True),
        _pstyle(
            "VBDecides",
            "VB Quyết định",
            sz=layout.SIZE_BODY,
            b=True,
            jc="center",
            before=120,
            after=120,
        ),
        _body("VBBody", "VB Nội dung"),
        _body("VBHeading1", "VB Phần", b=True, keep_next=True),
        _body("VBHeading2", "VB Mục", b=True, keep_next=True),
        _body("VBHeading3", "VB Tiểu mục", b=True, keep_next=True),
        _body("VBHeading4", "VB Điểm", i=True, keep_next=True),
        _body("VBArticle", "VB Điều"),
        _pstyle("VBTableText", "VB Chữ trong bảng", sz=26, jc="center", before=40, after=40),
        _pstyle("VBTableLeft", "VB Chữ trong bảng trái", sz=26, jc="left", before=40, after=40),
        _pstyle("VBTableHead", "VB Đầu bảng", sz=26, b=True, jc="center", before=40, after=40),
        _pstyle("VBRecipHead", "VB Nơi nhận", sz=layout.SIZE_RECIPIENTS_HEAD, b=True, i=True),
        _pstyle("VBRecip", "VB Dòng nơi nhận", sz=layout.SIZE_RECIPIENTS),
        _pstyle("VBSigAuth", "VB Thẩm quyền ký", sz=layout.SIZE_BODY, b=True, jc="center"),
        _pstyle("VBSigSpace", "VB Chỗ ký", sz=layout.SIZE_BODY, jc="center"),
        _pstyle("VBSigName", "VB Họ tên người ký", sz=layout.SIZE_BODY, b=True, jc="center"),
        _pstyle("VBPageNumber", "VB Số trang", sz=layout.SIZE_BODY, jc="center"),
        _pstyle("VBAppendixTitle", "VB Tên phụ lục", sz=layout.SIZE_BODY, b=True, jc="center"),
        _pstyle("VBAppendixNote", "VB Ghi chú phụ lục", sz=layout.SIZE_BODY, i=True, jc="center"),
    ]
    return (
        f"{DECL}<w:styles {NS}>"
        "<w:docDefaults><w:rPrDefault><w:rPr>"
        f'{_fonts()}<w:color w:val="000000"/><w:sz w:val="{layout.SIZE_BODY}"/>'
        f'<w:szCs w:val="{layout.SIZE_BODY}"/><w:lang w:val="vi-VN" w:eastAsia="vi-VN"/>'
        "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>"
        '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
        "</w:pPr></w:pPrDefault></w:docDefaults>"
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
        "<w:qFormat/></w:style>"
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
        "</w:style>"
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal">'
        '<w:name w:val="Normal Table"/>'
        '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
        f'<w:left w:w="{layout.CELL_MARGIN}" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>'
        f'<w:right w:w="{layout.CELL_MARGIN}" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>'
        + "".join(styles)
        + "</w:styles>"
    )


def header_xml(with_page_number: bool) -> str:
    """A header part: a centred PAGE field, or empty (first page)."""
    content = ""
    if with_page_number:
        content = (
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            "<w:r><w:t>2</w:t></w:r>"
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        )
    return (
        f'{DECL}<w:hdr {NS}><w:p><w:pPr><w:pStyle w:val="VBPageNumber"/></w:pPr>'
        f"{content}</w:p></w:hdr>"
    )


SETTINGS_XML = (
    f"{DECL}<w:settings {NS}>"
    '<w:zoom w:percent="100"/><w:defaultTabStop w:val="720"/>'
    '<w:characterSpacingControl w:val="doNotCompress"/>'
    '<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/'
    'office/word" w:val="15"/></w:compat>'
    '<w:themeFontLang w:val="vi-VN"/></w:settings>'
)

CONTENT_TYPES = (
    f"{DECL}"
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.styles+xml"/>'
    '<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.settings+xml"/>'
    '<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.header+xml"/>'
    '<Override PartName="/word/header2.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.header+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
    'package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.extended-properties+xml"/>'
    "</Types>"
)

PACKAGE_RELS = (
    f"{DECL}"
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
    'metadata/core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)

DOCUMENT_RELS = (
    f"{DECL}"
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/>'
    '<Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/settings" Target="settings.xml"/>'
    '<Relationship Id="rIdHdrDefault" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/header" Target="header1.xml"/>'
    '<Relationship Id="rIdHdrFirst" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/header" Target="header2.xml"/>'
    "</Relationships>"
)


def core_xml(title: str) -> str:
    """docProps/core.xml with a fixed title (the template's document type)."""
    return (
        f'{DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>vanban</dc:creator>"
        "<dc:language>vi-VN</dc:language></cp:coreProperties>"
    )


APP_XML = (
    f'{DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties"><Application>vanban</Application></Properties>'
)
