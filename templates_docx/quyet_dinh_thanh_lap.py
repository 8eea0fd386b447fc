"""Quyết định thành lập / kiện toàn a Ban chỉ đạo, Hội đồng or Tổ công tác, with members."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from service import content, vn
from service.schemas import Model, ShortText, Text
from templates_docx import _decision

ID = "quyet-dinh-thanh-lap"
DOC_TYPE = "QĐ"
TYPE_NAME = "QUYẾT ĐỊNH"
NAME = "Quyết định thành lập, kiện toàn"
VERSION = "1"
ORIENTATION = "portrait"


class Member(Model):
    """A member and the role they hold in the body."""

    honorific: Literal["Ông", "Bà", "Đồng chí"] = "Ông"
    name: ShortText
    position: ShortText = Field(description="Chức vụ, đơn vị công tác")
    role: ShortText = Field(description="Vai trò: Trưởng ban, Phó Trưởng ban, Thành viên …")


class Data(_decision.DecisionData):
    """Establish (thành lập) or consolidate (kiện toàn) a body and name its members."""

    action: Literal["thành lập", "kiện toàn"] = "thành lập"
    body_name: ShortText = Field(description="Tên tổ chức, ví dụ: Ban Chỉ đạo … phường Bắc Sơn")
    members: list[Member] = Field(min_length=1, max_length=300)
    duties: list[Text] = Field(min_length=1, max_length=50, description="Nhiệm vụ (Điều 2)")
    replaces: ShortText | None = Field(
        default=None, description="Văn bản bị thay thế, ví dụ: Quyết định số 3776/QĐ-UBND …"
    )
    executors: list[ShortText] = Field(
        min_length=1, max_length=30, description="Người, cơ quan chịu trách nhiệm thi hành"
    )


def _member_line(n: int, m: Member, last: bool) -> str:
    return f"{n}. {m.honorific} {m.name}, {m.position} - {m.role}{'.' if last else ';'}"


def context(p: Any) -> dict[str, Any]:
    """Template values for a prepared decision."""
    data: Data = p.data
    action = vn.capitalize_first(data.action)
    effect = "Quyết định này có hiệu lực kể từ ngày ký"
    effect += f" và thay thế {data.replaces}." if data.replaces else "."
    # Sentences made here from validated data: not validated again against the client's
    # limits, which they may exceed without being wrong.
    article = content.Article.model_construct
    articles = [
        article(text=f"{action} {data.body_name}, gồm các ông (bà) có tên sau:"),
        article(text=f"{data.body_name} có nhiệm vụ:", points=list(data.duties)),
        article(text=effect),
        article(
            text=", ".join(data.executors)
            + " và các ông (bà) có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này."
        ),
    ]
    blocks = content.article_blocks(articles)
    members = [
        content.body(_member_line(n, m, n == len(data.members)))
        for n, m in enumerate(data.members, 1)
    ]
    blocks[1:1] = members
    ctx = _decision.decision_context(p)
    ctx["blocks"] = content.end_mark(blocks)
    ctx["recipients"] = vn.recipient_lines(
        list(data.recipients), list(data.archive), first=f"Như Điều {len(articles)}"
    )
    return ctx


def source() -> str:
    """The template body."""
    return _decision.decision_source(TYPE_NAME)
