"""Sheet cells as clerks write them: yes/no in Vietnamese, years as CSV text."""

from __future__ import annotations

import io
import json
import unicodedata
from typing import Any

import pytest
from flask.testing import FlaskClient

from service.batches import sheet
from service.batches.fields import BOOLEAN_HELP, coerce
from tests.batch_helpers import certificate_common

YES = ["có", "Có", "CÓ", "co", "Co", "x", "X", "true", "TRUE", " có "]
NO = ["không", "Không", "KHÔNG", "khong", "Khong", "false", "False"]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(("cell", "value"), [(c, True) for c in YES] + [(c, False) for c in NO])
def test_a_yes_no_cell_in_any_spelling(cell: str, value: bool) -> None:
    for written in (cell, nfd(cell)):
        assert coerce("giay-cong-nhan", {"draft": written}) == {"draft": value}


@pytest.mark.parametrize("cell", ["có lẽ", "ok", "2", True, 1])
def test_anything_else_is_left_for_validation(cell: Any) -> None:
    assert coerce("giay-cong-nhan", {"draft": cell}) == {"draft": cell}


def test_the_help_sheet_names_what_a_yes_no_cell_takes() -> None:
    assert sheet.TYPES["boolean"] == BOOLEAN_HELP
    for word in ("có", "x", "true", "không", "false"):
        assert f"“{word}”" in BOOLEAN_HELP or word in BOOLEAN_HELP
        assert coerce("giay-cong-nhan", {"draft": word})["draft"] in (True, False)


def test_a_whole_number_cell_of_a_csv_is_a_number() -> None:
    row = {"year": "2024", "unit": {"name": "2024"}, "number": " 7 "}
    assert coerce("giay-cong-nhan", row) == {"year": 2024, "unit": {"name": "2024"}, "number": 7}
    assert coerce("giay-cong-nhan", {"year": "20x4"}) == {"year": "20x4"}
    assert coerce("giay-cong-nhan", {"year": "9" * 40}) == {"year": "9" * 40}


def upload(client: FlaskClient, csv: str, *, issue: bool) -> Any:
    common = {k: v for k, v in certificate_common().items() if k != "summary"}
    data = {
        "template": "giay-cong-nhan",
        "issue": "true" if issue else "false",
        "common": json.dumps(common, ensure_ascii=False),
        "file": (io.BytesIO(csv.encode()), "rows.csv"),
    }
    return client.post("/api/v1/batches", data=data, content_type="multipart/form-data")


def test_a_draft_column_in_vietnamese(client: FlaskClient) -> None:
    # "có" reads as yes: an issued batch refuses the draft, at its cell.
    refused = upload(client, f"unit.name,draft\nKhu phố 1,{nfd('Có')}\n", issue=True)
    assert refused.status_code == 422
    assert refused.json["errors"] == [
        {"loc": ["rows", 0, "draft"], "msg": "Dòng 2: Bản dự thảo không được vào sổ"}
    ]
    # "không" reads as no: the row is issued.
    accepted = upload(client, "unit.name,draft\nKhu phố 1,không\nKhu phố 2,khong\n", issue=True)
    assert accepted.status_code == 202, accepted.json
    assert accepted.json["total"] == 2
    # "x" reads as yes: a preview batch takes drafts.
    preview = upload(client, "unit.name,draft\nKhu phố 3,x\n", issue=False)
    assert preview.status_code == 202, preview.json
