"""The error handlers: every error leaves the API as application/problem+json."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, g, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from service.errors import VanbanError

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"

# Vietnamese titles of the HTTP errors werkzeug raises before our code runs.
HTTP_TITLES: dict[int, str] = {
    400: "Yêu cầu không đọc được",
    401: "Chưa xác thực",
    403: "Không có quyền",
    404: "Không tìm thấy",
    405: "Phương thức không được hỗ trợ",
    406: "Không trả được định dạng yêu cầu",
    408: "Hết thời gian chờ yêu cầu",
    409: "Xung đột",
    411: "Thiếu độ dài nội dung",
    413: "Dữ liệu gửi lên quá lớn",
    414: "Địa chỉ quá dài",
    415: "Kiểu nội dung không được hỗ trợ",
    429: "Quá nhiều yêu cầu",
    500: "Lỗi máy chủ",
    501: "Chưa hỗ trợ",
    503: "Dịch vụ phụ thuộc không sẵn sàng",
}

HTTP_DETAILS: dict[int, str] = {
    400: "Máy chủ không đọc được yêu cầu.",
    404: "Không có tài nguyên nào ở địa chỉ này.",
    405: "Địa chỉ này không nhận phương thức {method}.",
    500: "Máy chủ gặp lỗi khi xử lý yêu cầu. Lỗi đã được ghi lại.",
}


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    """A problem+json response whose HTTP status is ``body['status']``."""
    return current_app.response_class(
        current_app.json.dumps(body) + "\n",
        status=int(body["status"]),
        mimetype=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _problem(status: int, title: str, detail: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail}


def handle_vanban_error(exc: VanbanError) -> Response:
    """Our own errors carry their status, title and detail."""
    if exc.status >= 500:
        level = logging.WARNING if exc.status == 503 else logging.ERROR
        log.log(
            level, "%s on %s %s: %s", type(exc).__name__, request.method, request.path, exc.detail
        )
    headers = {"WWW-Authenticate": 'Bearer realm="vanban"'} if exc.status == 401 else None
    return problem_response(exc.to_problem(), headers)


def _size_limit() -> str:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if not limit:
        return "Dữ liệu gửi lên vượt quá giới hạn của máy chủ."
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        shown = f"{limit // (1024 * 1024)} MB"
    elif limit >= 1024:
        shown = f"{limit / 1024:.0f} KB"
    else:
        shown = f"{limit} byte"
    return f"Dữ liệu gửi lên vượt quá giới hạn {shown}."


def handle_http_exception(exc: HTTPException) -> Response:
    """Routing and protocol errors (404, 405, 413, 400 …) in Vietnamese."""
    status = exc.code or 500
    title = HTTP_TITLES.get(status, "Lỗi yêu cầu")
    detail = HTTP_DETAILS.get(status, title + ".").format(method=request.method)
    headers: dict[str, str] = {}
    if isinstance(exc, RequestEntityTooLarge):
        detail = _size_limit()
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return problem_response(_problem(status, title, detail), headers)


def handle_database_unavailable(exc: OperationalError) -> Response:
    """The database dropped the connection, timed out or cancelled: 503, try again.

    Nothing half-written stays behind (a transaction commits whole or not at
    all); a client that sent an Idempotency-Key can repeat the request safely,
    and gets the document back if the lost request did commit.
    """
    log.warning("database error on %s %s: %s", request.method, request.path, exc.orig)
    session = g.get("vanban_session")
    if session is not None:
        session.rollback()
    body = _problem(
        503, HTTP_TITLES[503], "Cơ sở dữ liệu tạm thời không trả lời; xin gửi lại yêu cầu."
    )
    return problem_response(body, {"Retry-After": "1"})


def handle_unexpected(exc: Exception) -> Response:
    """Anything else: log the traceback, tell the client nothing internal."""
    log.exception("unhandled error on %s %s", request.method, request.path)
    session = g.get("vanban_session")
    if session is not None:
        session.rollback()
    return problem_response(_problem(500, HTTP_TITLES[500], HTTP_DETAILS[500]))


def init_app(app: Flask) -> None:
    """Register the handlers on the whole app (unknown routes have no blueprint)."""
    app.register_error_handler(VanbanError, handle_vanban_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
