"""The ``vanban`` command line."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import click
import docx
import pytest
from click.testing import CliRunner
from docx.shared import Mm
from flask import Flask
from flask.testing import FlaskCliRunner

from service.cli import _fail, cli, format_loc, main
from service.errors import Conflict, ConversionFailed, InvalidData, NotFound, VanbanError
from tests.conftest import TEMPLATE_IDS, docx_paragraphs


def test_templates(runner: FlaskCliRunner) -> None:
    result = runner.invoke(cli, ["templates"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["MÃ", "MẪU", "LOẠI", "TÊN"]
    assert [line.split()[0] for line in lines[1:]] == TEMPLATE_IDS
    assert any(line.split()[:2] == ["giay-cong-nhan", "GCN"] for line in lines)


def test_example(runner: FlaskCliRunner) -> None:
    result = runner.invoke(cli, ["example", "bao-cao"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["agency"] == "bcd138-bimson"
    assert "Tổng kết" in result.stdout  # not \\u-escaped


def test_example_unknown_template(runner: FlaskCliRunner) -> None:
    result = runner.invoke(cli, ["example", "khong-co"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Lỗi: Không có mẫu văn bản này. Không có mẫu văn bản 'khong-co'"
    ]


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_render(runner: FlaskCliRunner, tmp_path: Path, template_id: str) -> None:
    data_file = tmp_path / "data.json"
    data_file.write_text(runner.invoke(cli, ["example", template_id]).stdout, encoding="utf-8")
    out = tmp_path / "out.docx"
    result = runner.invoke(cli, ["render", template_id, str(data_file), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in docx_paragraphs(out.read_bytes())


def test_render_from_stdin_default_name(
    runner: FlaskCliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = json.loads(runner.invoke(cli, ["example", "bao-cao"]).stdout)
    data["number"] = 149
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["render", "bao-cao", "-"], input=json.dumps(data))
    assert result.exit_code == 0, result.output
    assert "Số: 149/BC-BCĐ" in docx_paragraphs(
        (tmp_path / "149-BC-BCĐ-2018-07-27.docx").read_bytes()
    )


def test_render_invalid_data(runner: FlaskCliRunner, tmp_path: Path) -> None:
    data = json.loads(runner.invoke(cli, ["example", "bao-cao"]).stdout)
    del data["summary"]
    data["date"] = "2021-02-30"
    data_file = tmp_path / "data.json"
    data_file.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "out.docx"
    result = runner.invoke(cli, ["render", "bao-cao", str(data_file), "-o", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"Lỗi: Dữ liệu không hợp lệ. {len(lines) - 1} lỗi trong dữ liệu gửi lên"
    assert lines.count("  - data.summary: Thiếu trường bắt buộc") == 1
    assert result.stderr.count("Thiếu trường bắt buộc") == 1
    assert sum(line.startswith("  - data.date: ") for line in lines) == 1
    assert not out.exists()


def test_batch_refused_rows(runner: FlaskCliRunner, tmp_path: Path) -> None:
    """A refused batch (422 with items) prints its detail and each row's message once."""
    from tests.batch_helpers import certificate_common
    from tests.test_batches_upload import xlsx

    rows = tmp_path / "rows.xlsx"
    rows.write_bytes(xlsx([["unit.name", "unit.address"], ["Khu phố 1", "A"], [None, "B"]]))
    common = tmp_path / "common.json"
    common.write_text(json.dumps(certificate_common(), ensure_ascii=False), encoding="utf-8")
    args = ["batch", "giay-cong-nhan", str(rows), "--common", str(common), "--no-worker"]
    result = runner.invoke(cli, [*args, "--issue", "--timeout", "5"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Lỗi: Dữ liệu không hợp lệ. 1 lỗi ở 1 dòng; không dòng nào được phát hành",
        "  - rows[1].unit.name: Dòng 3: Thiếu trường bắt buộc",
    ]


def test_batch_csv_with_an_unclosed_quote(runner: FlaskCliRunner, tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text('unit.name,unit.address\nKhu 1,"Phường A\nKhu 2,Phường B\n', encoding="utf-8")
    result = runner.invoke(
        cli, ["batch", "giay-cong-nhan", str(rows), "--no-worker", "--timeout", "5"]
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Lỗi: Dữ liệu không hợp lệ. 1 lỗi trong dữ liệu gửi lên",
        "  - file: Tệp CSV có dấu ngoặc kép chưa đóng (từ dòng 2, cột B): phần còn lại của tệp "
        'sẽ bị đọc thành một ô; hãy thêm dấu " đóng hoặc bỏ dấu " thừa',
    ]


def test_render_malformed_json(runner: FlaskCliRunner, tmp_path: Path) -> None:
    data_file = tmp_path / "data.json"
    data_file.write_text("{bad", encoding="utf-8")
    result = runner.invoke(cli, ["render", "bao-cao", str(data_file)])
    assert result.exit_code == 1
    assert "JSON sai cú pháp" in result.stderr


def _docx(margin_left_mm: float) -> bytes:
    document = docx.Document()
    document.sections[0].left_margin = Mm(margin_left_mm)
    document.add_paragraph("Văn bản thử")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _check(runner: FlaskCliRunner, path: Path, *args: str) -> Any:
    return runner.invoke(cli, ["check", str(path), *args])


def test_check_rendered(runner: FlaskCliRunner, app: Flask, tmp_path: Path) -> None:
    data = json.loads(runner.invoke(cli, ["example", "quyet-dinh-cong-nhan"]).stdout)
    data["number"] = 15
    (tmp_path / "d.json").write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "qd.docx"
    runner.invoke(cli, ["render", "quyet-dinh-cong-nhan", str(tmp_path / "d.json"), "-o", str(out)])
    result = _check(runner, out, "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == (0 if report["ok"] else 1)


def test_check_failing_document(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "sai.docx"
    path.write_bytes(_docx(10))
    result = _check(runner, path)
    assert result.exit_code == 1
    assert "KHÔNG ĐẠT" in result.stdout
    assert "[error]" in result.stdout
    as_json = _check(runner, path, "--json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)
    assert report["ok"] is False and report["findings"]


def test_check_not_a_docx(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "a.docx"
    path.write_bytes(b"not a zip")
    result = _check(runner, path)
    assert result.exit_code == 2
    assert result.stderr == "Lỗi: Tệp không phải .docx hợp lệ: không phải tệp nén ZIP\n"


def test_check_missing_file(runner: FlaskCliRunner, tmp_path: Path) -> None:
    assert _check(runner, tmp_path / "khong-co.docx").exit_code == 2


def test_serve(runner: FlaskCliRunner, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        "werkzeug.serving.run_simple", lambda *a, **k: calls.append((*a, k["threaded"]))
    )
    result = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert calls == [("0.0.0.0", 8123, app, True)]


def test_serve_bad_port(runner: FlaskCliRunner) -> None:
    assert runner.invoke(cli, ["serve", "--port", "99999"]).exit_code == 2


@pytest.mark.parametrize(
    ("loc", "shown"),
    [
        (["data", "signer", "name"], "data.signer.name"),
        (["data", "units", 0, "name"], "data.units[0].name"),
        (["rows", 3], "rows[3]"),
        ([], "(gốc)"),
    ],
)
def test_format_loc(loc: list[str | int], shown: str) -> None:
    assert format_loc(loc) == shown


def _failing(exc: VanbanError) -> Any:
    """What ``_fail`` prints for ``exc``, and its exit code."""

    @click.command()
    def command() -> None:
        _fail(exc)

    return CliRunner().invoke(command, [])


def test_fail_prints_a_conflict_s_messages_once() -> None:
    first = "Không bỏ được sổ 'a' (Sổ A): sổ đang có 2 văn bản; số đã cấp không được cấp lại"
    second = "Không chuyển được loại KH sang sổ 'b'"
    errors = [
        {"loc": ["books"], "msg": first, "type": "book_in_use"},
        {"loc": ["books", 1, "types"], "msg": second, "type": "type_moved"},
    ]
    result = _failing(
        Conflict(f"Không thay được sổ của cơ quan x: {first}; {second}", errors=errors)
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Lỗi: Xung đột. Không thay được sổ của cơ quan x",
        f"  - books: {first}",
        f"  - books[1].types: {second}",
    ]
    assert (result.stderr.count(first), result.stderr.count(second)) == (1, 1)


@pytest.mark.parametrize(
    ("exc", "lines", "code"),
    [
        (  # a detail that is its only item's message
            InvalidData([{"loc": ["file"], "msg": "Tệp trống"}], "Tệp trống"),
            ["Lỗi: Dữ liệu không hợp lệ.", "  - file: Tệp trống"],
            2,
        ),
        (  # items without a place (e.g. from a server) have no "(gốc)" made up for them
            Conflict("2 lỗi", errors=[{"msg": "Một"}, {"loc": [], "msg": "Hai"}]),
            ["Lỗi: Xung đột. 2 lỗi", "  - Một", "  - (gốc): Hai"],
            2,
        ),
        (NotFound(), ["Lỗi: Không tìm thấy."], 2),  # no detail: the title once
        (NotFound("Không có đợt 'x'"), ["Lỗi: Không tìm thấy. Không có đợt 'x'"], 2),
        (
            ConversionFailed("LibreOffice dừng"),
            ["Lỗi: Chuyển đổi PDF không thành công. LibreOffice dừng"],
            1,
        ),
    ],
    ids=["detail-is-the-item", "items-without-loc", "no-detail", "404", "502"],
)
def test_fail_prints_each_message_once(exc: VanbanError, lines: list[str], code: int) -> None:
    result = _failing(exc)
    assert result.stderr.splitlines() == lines
    assert result.exit_code == code


def test_main_builds_its_own_app(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    handlers = list(root.handlers)
    try:
        with pytest.raises(SystemExit) as exit_info:
            main(["templates"])
    finally:
        for handler in set(root.handlers) - set(handlers):
            root.removeHandler(handler)
    assert exit_info.value.code == 0
    assert "quyet-dinh-cong-nhan" in capsys.readouterr().out
