"""The ``vanban`` command line."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.shared import Mm
from flask import Flask
from flask.testing import FlaskCliRunner

from service.cli import cli, format_loc, main
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
    assert "Không có mẫu văn bản này" in result.stderr


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
    assert "Dữ liệu không hợp lệ" in result.stderr
    assert "data.summary: Thiếu trường bắt buộc" in result.stderr
    assert "data.date: " in result.stderr
    assert not out.exists()


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
    assert ".docx" in result.stderr


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
