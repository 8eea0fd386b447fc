"""What validation accepts renders; what cannot render is a 422 in Vietnamese at its field.

Found by fuzzing POST /api/v1/render and /api/v1/documents: each case here was
accepted and then crashed the rendering (a 500, or a failed batch row).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from service import content, templates
from tests.conftest import DOCX_MEDIA_TYPE, docx_paragraphs, docx_text

ENDPOINTS = ["/api/v1/render", "/api/v1/documents"]


def example(template_id: str, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(templates.get(template_id).example())
    data.update(changes)
    return data


def post(client: FlaskClient, url: str, template_id: str, data: dict[str, Any]) -> Any:
    return client.post(url, json={"template": template_id, "data": data})


def refused(response: Any) -> list[dict[str, Any]]:
    """The errors of a 422 (never a 500)."""
    assert response.status_code == 422, response.data[:300]
    errors: list[dict[str, Any]] = response.get_json()["errors"]
    for error in errors:
        assert "http" not in error["msg"] and "should" not in error["msg"]
    return errors


def table(**fields: Any) -> dict[str, Any]:
    return {"table": {"columns": ["STT", "Chỉ tiêu"], "rows": [[1, "Hộ tham gia"]], **fields}}


def plan(client: FlaskClient, url: str, *blocks: Any) -> Any:
    return post(client, url, "ke-hoach", example("ke-hoach", content=list(blocks)))


# R1: column widths


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("width", [1e305, 1e308, 0, -1, 100_001])
def test_a_column_width_out_of_range_is_refused_at_it(
    client: FlaskClient, url: str, width: float
) -> None:
    (error,) = refused(plan(client, url, table(widths=[width, 1])))
    assert error["loc"] == ["data", "content", 0, "table", "widths", 0]
    assert error["msg"] == "Độ rộng cột là tỷ lệ: một số lớn hơn 0, tối đa 100.000"


def test_an_infinite_width_or_figure_is_refused(client: FlaskClient) -> None:
    # JSON's 1e999 is read as infinity.
    data = example("ke-hoach", content=[table(widths=[1, 2], rows=[[1, "INF"]])])
    body = json.dumps({"template": "ke-hoach", "data": data})
    body = body.replace('"widths": [1, 2]', '"widths": [1e999, 2]').replace('"INF"', "-1e999")
    response = client.post("/api/v1/render", data=body, content_type="application/json")
    errors = {tuple(e["loc"]): e["msg"] for e in refused(response)}
    assert errors == {
        ("data", "content", 0, "table", "widths", 0): "Phải là một số hữu hạn",
        ("data", "content", 0, "table", "rows", 0, 1): "Phải là một số hữu hạn",
    }


@pytest.mark.parametrize("widths", [[1], [1, 2, 3]])
def test_one_width_a_column(client: FlaskClient, widths: list[float]) -> None:
    (error,) = refused(plan(client, "/api/v1/render", table(widths=widths)))
    assert error["loc"] == ["data", "content", 0, "table", "widths"]
    assert error["msg"] == f"Cần đúng 2 độ rộng, mỗi cột một số (nhận được {len(widths)})"


@pytest.mark.parametrize(
    "widths", [[1e-300, 100_000], [100_000, 1e-300], [3, 1e-300, 100_000], [0.6, 3.4]]
)
def test_any_accepted_widths_render_and_fill_the_text_width(widths: list[float]) -> None:
    columns = [f"Cột {i}" for i in range(len(widths))]
    out = content.column_widths(columns, widths, 9071)
    assert sum(out) == 9071 and min(out) >= 1
    assert out.index(max(out)) == widths.index(max(widths))


def test_extreme_accepted_widths_render(client: FlaskClient) -> None:
    response = plan(client, "/api/v1/render", table(widths=[1e-300, 100_000]))
    assert response.status_code == 200 and response.content_type == DOCX_MEDIA_TYPE


# R2: numbering of sections


def section(title: str, *children: Any, numbering: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"title": title, "content": list(children)}
    if numbering:
        out["numbering"] = numbering
    return out


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("parts", [101, 4000])
def test_too_many_parts_are_refused(client: FlaskClient, url: str, parts: int) -> None:
    (error,) = refused(plan(client, url, *[section(f"Phần {i}") for i in range(parts)]))
    assert error["loc"] == ["data", "content"]
    assert error["msg"] == (
        f"Tối đa 100 phần đánh số La Mã (I, II, III …) ở cấp đầu, nhận được {parts}"
    )


def test_a_hundred_parts_render(client: FlaskClient) -> None:
    response = plan(client, "/api/v1/render", "Mở đầu", *[section(f"Phần {i}") for i in range(100)])
    assert response.status_code == 200
    assert "C. PHẦN 99./." in docx_paragraphs(response.data)


def test_lettered_sections_stop_where_their_letters_do(client: FlaskClient) -> None:
    def lettered(n: int) -> list[dict[str, Any]]:
        return [section(f"Điểm {i}") for i in range(n)]

    deep = section("Phần", section("Mục", section("Tiểu mục", *lettered(70))))
    (error,) = refused(plan(client, "/api/v1/render", deep))
    assert error["loc"] == ["data", "content"]
    assert error["msg"] == (
        "Mục “1.1. Tiểu mục” có 70 mục con đánh chữ a), b), c) …: tối đa 69 (đến yyy))"
    )
    under = section("Phần", section("Mục", *lettered(70), numbering="letter"))
    (error,) = refused(plan(client, "/api/v1/render", under))
    assert error["msg"].startswith("Mục “1. Mục” có 70 mục con")

    fine = section("Phần", section("Mục", section("Tiểu mục", *lettered(69))))
    response = plan(client, "/api/v1/render", fine)
    assert response.status_code == 200
    assert "yyy) Điểm 68./." in docx_paragraphs(response.data)


def test_numbers_and_decimals_have_no_such_limit(client: FlaskClient) -> None:
    many = [section(f"Mục {i}") for i in range(300)]
    response = plan(client, "/api/v1/render", section("Phần", *many, section("Cuối", *many)))
    assert response.status_code == 200
    assert "301.300. Mục 299./." in docx_paragraphs(response.data)


# R3: text a template makes from the client's


@pytest.mark.parametrize("url", ENDPOINTS)
def test_a_unit_kind_too_long_is_refused_at_it(client: FlaskClient, url: str) -> None:
    data = example("quyet-dinh-cong-nhan", unit_kind="a" * 297)
    (error,) = refused(post(client, url, "quyet-dinh-cong-nhan", data))
    assert error["loc"] == ["data", "unit_kind"]
    assert error["msg"] == "Quá dài (tối đa 100 ký tự)"


def test_the_longest_unit_kind_and_executors_render(client: FlaskClient) -> None:
    kind = ("cơ quan, doanh nghiệp, nhà trường " * 4)[:99] + "x"
    executors = [("Trưởng khu dân cư " * 20)[:300]] * 30
    data = example("quyet-dinh-cong-nhan", unit_kind=kind, executors=executors)
    response = post(client, "/api/v1/render", "quyet-dinh-cong-nhan", data)
    assert response.status_code == 200
    assert f"Tên {kind}" in docx_paragraphs(response.data)


def test_the_longest_body_and_duties_render(client: FlaskClient) -> None:
    name = ("Ban Chỉ đạo phong trào toàn dân bảo vệ an ninh Tổ quốc " * 6)[:300]
    data = example(
        "quyet-dinh-thanh-lap",
        body_name=name,
        executors=[name] * 30,
        duties=[("Chỉ đạo, kiểm tra " * 120)[:2000]] * 50,
    )
    response = post(client, "/api/v1/render", "quyet-dinh-thanh-lap", data)
    assert response.status_code == 200


# M1: the default summary of a certificate


@pytest.mark.parametrize("length", [231, 232, 235, 300])
def test_a_long_unit_name_keeps_a_default_summary_within_its_limit(
    client: FlaskClient, length: int
) -> None:
    name = ("Khu dân cư số " * 30)[: length - 1] + "x"
    data = example("giay-cong-nhan", unit={"name": name})
    data.pop("summary", None)
    response = post(client, "/api/v1/documents", "giay-cong-nhan", data)
    assert response.status_code == 201, response.get_data(as_text=True)[:300]
    summary = response.get_json()["summary"]
    assert len(summary) <= 300
    assert summary.startswith("Giấy công nhận Khu dân cư số")
    assert summary.endswith("đạt tiêu chuẩn “An toàn về an ninh, trật tự” năm 2024")
    if length > 231:
        assert "… đạt tiêu chuẩn" in summary
    else:
        assert name in summary
    text = docx_text(client.get(response.get_json()["files"]["docx"]).data)
    assert name.upper() in text.upper()  # the certificate prints the name in full


def test_a_year_as_text_is_in_the_default_summary(client: FlaskClient) -> None:
    data = example("giay-cong-nhan", year="2024")
    data.pop("summary", None)
    response = post(client, "/api/v1/documents", "giay-cong-nhan", data)
    assert response.status_code == 201
    assert response.get_json()["summary"].endswith("năm 2024")
