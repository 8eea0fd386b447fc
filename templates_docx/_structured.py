"""Data and context shared by the documents made of numbered parts (plans, reports)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from service import content as ct
from service.schemas import CommonData


class StructuredData(CommonData):
    """Content whose top sections are parts I., II. …, nested at most four levels."""

    content: list[ct.Block] = Field(min_length=1, max_length=5000)

    @field_validator("content")
    @classmethod
    def _depth(cls, value: list[Any]) -> list[Any]:
        if ct.depth(value) > ct.MAX_DEPTH:
            raise ValueError("Mục lồng nhau tối đa 4 cấp (I. → 1. → 1.1. → a))")
        problem = ct.numbering_problem(value) or ct.size_problem(value)
        if problem:
            raise ValueError(problem)
        return value


def blocks(p: Any) -> list[dict[str, Any]]:
    """The numbered blocks of a prepared document, ending with "./."."""
    data: StructuredData = p.data
    return ct.end_mark(ct.flatten(list(data.content), number_style=p.number_style))
