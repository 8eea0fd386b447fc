"""What every Quyết định shares: the authority line, legal bases, "QUYẾT ĐỊNH:"."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from service import vn
from service.schemas import CommonData, ShortText, Text
from templates_docx import _fragments as f


class DecisionData(CommonData):
    """Fields of every decision."""

    legal_bases: list[Text] = Field(
        min_length=1,
        max_length=30,
        description="Căn cứ ban hành, theo đề nghị / xét đề nghị (dấu câu tự thêm)",
    )
    authority_line: ShortText | None = Field(
        default=None,
        description="Dòng thẩm quyền ban hành (mặc định: chức danh người đứng đầu + tên cơ quan,"
        " hoặc tên tập thể khi ký TM.)",
    )


def issuing_authority(p: Any) -> str:
    """Who issues the decision, as running text names it: the body or its head.

    The body when the collective's power is used, else its head (nd30 §2 item 6).
    The collective signs ``TM.``, alone or above a deputy's ``KT.``/``Q.`` line
    (``TM. ỦY BAN NHÂN DÂN`` / ``KT. CHỦ TỊCH``): either way the decision is the
    body's, and the authority line names the body, not its head. Names given in
    capitals are written as running text writes them (``vn.running_case``):
    "Ủy ban nhân dân thị xã Bỉm Sơn", "Chủ tịch Ủy ban nhân dân phường Bắc Sơn".
    """
    data: DecisionData = p.data
    if data.authority_line:
        return vn.running_case(data.authority_line)
    if p.signer.authority == "TM" or p.signer.collective:
        return vn.running_case(p.issuer.name)
    if p.agency is not None and p.agency.head:
        return vn.running_case(p.agency.head)
    head = p.signer.body if p.signer.authority in {"KT", "TL", "TUQ"} else p.signer.title
    return f"{vn.running_case(head)} {vn.running_case(p.issuer.name)}"


def authority_line(p: Any) -> str:
    """The issuing-authority line above the legal bases, in capitals."""
    return vn.upper(issuing_authority(p))


def decision_context(p: Any) -> dict[str, Any]:
    """The values above the articles."""
    data: DecisionData = p.data
    return {
        "authority": authority_line(p),
        "legal_bases": vn.legal_basis_lines(list(data.legal_bases)),
    }


def preamble() -> str:
    """Authority line, legal bases and "QUYẾT ĐỊNH:"."""
    return (
        f.value("VBAuthority", "authority")
        + f.tag("{%p for line in legal_bases %}")
        + f.value("VBLegal", "line")
        + f.tag("{%p endfor %}")
        + f.literal("VBDecides", "QUYẾT ĐỊNH:")
    )


def decision_source(type_name: str, *, appendix: str = "") -> str:
    """Header, title, preamble, articles, signature and an optional appendix."""
    return (
        f.header_table()
        + f.title(type_name)
        + preamble()
        + f.blocks()
        + f.signature_table()
        + appendix
    )
