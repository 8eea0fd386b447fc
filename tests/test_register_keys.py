"""API keys: hashed at rest, authenticated, scoped to agencies by role."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from service.db import Database
from service.errors import Forbidden, InvalidData, NotFound, UnknownAgency
from service.register import (
    authenticate,
    can_access,
    create_key,
    issue,
    last_number,
    list_keys,
    revoke_key,
)
from service.register.keys import find_key
from service.register.models import ApiKey, AuditRow
from tests.dbfixtures import *  # noqa: F403  (the database fixtures)
from tests.dbfixtures import example_data


def test_only_the_hash_is_stored_and_the_key_authenticates(seeded: Database) -> None:
    with seeded.session() as s:
        key_id, plaintext = create_key(s, "clerk", ["ubnd-bac-son"], label="Văn thư Bắc Sơn")
    assert plaintext.startswith("vb_") and len(plaintext) > 40
    with seeded.session() as s:
        row = s.scalar(select(ApiKey).where(ApiKey.id == key_id))
        assert row is not None
        assert row.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
        assert plaintext not in (row.prefix + row.key_hash)
        key = authenticate(s, plaintext)
        assert key is not None and key.id == key_id
        assert authenticate(s, plaintext + "x") is None
        assert authenticate(s, plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")) is None
        assert authenticate(s, "") is None
        assert authenticate(s, None) is None
        assert authenticate(s, "Bearer " + plaintext) is None


def test_the_api_read_of_a_key_on_its_connection_is_the_sessions(seeded: Database) -> None:
    # The API reads the key on an autocommit connection (on PostgreSQL with the
    # driver's cursor, service.db.fetch_all): every column as the ORM loads it.
    with seeded.session() as s:
        key_id, plaintext = create_key(s, "clerk", ["ubnd-bac-son", "bcd138-bimson"], label="Tổ 1")
        create_key(s, "admin")
    with seeded.session() as s:
        expected = authenticate(s, plaintext)
    with seeded.autocommit() as conn:
        got = authenticate(conn, plaintext)
        assert authenticate(conn, plaintext[:-2]) is None
    assert expected is not None and got is not None
    columns = [c.key for c in ApiKey.__table__.columns]
    assert [getattr(got, c) for c in columns] == [getattr(expected, c) for c in columns]
    assert got.agencies == ["ubnd-bac-son", "bcd138-bimson"] and got.label == "Tổ 1"
    assert got.created_at.tzinfo is not None or seeded.is_sqlite


def test_scope_by_role(seeded: Database) -> None:
    with seeded.session() as s:
        _cid, clerk_plain = create_key(s, "clerk", ["ubnd-bac-son", "bcd138-bimson"])
        _aid, admin_plain = create_key(s, "admin")
    with seeded.session() as s:
        clerk = authenticate(s, clerk_plain)
        admin = authenticate(s, admin_plain)
    assert clerk is not None and admin is not None
    assert can_access(clerk, "ubnd-bac-son") and can_access(clerk, "bcd138-bimson")
    assert not can_access(clerk, "ubnd-bimson")
    assert can_access(admin, "ubnd-bimson") and can_access(admin, "any-agency")


def test_revoked_key_no_longer_authenticates(seeded: Database) -> None:
    with seeded.session() as s:
        key_id, plaintext = create_key(s, "admin")
    with seeded.session() as s:
        revoke_key(s, key_id, actor="admin")
    with seeded.session() as s:
        assert authenticate(s, plaintext) is None
        assert [k.id for k in list_keys(s)] == [key_id]


def test_a_key_is_found_by_its_secret_and_revoked_once_with_its_reason(seeded: Database) -> None:
    with seeded.session() as s:
        key_id, plaintext = create_key(s, "clerk", ["ubnd-bac-son"])
        other_id, other = create_key(s, "admin")
    with seeded.session() as s:
        assert find_key(s, key_id).id == key_id
        assert find_key(s, plaintext).id == key_id
        with pytest.raises(NotFound) as missing:
            find_key(s, plaintext + "x")
        assert plaintext not in missing.value.detail  # a secret is never echoed whole
        revoke_key(s, plaintext, actor="cli", reason="Lộ khóa ")
    with seeded.session() as s:
        assert find_key(s, plaintext).revoked_at is not None  # still found, revoked
        revoke_key(s, key_id, actor="cli", reason="lần hai")  # no change, no audit row
        rows = s.scalars(select(AuditRow).where(AuditRow.action == "key.revoke")).all()
        assert [(r.actor, r.detail) for r in rows] == [
            (
                "cli",
                {"key": key_id, "role": "clerk", "agencies": ["ubnd-bac-son"], "reason": "Lộ khóa"},
            )
        ]
        assert authenticate(s, plaintext) is None
        assert authenticate(s, other) is not None
        assert find_key(s, other_id).revoked_at is None
        with pytest.raises(NotFound):
            revoke_key(s, "khong-co")


@pytest.mark.parametrize(
    ("role", "agencies", "error"),
    [
        ("owner", ["ubnd-bac-son"], InvalidData),
        ("clerk", [], InvalidData),
        ("clerk", ["khong-co"], UnknownAgency),
    ],
)
def test_bad_keys_are_refused(
    seeded: Database, role: str, agencies: list[str], error: type[Exception]
) -> None:
    with pytest.raises(error), seeded.session() as s:
        create_key(s, role, agencies)


def test_issue_checks_the_key_scope(seeded: Database) -> None:
    with seeded.session() as s:
        _id, plaintext = create_key(s, "clerk", ["ubnd-bac-son"])
    data = example_data("bao-cao")  # agency bcd138-bimson
    with pytest.raises(Forbidden) as info, seeded.session() as s:
        key = authenticate(s, plaintext)
        issue(s, template_id="bao-cao", data=data, actor="k", key=key)
    assert info.value.status == 403
    with seeded.session() as s:
        assert last_number(s, "bcd138-bimson", "van-ban-di", 2018) == 0
        key = authenticate(s, plaintext)
        data = example_data("quyet-dinh-cong-nhan")
        doc = issue(s, template_id="quyet-dinh-cong-nhan", data=data, actor="k", key=key).document
    assert doc.number == 1
