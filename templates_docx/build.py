"""Write every template's .docx from its module: ``python -m templates_docx.build``.

The .docx files are committed; tests/test_templates_build.py fails when one is
out of date with the code that generates it.
"""

from __future__ import annotations

import importlib
import io
import sys
import zipfile
from pathlib import Path

from templates_docx import MODULES, _ooxml

HERE = Path(__file__).resolve().parent
_DATE = (2020, 3, 5, 0, 0, 0)


def package(module_name: str) -> bytes:
    """The bytes of the .docx for ``templates_docx.<module_name>``."""
    from templates_docx import _fragments

    module = importlib.import_module(f"templates_docx.{module_name}")
    landscape = module.ORIENTATION == "landscape"
    document = _fragments.document(module.source(), landscape=landscape, page_numbers=not landscape)
    parts = {
        "[Content_Types].xml": _ooxml.CONTENT_TYPES,
        "_rels/.rels": _ooxml.PACKAGE_RELS,
        "docProps/core.xml": _ooxml.core_xml(module.NAME),
        "docProps/app.xml": _ooxml.APP_XML,
        "word/document.xml": document,
        "word/_rels/document.xml.rels": _ooxml.DOCUMENT_RELS,
        "word/styles.xml": _ooxml.styles_xml(),
        "word/settings.xml": _ooxml.SETTINGS_XML,
        "word/header1.xml": _ooxml.header_xml(True),
        "word/header2.xml": _ooxml.header_xml(False),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"))
    return out.getvalue()


def main() -> int:
    """Write all templates next to this file."""
    for module_name in MODULES:
        module = importlib.import_module(f"templates_docx.{module_name}")
        path = HERE / f"{module.ID}.docx"
        path.write_bytes(package(module_name))
        sys.stdout.write(f"wrote {path.relative_to(HERE.parent)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
