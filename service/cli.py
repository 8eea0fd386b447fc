"""The ``vanban`` command line: operators' tools over the same domain code as the API.

Commands are registered on the click group ``cli``: decorate a function with
``@cli.command()`` here, or define a group in its subsystem and list it in
``SUBSYSTEM_COMMANDS`` (loaded lazily, so this module stays cheap to import).
Every command gets the app from flask's ``ScriptInfo``, so tests can hand in
their own app (``app.test_cli_runner().invoke(cli, [...])``).
"""

from __future__ import annotations

import importlib
import json
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click
from flask import Flask
from flask.cli import ScriptInfo, with_appcontext

from service import jsonin
from service.errors import VanbanError

# "module:attribute" of click commands/groups owned by other subsystems.
SUBSYSTEM_COMMANDS: tuple[str, ...] = (
    "service.cli_register:db_group",
    "service.cli_register:agencies_group",
    "service.cli_register:keys_group",
    "service.cli_batch:batch_command",
)

EXIT_FAILED = 1  # the work ran and found problems (e.g. a non-conforming document)
EXIT_BAD_INPUT = 2  # the input was refused (validation, unknown template, unreadable file)


@click.group(name="vanban", context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """vanban: soạn và kiểm tra văn bản hành chính theo Nghị định 30/2020/NĐ-CP."""


def _app() -> Flask:
    return click.get_current_context().ensure_object(ScriptInfo).load_app()


def format_loc(loc: Sequence[str | int]) -> str:
    """``["data", "units", 0, "name"]`` as ``data.units[0].name``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(gốc)"


def _headline(exc: VanbanError) -> str:
    """``Lỗi: title. detail``, without what the items printed below it say.

    Some details repeat their items' messages (a 409 joins them with ``; `` for
    clients that show only ``detail``); a detail equal to the title adds nothing.
    """
    detail = exc.detail
    # Longest first: a message that is part of another one is not cut out of it.
    messages = sorted({str(e.get("msg") or "") for e in exc.errors} - {""}, key=len, reverse=True)
    if any(message in detail for message in messages):
        for message in messages:
            detail = detail.replace(message, "")
        detail = re.sub(r"\s*;(?:\s*;)*\s*", "; ", detail).strip(" \t\n;:,.")
    if not detail or detail == exc.title:
        return f"Lỗi: {exc.title}."
    return f"Lỗi: {exc.title}. {detail}"


def _fail(exc: VanbanError) -> NoReturn:
    """Print a domain error in Vietnamese, each message once, and exit with the matching code."""
    click.echo(_headline(exc), err=True)
    for item in exc.errors:
        where = f"{format_loc(item['loc'])}: " if "loc" in item else ""
        click.echo(f"  - {where}{item.get('msg', '')}", err=True)
    raise click.exceptions.Exit(EXIT_BAD_INPUT if exc.status < 500 else EXIT_FAILED)


def _read_json(source: str) -> Any:
    """JSON from a file or ``-`` (stdin), as UTF-8."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise click.ClickException(f"Không đọc được tệp {source}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise click.ClickException(f"Tệp {source} không phải UTF-8") from None
    try:
        return jsonin.decode(text)
    except jsonin.Unreadable as exc:
        if exc.line is None:
            message = f"JSON không được chấp nhận trong {source}: {exc.reason}"
        else:
            message = f"JSON sai cú pháp trong {source} ({exc.where()}): {exc.reason}"
        raise click.ClickException(message) from None


@cli.command("templates")
@with_appcontext
def templates_command() -> None:
    """Liệt kê các mẫu văn bản."""
    from service import templates

    rows = [("MÃ MẪU", "LOẠI", "TÊN")] + [
        (s.id, s.doc_type, s.name) for s in templates.all_templates()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    for ident, kind, name in rows:
        click.echo(f"{ident:<{widths[0]}}  {kind:<{widths[1]}}  {name}")


@cli.command("example")
@click.argument("template")
@with_appcontext
def example_command(template: str) -> None:
    """In dữ liệu ví dụ (JSON) của mẫu TEMPLATE."""
    from service import templates

    try:
        spec = templates.get(template)
    except VanbanError as exc:
        _fail(exc)
    click.echo(json.dumps(spec.example(), ensure_ascii=False, indent=2))


@cli.command("render")
@click.argument("template")
@click.argument("data_file", metavar="DATA.json")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Tệp .docx ghi ra.")
@with_appcontext
def render_command(template: str, data_file: str, output: str | None) -> None:
    """Tạo văn bản từ mẫu TEMPLATE và tệp dữ liệu DATA.json (- là stdin)."""
    from service import agencies, documents

    data = _read_json(data_file)
    try:
        doc = documents.render(template, data, agencies.current())
    except VanbanError as exc:
        _fail(exc)
    target = Path(output or doc.filename)
    target.write_bytes(doc.content)
    click.echo(f"Đã ghi {target} ({len(doc.content)} byte), số ký hiệu: {doc.symbol.strip()}")


@cli.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@with_appcontext
def check_command(file: str, as_json: bool) -> None:
    """Kiểm tra thể thức tệp .docx FILE; mã thoát 1 khi có lỗi."""
    from service import conformance

    try:
        report = conformance.check_docx(Path(file).read_bytes())
    except conformance.NotADocx as exc:
        click.echo(f"Lỗi: {exc.explained()}", err=True)
        raise click.exceptions.Exit(EXIT_BAD_INPUT) from None
    result = report.to_dict()
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for f in result["findings"]:
            click.echo(
                f"[{f['severity']}] {f['rule']} ({f['where']}): "
                f"cần {f['expected']}, thấy {f['found']}"
            )
        verdict = "ĐẠT" if result["ok"] else "KHÔNG ĐẠT"
        click.echo(f"{verdict}: {len(result['findings'])} phát hiện")
    if not result["ok"]:
        raise click.exceptions.Exit(EXIT_FAILED)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Địa chỉ lắng nghe.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
def serve_command(host: str, port: int) -> None:
    """Chạy máy chủ web (mặc định nhúng: SQLite, không cần Redis)."""
    from werkzeug.serving import run_simple

    app = _app()
    click.echo(f"vanban: http://{host}:{port}/api/docs")
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


def _register_subsystems() -> None:
    for target in SUBSYSTEM_COMMANDS:
        module_name, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if command.name not in cli.commands:
            cli.add_command(command)


_register_subsystems()


def _log_to_stderr() -> None:
    """Keep stdout for the command's output (``vanban example X > data.json``)."""
    root = logging.getLogger()
    if not any(getattr(h, "_vanban", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handler._vanban = True  # type: ignore[attr-defined]  # create_app then adds no stdout one
        root.addHandler(handler)


def _utf8_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``vanban`` console script."""
    from service import create_app

    _utf8_streams()
    _log_to_stderr()
    cli.main(
        args=list(argv) if argv is not None else None,
        prog_name="vanban",
        obj=ScriptInfo(create_app=create_app, set_debug_flag=False),
    )


if __name__ == "__main__":
    main()
