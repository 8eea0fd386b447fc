"""Issuing into the register, idempotency, stored files, revocation, failed rows."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from service.db import Database
from service.errors import (
    AlreadyRevoked,
    DocumentNotFound,
    IdempotencyConflict,
    InvalidData,
    RegisterConflict,
    UnsupportedType,
)
from service.register import (
    DatabaseStorage,
    IssueResult,
    allocate,
    audit_for,
    document_dict,
    get_document,
    get_file,
    issue,
    issue_reserved,
    last_number,
    put_agency,
    record_failed,
    reserve_block,
    revoke,
)
from service.register.models import Document, new_id
from tests import docx_utils
from tests.dbfixtures import *  # noqa: F403  (the database fixtures)
from tests.dbfixtures import config_agencies, example_data

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _issue(
    db: Database, template: str = "bao-cao", key: str | None = None, **data: object
) -> IssueResult:
    with db.session() as s:
        return issue(
            s,
            template_id=template,
            data=example_data(template, **data),
            actor="clerk-1",
            idempotency_key=key,
        )


def test_issue_returns_the_api_shape(seeded: Database) -> None:
    result = _issue(seeded)
    assert result.created
    with seeded.session() as s:
        body = document_dict(get_document(s, result.document.id))
    assert body["id"] == result.document.id and len(body["id"]) == 32
    expected = {
        "agency": "bcd138-bimson",
        "book": "van-ban-di",
        "year": 2018,
        "number": 1,
        "symbol": "01/BC-BCĐ",
        "date": "2018-07-27",
        "template": "bao-cao",
        "signer": "Mai Đình Lâm",
        "status": "issued",
        "files": {"docx": f"/api/v1/documents/{body['id']}/file?format=docx"},
    }
    assert {k: body[k] for k in expected} == expected
    assert body["summary"].startswith("Tổng kết 10 năm")
    assert set(body["sha256"]) == {"docx"} and len(body["sha256"]["docx"]) == 64


def test_stored_file_is_byte_identical_and_seen_by_another_host(
    seeded: Database, db_url: str, make_database: Callable[[str], Database]
) -> None:
    doc = _issue(seeded).document
    other_host = make_database(db_url)
    with other_host.session() as s:
        first = get_file(s, doc.id, "docx")
        body = document_dict(get_document(s, doc.id))
    with seeded.session() as s:
        second = get_file(s, doc.id, "docx")
    assert first.content == second.content
    assert first.media_type == DOCX
    assert hashlib.sha256(first.content).hexdigest() == body["sha256"]["docx"] == first.sha256
    assert first.filename == "01-BC-BCĐ-2018-07-27.docx"
    assert first.ascii_filename == "01-bc-bcd-2018-07-27.docx"
    with seeded.session() as s:
        assert DatabaseStorage().get(s, "nope", "docx") is None


def test_number_is_part_of_the_rendered_symbol(seeded: Database) -> None:
    _issue(seeded)
    doc = _issue(seeded).document
    with seeded.session() as s:
        text = docx_utils.text(get_file(s, doc.id, "docx").content)
    assert "Số: 02/BC-BCĐ" in text


def test_gcn_goes_to_its_own_book(seeded: Database) -> None:
    qd = _issue(seeded, "quyet-dinh-cong-nhan").document
    gcn = _issue(seeded, "giay-cong-nhan").document
    assert (qd.book_id, qd.number) == ("van-ban-di", 1)
    assert (gcn.book_id, gcn.number, gcn.symbol[:3]) == ("giay-cong-nhan", 1, "01/")


def test_pdf_formats_store_the_docx_now(seeded: Database) -> None:
    # The number never waits for LibreOffice: PDFs are made after the commit (service.pdf.jobs).
    with seeded.session() as s:
        doc = issue(
            s,
            template_id="bao-cao",
            data=example_data("bao-cao"),
            formats=["docx", "pdf", "pdfa"],
            actor="a",
        ).document
        assert (doc.number, [f.format for f in doc.files]) == (1, ["docx"])


@pytest.mark.parametrize(
    ("formats", "loc"), [(["odt"], ["formats", 0]), ([], ["formats"]), ("docx", ["formats"])]
)
def test_bad_formats_are_422(seeded: Database, formats: object, loc: list[object]) -> None:
    with pytest.raises(InvalidData) as info, seeded.session() as s:
        issue(s, template_id="bao-cao", data=example_data("bao-cao"), formats=formats, actor="a")  # type: ignore[arg-type]
    assert info.value.errors[0]["loc"] == loc


def test_inline_issuer_cannot_be_registered(seeded: Database) -> None:
    data = example_data("bao-cao")
    del data["agency"]
    data["issuer"] = {"name": "BAN CHỈ ĐẠO 138", "abbreviation": "BCĐ", "place": "Bỉm Sơn"}
    with pytest.raises(InvalidData) as info, seeded.session() as s:
        issue(s, template_id="bao-cao", data=data, actor="a")
    assert info.value.status == 422
    assert info.value.errors[0]["loc"] == ["data", "agency"]


@pytest.mark.parametrize(
    ("extra", "loc"), [({"draft": True}, ["data", "draft"]), ({"number": 7}, ["data", "number"])]
)
def test_drafts_and_given_numbers_are_refused(
    seeded: Database, extra: dict[str, object], loc: list[str]
) -> None:
    with pytest.raises(InvalidData) as info, seeded.session() as s:
        issue(s, template_id="bao-cao", data=example_data("bao-cao", **extra), actor="a")
    assert info.value.errors[0]["loc"] == loc


def test_agency_without_a_book_for_the_type_is_422(seeded: Database) -> None:
    agency = config_agencies().get("ubnd-bac-son")
    only_gcn = agency.model_copy(update={"books": [agency.books[1]]})
    with seeded.session() as s:
        put_agency(s, only_gcn, "admin")
    with pytest.raises(UnsupportedType) as info, seeded.session() as s:
        issue(
            s,
            template_id="quyet-dinh-cong-nhan",
            data=example_data("quyet-dinh-cong-nhan"),
            actor="a",
        )
    assert info.value.status == 422


def test_same_key_same_body_returns_the_same_document(seeded: Database) -> None:
    first = _issue(seeded, key="k-1")
    again = _issue(seeded, key="k-1")
    assert first.created and not again.created
    assert again.document.id == first.document.id and again.document.number == 1
    assert _issue(seeded, key="k-2").document.number == 2


def test_same_key_different_body_is_409_and_takes_no_number(seeded: Database) -> None:
    _issue(seeded, key="k-1")
    with pytest.raises(IdempotencyConflict) as info:
        _issue(seeded, key="k-1", summary="Một trích yếu khác")
    assert info.value.status == 409
    with seeded.session() as s:
        assert last_number(s, "bcd138-bimson", "van-ban-di", 2018) == 1


def test_keys_are_scoped_by_actor(seeded: Database) -> None:
    data = example_data("bao-cao")
    with seeded.session() as s:
        a = issue(s, template_id="bao-cao", data=data, actor="clerk-a", idempotency_key="k")
        b = issue(s, template_id="bao-cao", data=data, actor="clerk-b", idempotency_key="k")
    assert (a.document.number, b.document.number) == (1, 2)


def test_concurrent_twins_get_one_document(
    seeded: Database, db_url: str, make_database: Callable[[str], Database]
) -> None:
    barrier = threading.Barrier(4)

    def twin(db: Database) -> IssueResult:
        barrier.wait()
        return _issue(db, key="same-key")

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(twin, [make_database(db_url) for _ in range(4)]))
    assert len({r.document.id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert _issue(seeded).document.number == 2


@pytest.mark.parametrize("numbered", [False, True], ids=["first-of-book", "book-numbered"])
def test_racing_key_with_another_body_is_409_without_a_hole(
    seeded: Database, db_url: str, make_database: Callable[[str], Database], numbered: bool
) -> None:
    # The first request (a GCN, its own book) is flushed but not committed when the
    # second (a QĐ, another book, same key) starts: the second must end in 409.
    # Its book numbered already, the second claims its number in the one statement
    # that writes it (PostgreSQL); that statement hits the first's key, fails as a
    # whole and takes nothing. First of its book, it takes the number under the row
    # lock, and its rollback gives it back.
    before = 0
    if numbered:
        before = _issue(seeded, "quyet-dinh-cong-nhan").document.number

    def second(db: Database) -> IssueResult:
        return _issue(db, "quyet-dinh-cong-nhan", key="race")

    first = seeded.sessions()
    try:
        first.execute(select(1))  # an open transaction: the first stays uncommitted
        data = example_data("giay-cong-nhan")
        issue(
            first, template_id="giay-cong-nhan", data=data, actor="clerk-1", idempotency_key="race"
        )
        first.flush()
        with ThreadPoolExecutor(1) as pool:
            future = pool.submit(second, make_database(db_url))
            time.sleep(0.5)  # let it block on the first transaction
            first.commit()
            with pytest.raises(IdempotencyConflict):
                future.result(timeout=60)
    finally:
        first.close()
    with seeded.session() as s:
        assert last_number(s, "ubnd-bac-son", "van-ban-di", 2024) == before
        assert last_number(s, "ubnd-bac-son", "giay-cong-nhan", 2024) == 1
    assert _issue(seeded, "quyet-dinh-cong-nhan").document.number == before + 1


def test_revoke_keeps_the_number_and_twice_is_409(seeded: Database) -> None:
    doc = _issue(seeded).document
    with pytest.raises(InvalidData), seeded.session() as s:
        revoke(s, doc.id, "   ", "admin")
    with seeded.session() as s:
        revoke(s, doc.id, "Ban hành nhầm đối tượng", "admin")
    with pytest.raises(AlreadyRevoked) as info, seeded.session() as s:
        revoke(s, doc.id, "Lần nữa", "admin")
    assert info.value.status == 409
    with seeded.session() as s:
        body = document_dict(get_document(s, doc.id), audit_rows=audit_for(s, doc.id))
    assert body["status"] == "revoked"
    assert body["revoked_reason"] == "Ban hành nhầm đối tượng"
    assert body["revoked_at"].endswith("Z")
    assert [a["action"] for a in body["audit"]] == ["issue", "revoke"]
    assert _issue(seeded).document.number == 2


def test_unknown_document_is_404(seeded: Database) -> None:
    with pytest.raises(DocumentNotFound) as info, seeded.session() as s:
        get_document(s, "0" * 32)
    assert info.value.status == 404


def test_reserved_numbers_and_failed_rows_leave_no_hole(seeded: Database) -> None:
    agency, book = "ubnd-bac-son", "giay-cong-nhan"
    with seeded.session() as s:
        first = reserve_block(s, agency, book, 2018, 3)
    assert first == 1
    data = example_data("giay-cong-nhan", date="2018-08-01")
    with seeded.session() as s:
        issue_reserved(s, number=1, template_id="giay-cong-nhan", data=data, actor="batch")
        record_failed(
            s,
            agency_id=agency,
            book_id=book,
            year=2018,
            number=2,
            template_id="giay-cong-nhan",
            reason="Thiếu tên đơn vị",
            actor="batch",
            data={"summary": "Khu dân cư số 5", "date": "2018-08-01"},
        )
        issue_reserved(s, number=3, template_id="giay-cong-nhan", data=data, actor="batch")
    with pytest.raises(RegisterConflict), seeded.session() as s:
        issue_reserved(s, number=3, template_id="giay-cong-nhan", data=data, actor="batch")
    with pytest.raises(RegisterConflict), seeded.session() as s:
        issue_reserved(s, number=4, template_id="giay-cong-nhan", data=data, actor="batch")
    with seeded.session() as s:
        rows = s.execute(
            select(Document.number, Document.status).where(Document.book_id == book)
        ).all()
        failed = s.scalar(select(Document).where(Document.status == "failed"))
        assert failed is not None
        assert document_dict(failed)["error"] == "Thiếu tên đơn vị"
        assert allocate(s, agency, book, 2018) == 4
        assert s.scalar(select(func.count(Document.id))) == 3
    assert sorted(rows) == [(1, "issued"), (2, "failed"), (3, "issued")]


def test_ids_are_uuid7_in_creation_order(seeded: Database) -> None:
    first = _issue(seeded).document.id
    time.sleep(0.002)
    second = _issue(seeded).document.id
    time.sleep(0.002)
    ids = [first, second, *(new_id() for _ in range(1000))]
    parsed = [uuid.UUID(hex=i) for i in ids]
    assert {(u.version, u.variant) for u in parsed} == {(7, uuid.RFC_4122)}
    assert first < second < min(ids[2:])  # later ms, larger id: the pk index grows at its edge
    assert len(set(ids)) == len(ids)
    millis = int(second[:12], 16)
    assert abs(millis / 1000 - time.time()) < 60
