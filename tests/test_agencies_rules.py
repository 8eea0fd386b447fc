"""Rules of an agency's books (POST/PUT /api/v1/agencies, ``vanban agencies load``).

Every book is needed to say which sequence numbers a document: ids unique, at
least one book, one book per type code, codes as written in symbols. And a
change of books must never let a number be given twice in a book's year.
"""

from __future__ import annotations

import copy
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service import db, templates
from service.agencies import InvalidAgencies, parse_agencies
from service.cli import cli
from service.register import reserve_block
from service.register.models import AuditRow, BookRow

PROBLEM = "application/problem+json"
AGENCY = "bcd138-bimson"  # books: van-ban-di ["*"], giay-cong-nhan ["GCN"]


def new_agency(books: list[dict[str, Any]], agency_id: str = "ubnd-ba-dinh") -> dict[str, Any]:
    return {
        "id": agency_id,
        "name": "ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH",
        "abbreviation": "UBND",
        "place": "Ba Đình",
        "books": books,
        "signers": [{"title": "Chủ tịch", "name": "Nguyễn Văn Bình"}],
    }


def book(book_id: str, types: list[str], name: str = "Sổ văn bản") -> dict[str, Any]:
    return {"id": book_id, "name": name, "types": types}


def issue(client: FlaskClient, template_id: str, **changes: Any) -> Any:
    data = copy.deepcopy(templates.get(template_id).example())
    data.update(changes)
    response = client.post("/api/v1/documents", json={"template": template_id, "data": data})
    assert response.status_code == 201, response.json
    return response.json


def problem(response: Any, status: int, title: str) -> dict[str, Any]:
    """The problem+json body of ``response``, checked for shape and Vietnamese NFC text."""
    assert response.status_code == status, response.json
    assert response.content_type == PROBLEM
    body: dict[str, Any] = response.json
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert (body["title"], body["status"]) == (title, status)
    texts = [body["detail"], *(e["msg"] for e in body.get("errors", []))]
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)
    return body


def invalid(response: Any) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = problem(response, 422, "Dữ liệu không hợp lệ")["errors"]
    return errors


def stored(app: Flask) -> tuple[list[tuple[str, str, str, list[str]]], int]:
    """Every stored book and the number of agency changes audited."""
    with app.app_context(), db.current().session() as session:
        books = session.execute(
            select(BookRow.agency_id, BookRow.id, BookRow.name, BookRow.types).order_by(
                BookRow.agency_id, BookRow.position
            )
        ).all()
        audited = session.scalar(
            select(func.count()).select_from(AuditRow).where(AuditRow.action.like("agency.%"))
        )
    return [(a, b, n, list(t)) for a, b, n, t in books], int(audited or 0)


def agency(client: FlaskClient, agency_id: str = AGENCY) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/api/v1/agencies/{agency_id}").json
    return body


# 1. Duplicate book ids


def test_duplicate_book_id_is_422_not_500(app: Flask, client: FlaskClient) -> None:
    before = stored(app)
    body = new_agency([book("a", ["*"], "Sổ x"), book("a", ["QĐ"], "Sổ y")])
    errors = invalid(client.post("/api/v1/agencies", json=body))
    assert [e["loc"] for e in errors] == [["books", 1, "id"]]
    assert errors[0]["msg"].startswith("Mã sổ 'a' trùng với sổ thứ 1")
    assert errors[0]["type"] == "book_id_duplicate"
    assert client.get("/api/v1/agencies/ubnd-ba-dinh").status_code == 404
    replaced = {**agency(client), "books": body["books"]}
    errors = invalid(client.put(f"/api/v1/agencies/{AGENCY}", json=replaced))
    assert [e["loc"] for e in errors] == [["books", 1, "id"]]
    assert stored(app) == before


# 2. An agency without a book


def test_agency_without_books_is_422_on_post_and_put(app: Flask, client: FlaskClient) -> None:
    before = stored(app)
    errors = invalid(client.post("/api/v1/agencies", json=new_agency([])))
    assert errors == [
        {
            "loc": ["books"],
            "msg": "Cơ quan phải có ít nhất một sổ văn bản (không có sổ thì không cấp số được)",
            "type": "books_empty",
        }
    ]
    errors = invalid(client.put(f"/api/v1/agencies/{AGENCY}", json={**agency(client), "books": []}))
    assert [e["loc"] for e in errors] == [["books"]]
    assert stored(app) == before
    # Leaving "books" out still gives the default book, as before.
    without = new_agency([])
    del without["books"]
    created = client.post("/api/v1/agencies", json=without)
    assert created.status_code == 201
    assert created.json["books"] == [book("van-ban-di", ["*"], "Sổ văn bản đi")]


# 3. Ambiguous coverage and malformed type codes


@pytest.mark.parametrize(
    ("books", "loc", "start"),
    [
        (
            [book("a", ["*"]), book("b", ["*"])],
            ["books", 1, "types", 0],
            "Sổ 'a' đã nhận mọi loại văn bản còn lại ('*'); chỉ một sổ được như vậy",
        ),
        (
            [book("a", ["KH", "BC"]), book("b", ["QĐ", "KH"])],
            ["books", 1, "types", 1],
            "Loại KH đã thuộc sổ 'a'; mỗi loại văn bản chỉ thuộc một sổ",
        ),
        (
            [book("a", ["*", "KH"]), book("b", ["KH"])],
            ["books", 1, "types", 0],
            "Loại KH đã thuộc sổ 'a'",
        ),
        ([book("a", ["KH", "KH"])], ["books", 0, "types", 1], "Loại 'KH' đã có trong sổ này"),
        ([book("a", ["*", ""])], ["books", 0, "types", 1], "Ký hiệu loại văn bản không được để"),
        ([book("a", ["*", "  "])], ["books", 0, "types", 1], "Ký hiệu loại văn bản không được để"),
        ([book("a", ["K H"])], ["books", 0, "types", 0], "Ký hiệu loại văn bản không được chứa"),
    ],
)
def test_ambiguous_or_empty_types_are_422(
    app: Flask, client: FlaskClient, books: list[dict[str, Any]], loc: list[Any], start: str
) -> None:
    before = stored(app)
    errors = invalid(client.post("/api/v1/agencies", json=new_agency(books)))
    assert [e["loc"] for e in errors] == [loc]
    assert errors[0]["msg"].startswith(start), errors[0]["msg"]
    errors = invalid(
        client.put(f"/api/v1/agencies/{AGENCY}", json={**agency(client), "books": books})
    )
    assert [e["loc"] for e in errors] == [loc]
    assert stored(app) == before


@pytest.mark.parametrize(
    ("code", "hint"),
    [("kh", "KH"), ("Kh", "KH"), ("qđ", "QĐ"), ("ttr", "TTr"), ("QYĐ-x", "QYĐ-X"), ("K/H", None)],
)
def test_lowercase_type_codes_are_refused_with_a_hint(
    client: FlaskClient, code: str, hint: str | None
) -> None:
    errors = invalid(client.post("/api/v1/agencies", json=new_agency([book("a", ["*", code])])))
    assert [e["loc"] for e in errors] == [["books", 0, "types", 1]]
    message = errors[0]["msg"]
    assert message.startswith(f"Ký hiệu loại văn bản {code!r} không hợp lệ: viết như trong")
    assert message.endswith(f"; có phải {hint!r}?" if hint else "ví dụ QĐ, KH, GCN)")


def test_catch_all_beside_specific_books_and_official_codes_are_accepted(
    client: FlaskClient,
) -> None:
    books = [
        book("van-ban-di", ["*"]),
        book("giay-cong-nhan", ["GCN"]),
        book("to-trinh", ["TTr", "QyĐ", "BC-TK"]),
        book("mat", [unicodedata.normalize("NFD", " MẬT ")]),
    ]
    created = client.post("/api/v1/agencies", json=new_agency(books))
    assert created.status_code == 201, created.json
    assert [b["types"] for b in created.json["books"]] == [
        ["*"],
        ["GCN"],
        ["TTr", "QyĐ", "BC-TK"],
        ["MẬT"],
    ]
    assert agency(client, "ubnd-ba-dinh")["books"][3]["types"] == ["MẬT"]
    gcn = issue(client, "giay-cong-nhan", agency="ubnd-ba-dinh")
    kh = issue(client, "ke-hoach", agency="ubnd-ba-dinh", signer=None)
    assert (gcn["book"], kh["book"]) == ("giay-cong-nhan", "van-ban-di")


def test_seeded_configuration_keeps_its_books(client: FlaskClient) -> None:
    for item in client.get("/api/v1/agencies").json["items"]:
        response = client.put(f"/api/v1/agencies/{item['id']}", json=item)
        assert response.status_code == 200, response.json


# 4. Changing the books of an agency with documents


def test_dropping_a_book_that_holds_documents_is_409(app: Flask, client: FlaskClient) -> None:
    first = issue(client, "ke-hoach")
    issue(client, "bao-cao")
    assert (first["book"], first["symbol"]) == ("van-ban-di", "01/KH-BCĐ")
    before = stored(app)
    current = agency(client)
    current["books"] = [book("so-moi", ["*"], "Sổ mới"), current["books"][1]]
    body = problem(client.put(f"/api/v1/agencies/{AGENCY}", json=current), 409, "Xung đột")
    message = (
        "Không bỏ được sổ 'van-ban-di' (Sổ văn bản đi): sổ đang có 2 văn bản; số đã cấp "
        "trong sổ không được cấp lại. Giữ sổ này trong danh sách (được đổi tên sổ)"
    )
    assert body["errors"] == [{"loc": ["books"], "msg": message, "type": "book_in_use"}]
    assert body["detail"] == f"Không thay được sổ của cơ quan {AGENCY}: {message}"
    assert stored(app) == before
    register = client.get(f"/api/v1/registers/{AGENCY}?book=van-ban-di&year=2018")
    assert register.status_code == 200 and register.json["total"] == 2
    assert issue(client, "ke-hoach")["symbol"] == "03/KH-BCĐ"


def test_dropping_a_book_with_numbers_reserved_for_a_batch_is_409(
    app: Flask, client: FlaskClient
) -> None:
    """Numbers a batch reserved become documents later: the book must still be there."""
    with app.app_context(), db.current().session() as session:
        reserve_block(session, "ubnd-bac-son", "giay-cong-nhan", 2024, 3)
    before = stored(app)
    current = agency(client, "ubnd-bac-son")
    current["books"] = current["books"][:1]
    response = client.put("/api/v1/agencies/ubnd-bac-son", json=current)
    errors = problem(response, 409, "Xung đột")["errors"]
    assert [e["msg"] for e in errors] == [
        "Không bỏ được sổ 'giay-cong-nhan' (Sổ cấp giấy công nhận): sổ đã cấp 3 số (văn bản "
        "đang phát hành); số đã cấp trong sổ không được cấp lại. Giữ sổ này trong danh sách "
        "(được đổi tên sổ)"
    ]
    assert stored(app) == before


def test_a_book_without_documents_may_go_and_a_book_may_be_renamed(
    app: Flask, client: FlaskClient
) -> None:
    issue(client, "ke-hoach")
    current = agency(client)
    current["books"] = [{**current["books"][0], "name": "Sổ đăng ký văn bản đi"}]  # no GCN book
    response = client.put(f"/api/v1/agencies/{AGENCY}", json=current)
    assert response.status_code == 200, response.json
    assert agency(client)["books"] == [book("van-ban-di", ["*"], "Sổ đăng ký văn bản đi")]
    following = issue(client, "ke-hoach")
    assert (following["book"], following["symbol"]) == ("van-ban-di", "02/KH-BCĐ")


def test_moving_a_type_with_documents_to_another_book_is_409(
    app: Flask, client: FlaskClient
) -> None:
    issue(client, "ke-hoach")
    before = stored(app)
    current = agency(client)
    current["books"].append(book("ke-hoach", ["KH"], "Sổ kế hoạch"))
    body = problem(client.put(f"/api/v1/agencies/{AGENCY}", json=current), 409, "Xung đột")
    message = (
        "Không chuyển được loại KH sang sổ 'ke-hoach' (Sổ kế hoạch): loại này đã có 1 văn bản "
        "trong sổ 'van-ban-di' (Sổ văn bản đi), sổ kia sẽ cấp lại những số đã dùng trong cùng năm"
    )
    assert body["errors"] == [{"loc": ["books", 2, "types"], "msg": message, "type": "type_moved"}]
    assert stored(app) == before
    # Another type (no documents yet) may have a book of its own.
    current["books"][2] = book("bao-cao", ["BC"], "Sổ báo cáo")
    assert client.put(f"/api/v1/agencies/{AGENCY}", json=current).status_code == 200
    assert issue(client, "bao-cao")["book"] == "bao-cao"
    assert issue(client, "ke-hoach")["symbol"] == "02/KH-BCĐ"


def test_a_type_taken_out_then_given_to_another_book_is_409(
    app: Flask, client: FlaskClient
) -> None:
    """Two steps (no book for KH, then a new one) must not reach a second 01/KH."""
    issue(client, "ke-hoach")
    current = agency(client)
    current["books"] = [book("van-ban-di", ["BC", "QĐ"], "Sổ văn bản đi"), current["books"][1]]
    assert client.put(f"/api/v1/agencies/{AGENCY}", json=current).status_code == 200
    current["books"].append(book("ke-hoach", ["KH"], "Sổ kế hoạch"))
    body = problem(client.put(f"/api/v1/agencies/{AGENCY}", json=current), 409, "Xung đột")
    assert [e["type"] for e in body["errors"]] == ["type_moved"]
    # Given back to its own book, KH continues its numbering.
    current["books"][0]["types"] = ["*"]
    current["books"].pop()
    assert client.put(f"/api/v1/agencies/{AGENCY}", json=current).status_code == 200
    assert issue(client, "ke-hoach")["symbol"] == "02/KH-BCĐ"


# The command line: the same rules, Vietnamese messages, a non-zero exit, nothing loaded.


def test_cli_load_refuses_unusable_books(app: Flask, tmp_path: Path) -> None:
    before = stored(app)
    source = tmp_path / "agencies.json"
    good = new_agency([book("van-ban-di", ["*"])], "ubnd-lam-son")
    bad = new_agency([book("a", ["*"]), book("a", ["kh"])])
    source.write_text(json.dumps([good, bad], ensure_ascii=False), encoding="utf-8")
    result = app.test_cli_runner().invoke(cli, ["agencies", "load", str(source)])
    assert result.exit_code == 2
    assert f"Lỗi: Dữ liệu không hợp lệ. {source}: 2 lỗi" in result.stderr
    assert "  - [1].books[1].id: Mã sổ 'a' trùng với sổ thứ 1" in result.stderr
    assert "  - [1].books[1].types[0]: Ký hiệu loại văn bản 'kh' không hợp lệ" in result.stderr
    assert result.stderr.count("Mã sổ 'a' trùng với sổ thứ 1") == 1
    assert result.stderr.count("Ký hiệu loại văn bản 'kh' không hợp lệ") == 1
    assert len(result.stderr.splitlines()) == 3  # the headline and one line per problem
    assert stored(app) == before


def test_cli_load_refuses_to_drop_a_book_with_documents(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    issue(client, "ke-hoach")
    before = stored(app)
    changed = agency(client)
    changed["books"] = [book("so-moi", ["*"], "Sổ mới")]
    source = tmp_path / "agencies.json"
    added = new_agency([book("van-ban-di", ["*"])], "ubnd-lam-son")
    source.write_text(json.dumps([added, changed], ensure_ascii=False), encoding="utf-8")
    result = app.test_cli_runner().invoke(cli, ["agencies", "load", str(source)])
    assert result.exit_code == 2
    message = (
        "Không bỏ được sổ 'van-ban-di' (Sổ văn bản đi): sổ đang có 1 văn bản; số đã cấp "
        "trong sổ không được cấp lại. Giữ sổ này trong danh sách (được đổi tên sổ)"
    )
    # The 409's detail repeats its items' messages; the command prints each one once.
    assert result.stderr.splitlines() == [
        "Lỗi: Xung đột. Không thay được sổ của cơ quan bcd138-bimson",
        f"  - [1].books: {message}",
    ]
    assert result.stderr.count("Không bỏ được sổ") == 1
    assert "Thêm" not in result.output
    assert stored(app) == before  # the first agency of the file was not loaded either


def test_cli_load_prints_each_conflict_once(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    """Two books in use: two items, each printed once, under the detail's own words."""
    with app.app_context(), db.current().session() as session:
        reserve_block(session, "ubnd-bac-son", "van-ban-di", 2024, 2)
        reserve_block(session, "ubnd-bac-son", "giay-cong-nhan", 2024, 3)
    before = stored(app)
    changed = agency(client, "ubnd-bac-son")
    changed["books"] = [book("so-moi", ["*"], "Sổ mới")]
    source = tmp_path / "agencies.json"
    source.write_text(json.dumps([changed], ensure_ascii=False), encoding="utf-8")
    result = app.test_cli_runner().invoke(cli, ["agencies", "load", str(source)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "Lỗi: Xung đột. Không thay được sổ của cơ quan ubnd-bac-son"
    assert [line.split(": ", 1)[0] for line in lines[1:]] == ["  - [0].books", "  - [0].books"]
    for held in ("'van-ban-di' (Sổ văn bản đi): sổ đã cấp 2 số", "'giay-cong-nhan' (Sổ cấp"):
        assert result.stderr.count(f"Không bỏ được sổ {held}") == 1
    assert result.stderr.count("số đã cấp trong sổ không được cấp lại") == 2
    assert stored(app) == before


def test_configuration_file_gets_the_same_rules() -> None:
    text = json.dumps([new_agency([book("a", ["*"]), book("b", ["*"])])], ensure_ascii=False)
    with pytest.raises(InvalidAgencies) as info:
        parse_agencies(text, source="co-quan.json")
    assert isinstance(info.value, ValueError)
    assert [p["loc"] for p in info.value.problems] == [[0, "books", 1, "types", 0]]
    assert str(info.value).startswith("co-quan.json: danh sách cơ quan không hợp lệ (1 lỗi):\n")
    with pytest.raises(InvalidAgencies, match=r"\[0\]\.books\[0\]\.id: Không đúng định dạng"):
        parse_agencies(json.dumps([new_agency([book("A", ["*"])])]), source="co-quan.json")
