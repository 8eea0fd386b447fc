"""Every template, with its example and with edge data, passes the ND30 conformance checker."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from config.settings import ROOT
from service import documents, templates
from service.agencies import AgencyDirectory
from service.conformance import check_docx

TEMPLATE_IDS = [spec.id for spec in templates.all_templates()]
LONG = (
    "Ban Chỉ đạo phòng, chống tội phạm, tệ nạn xã hội và xây dựng phong trào toàn dân bảo vệ "
    "an ninh Tổ quốc, phòng chống thiên tai, tìm kiếm cứu nạn và bảo đảm trật tự an toàn giao "
    "thông trên địa bàn phường Bắc Sơn, thị xã Bỉm Sơn, tỉnh Thanh Hóa"
)


@pytest.fixture(scope="module")
def agencies() -> AgencyDirectory:
    return AgencyDirectory.from_file(ROOT / "config" / "agencies.yaml")


def errors_of(content: bytes, profile: str | None = None) -> list[dict[str, Any]]:
    report = check_docx(content, profile=profile).to_dict()
    return [f for f in report["findings"] if f["severity"] == "error"]


def units(n: int, name: str = "Khu phố") -> list[dict[str, str]]:
    return [{"name": f"{name} {i}", "address": "Phường Bắc Sơn"} for i in range(1, n + 1)]


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
@pytest.mark.parametrize("number", [None, 1, 149, 1082])
def test_examples_conform(agencies: AgencyDirectory, template_id: str, number: int | None) -> None:
    data = templates.get(template_id).example()
    content = documents.render(template_id, data, agencies, number=number).content
    expected = "certificate" if template_id == "giay-cong-nhan" else "nd30"
    report = check_docx(content)
    assert report.profile == expected
    assert errors_of(content) == []
    assert report.ok


def _edge_cases() -> list[tuple[str, str, dict[str, Any]]]:
    qd = templates.get("quyet-dinh-cong-nhan").example()
    tl = templates.get("quyet-dinh-thanh-lap").example()
    kh = templates.get("ke-hoach").example()
    gcn = templates.get("giay-cong-nhan").example()
    cases: list[tuple[str, str, dict[str, Any]]] = []
    one = copy.deepcopy(qd)
    one["units"] = units(1)
    cases.append(("1 unit", "quyet-dinh-cong-nhan", one))
    many = copy.deepcopy(qd)
    many["units"] = units(300, name=LONG[:120])
    cases.append(("300 units, long names", "quyet-dinh-cong-nhan", many))
    draft = copy.deepcopy(qd)
    draft["draft"] = True
    cases.append(("draft", "quyet-dinh-cong-nhan", draft))
    long_tl = copy.deepcopy(tl)
    long_tl["body_name"] = LONG
    long_tl["summary"] = f"Về việc kiện toàn {LONG}"
    long_tl["members"] = long_tl["members"] * 20
    cases.append(("long names, 160 members", "quyet-dinh-thanh-lap", long_tl))
    urgent = copy.deepcopy(kh)
    urgent["urgency"] = "Hỏa tốc"
    urgent["secrecy"] = "Mật"
    cases.append(("urgency and secrecy", "ke-hoach", urgent))
    inline = copy.deepcopy(kh)
    del inline["agency"]
    inline["issuer"] = {
        "parent": "UBND tỉnh Thanh Hóa",
        "name": "Sở Tư pháp",
        "abbreviation": "STP",
        "place": "Thanh Hóa",
    }
    inline["signer"] = {
        "authority": "KT",
        "body": "Giám đốc",
        "title": "Phó Giám đốc",
        "name": "Lê Văn Bình",
    }
    cases.append(("inline issuer, KT", "ke-hoach", inline))
    tl_sign = copy.deepcopy(kh)
    tl_sign["signer"] = {
        "authority": "TL",
        "body": "Chủ tịch",
        "title": "Chánh Văn phòng",
        "name": "Ngô Thị Yến",
    }
    cases.append(("TL signer", "ke-hoach", tl_sign))
    report = copy.deepcopy(templates.get("bao-cao").example())
    report["kinh_gui"] = [
        "Ban Chỉ đạo 138 tỉnh",
        "Thường trực Thị ủy, HĐND, UBND thị xã",
        "Công an tỉnh",
    ]
    cases.append(("Kính gửi several", "bao-cao", report))
    long_unit = copy.deepcopy(gcn)
    long_unit["unit"] = {"name": LONG[:200], "address": "Phường Bắc Sơn"}
    cases.append(("certificate, long unit name", "giay-cong-nhan", long_unit))
    return cases


@pytest.mark.parametrize(
    ("label", "template_id", "data"), _edge_cases(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_edge_data_conforms(
    agencies: AgencyDirectory, label: str, template_id: str, data: dict[str, Any]
) -> None:
    content = documents.render(template_id, data, agencies, number=12).content
    assert errors_of(content) == [], label


COLLECTIVE_KT = {
    "authority": "KT",
    "collective": "Ủy ban nhân dân",
    "body": "Chủ tịch",
    "title": "Phó Chủ tịch",
    "name": "Lê Văn A",
}


@pytest.mark.parametrize("template_id", ["quyet-dinh-thanh-lap", "quyet-dinh-cong-nhan"])
def test_collective_signature_under_the_heads_authority_line_is_an_error(
    agencies: AgencyDirectory, template_id: str
) -> None:
    data = copy.deepcopy(templates.get(template_id).example())
    data.update(agency="ubnd-bac-son", signer=COLLECTIVE_KT)
    data.pop("authority_line", None)
    content = documents.render(template_id, data, agencies, number=3).content
    assert errors_of(content) == []  # the body's name over TM. ỦY BAN NHÂN DÂN
    # What the templates made before ecdb816, and what an authority_line override can say.
    data["authority_line"] = "Chủ tịch Ủy ban nhân dân phường Bắc Sơn"
    content = documents.render(template_id, data, agencies, number=3).content
    found = errors_of(content)
    assert [f["rule"] for f in found] == ["decision.authority"]
    assert "TM. ỦY BAN NHÂN DÂN" in found[0]["expected"]
