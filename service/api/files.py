"""File responses with both forms of the download name (RFC 6266 / RFC 8187)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response

from service.documents import ascii_filename


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """``attachment; filename="ascii"; filename*=UTF-8''percent-encoded``."""
    fallback = ascii_filename(filename).replace("\\", "").replace('"', "")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(content: bytes, filename: str, media_type: str) -> Response:
    """The bytes of a file as a download named ``filename``."""
    # As given: ``mimetype`` would add "; charset=utf-8" to a text type that has it already.
    response = Response(content, content_type=media_type)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
