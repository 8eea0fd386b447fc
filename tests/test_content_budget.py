"""A plan's or report's content as a whole has a budget, and what it allows is checkable.

Each list had its own limit (5,000 blocks, 2,000 rows, 500 bullets), which multiplied:
20 tables of 2,000 x 12 rendered in 11 s and 1.4 GB. The budget bounds the whole; the
largest document it lets through renders, ends with "./." and passes the checker (whose
size limits, service.conformance.package.LIMITS, stand above it).
"""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from pydantic import TypeAdapter

from service import content as ct
from service import vn
from service.conformance.package import LIMITS
from tests.conftest import PROBLEM, docx_paragraphs


def _data(client: FlaskClient, blocks: list[Any]) -> dict[str, Any]:
    example = client.get("/api/v1/templates/bao-cao").get_json()["example"]
    data: dict[str, Any] = copy.deepcopy(example)
    data["content"] = blocks
    return data


def _table(rows: int, columns: int) -> dict[str, Any]:
    head = [f"Cột {c + 1}" for c in range(columns)]
    body = [[f"Dòng {r + 1}"] + [r * 100 + c for c in range(1, columns)] for r in range(rows)]
    return {"table": {"columns": head, "rows": body}}


def _render(client: FlaskClient, blocks: list[Any]) -> Any:
    return client.post(
        "/api/v1/render", json={"template": "bao-cao", "data": _data(client, blocks)}
    )


def _check(client: FlaskClient, docx: bytes) -> Any:
    return client.post(
        "/api/v1/check",
        data={"file": (io.BytesIO(docx), "bao-cao.docx")},
        content_type="multipart/form-data",
    )


def test_the_largest_report_renders_and_passes_the_checker(client: FlaskClient) -> None:
    texts = ct.MAX_TEXTS
    blocks: list[Any] = [f"Đoạn {i}." for i in range(texts - 18 * 500 - 1)]
    blocks += [{"bullets": ["gạch đầu dòng"] * 500}, {"numbered": ["ý"] * 500}] * 9
    blocks += [_table(2000, 12), "Đoạn cuối của báo cáo"]
    assert ct.size(TypeAdapter(list[ct.Block]).validate_python(blocks)) == (
        texts,
        ct.MAX_CELLS,
        1,
    )
    response = _render(client, blocks)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    paragraphs = docx_paragraphs(response.data)
    assert "Đoạn cuối của báo cáo./." in paragraphs
    checked = _check(client, response.data)
    assert checked.status_code == 200, checked.get_data(as_text=True)[:300]
    report = checked.get_json()
    assert report["ok"], [f for f in report["findings"] if f["severity"] == "error"]
    # The checker's own limits leave room above the budget.
    most = {tag: n for tag, n, _ in LIMITS}
    assert most["tc"] > ct.MAX_CELLS + 20
    assert most["p"] > ct.MAX_CELLS + ct.MAX_TEXTS + 200


@pytest.mark.parametrize(
    ("blocks", "message"),
    [
        (
            [_table(2000, 12), _table(1, 1)],
            f"Nội dung quá lớn cho một văn bản: {vn.format_int(ct.MAX_CELLS + 2)} ô bảng "
            f"(cả hàng tiêu đề), tối đa {vn.format_int(ct.MAX_CELLS)}",
        ),
        (
            [{"bullets": ["x"] * 500}] * 20 + ["một đoạn nữa"],
            f"Nội dung quá lớn cho một văn bản: {vn.format_int(ct.MAX_TEXTS + 1)} đoạn văn "
            f"(mục, đoạn, gạch đầu dòng), tối đa {vn.format_int(ct.MAX_TEXTS)}",
        ),
        (
            [_table(1, 1)] * (ct.MAX_TABLES + 1),
            f"Nội dung quá lớn cho một văn bản: {ct.MAX_TABLES + 1} bảng, tối đa {ct.MAX_TABLES}",
        ),
        (
            [{"title": "Phần", "content": [{"bullets": ["x"] * 500}] * 20}],
            f"Nội dung quá lớn cho một văn bản: {vn.format_int(ct.MAX_TEXTS + 1)} đoạn văn "
            f"(mục, đoạn, gạch đầu dòng), tối đa {vn.format_int(ct.MAX_TEXTS)}",
        ),
    ],
    ids=["cells", "paragraphs", "tables", "nested"],
)
def test_content_over_the_budget_is_a_422_at_content(
    client: FlaskClient, blocks: list[Any], message: str
) -> None:
    response = _render(client, blocks)
    assert response.status_code == 422
    assert response.content_type == PROBLEM
    errors = response.get_json()["errors"]
    assert [(e["loc"], e["msg"]) for e in errors] == [(["data", "content"], message)]


def test_content_ending_with_a_table_gets_its_end_mark_after_the_table(
    client: FlaskClient,
) -> None:
    response = _render(client, ["Kết quả như bảng sau:", _table(3, 3)])
    assert response.status_code == 200
    paragraphs = docx_paragraphs(response.data)
    assert "Kết quả như bảng sau:" in paragraphs  # the text before the table is not the end
    # After the last cell ("Dòng 3", 301, 302): the paragraph that parts a table from what
    # follows, then the mark.
    assert paragraphs[paragraphs.index("Dòng 3") + 3 :][:3] == ["", "./.", "Nơi nhận:"]
    report = _check(client, response.data).get_json()
    assert report["ok"], [f for f in report["findings"] if f["severity"] == "error"]


def test_content_of_one_table_alone_passes_the_checker(client: FlaskClient) -> None:
    response = _render(client, [_table(2, 2)])
    assert response.status_code == 200
    assert "./." in docx_paragraphs(response.data)
    report = _check(client, response.data).get_json()
    assert report["ok"], [f for f in report["findings"] if f["severity"] == "error"]
