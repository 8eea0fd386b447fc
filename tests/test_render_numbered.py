"""NumberedRenderer: a document rendered once, then given the register's number."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from config.settings import ROOT
from service import documents, templates
from service.agencies import AgencyDirectory
from tests.docx_utils import paragraphs

TEMPLATE_IDS = [spec.id for spec in templates.all_templates()]


@pytest.fixture(scope="module")
def agencies() -> AgencyDirectory:
    return AgencyDirectory.from_file(ROOT / "config" / "agencies.yaml")


def example(template_id: str, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(templates.get(template_id).example())
    data.pop("number", None)
    data.update(changes)
    return data


def full_render(agencies: AgencyDirectory, template_id: str, data: Any, number: int):
    return documents.render(template_id, data, agencies, number=number)


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_every_number_gives_the_bytes_of_a_full_render(
    agencies: AgencyDirectory, template_id: str
) -> None:
    data = example(template_id)
    renderer = documents.NumberedRenderer(documents.prepare(template_id, data, agencies))
    # The first number is the one rendered in full; the others (fewer and more
    # digits, below 10 with its leading zero) replace it.
    for number in (149, 5, 10, 1000, 12345, 149):
        got = renderer.render(number)
        expected = full_render(agencies, template_id, data, number)
        assert got.content == expected.content, number
        assert (got.symbol, got.number, got.filename) == (
            expected.symbol,
            expected.number,
            expected.filename,
        )


def test_the_template_is_rendered_once(
    agencies: AgencyDirectory, template_renders: list[str]
) -> None:
    renderer = documents.NumberedRenderer(
        documents.prepare("quyet-dinh-cong-nhan", example("quyet-dinh-cong-nhan"), agencies)
    )
    texts = [paragraphs(renderer.render(n).content) for n in (7, 8, 300)]
    assert template_renders == ["quyet-dinh-cong-nhan"]
    symbol = "/QĐ-UBND"
    assert "Số: 07" + symbol in texts[0]
    assert "Số: 08" + symbol in texts[1]
    assert "Số: 300" + symbol in texts[2]
    # The annex of the decision cites its own number too.
    assert any(f"Quyết định số 300{symbol}" in line for line in texts[2])
    assert not any("07" + symbol in line for line in texts[2])


def test_the_marking_characters_in_the_text_fall_back_to_full_renders(
    agencies: AgencyDirectory, template_renders: list[str]
) -> None:
    template_id = "quyet-dinh-cong-nhan"
    summary = "Công nhận \ue0002\ue001 khu dân cư \ue001"
    data = example(template_id, summary=summary)
    renderer = documents.NumberedRenderer(documents.prepare(template_id, data, agencies))
    first, second = renderer.render(2), renderer.render(3)
    assert len(template_renders) == 3  # the marked attempt, then a full render for each number
    assert first.content == full_render(agencies, template_id, data, 2).content
    assert second.content == full_render(agencies, template_id, data, 3).content
    assert any(summary in line for line in paragraphs(second.content))
