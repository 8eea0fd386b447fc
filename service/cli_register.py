"""CLI commands of the register: ``db upgrade``, ``agencies load``, ``keys create|list|revoke``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from service import db, vn
from service.agencies import InvalidAgencies, parse_agencies
from service.errors import InvalidData, VanbanError


@click.group("db")
def db_group() -> None:
    """Cơ sở dữ liệu sổ văn bản."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Nâng cấp lược đồ lên bản mới nhất và nạp cơ quan từ tệp cấu hình (khi còn trống)."""
    from service.register.setup import prepare_database

    seeded = prepare_database(current_app)
    click.echo(f"Cơ sở dữ liệu đã ở bản mới nhất; nạp {seeded} cơ quan.")


@click.group("agencies")
def agencies_group() -> None:
    """Cơ quan ban hành và sổ văn bản."""


@agencies_group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def agencies_load(file: str) -> None:
    """Nạp (thêm hoặc thay thế) các cơ quan trong tệp YAML/JSON FILE.

    Cùng quy tắc với API: tệp có lỗi thì không nạp cơ quan nào.
    """
    from service.cli import _fail
    from service.register import put_agency

    try:
        items = parse_agencies(Path(file).read_text(encoding="utf-8"), source=file)
    except InvalidAgencies as exc:
        _fail(InvalidData(exc.problems, detail=f"{file}: {len(exc.problems)} lỗi"))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    done = []
    try:
        with db.current().session() as session:  # one transaction: all or nothing
            for n, agency in enumerate(items):
                try:
                    created = put_agency(session, agency, actor="cli")
                except VanbanError as exc:
                    # Where in the file: the API's locs, under the agency's index.
                    exc.errors = [{**e, "loc": [n, *e.get("loc", [])]} for e in exc.errors]
                    raise
                done.append(f"{'Thêm' if created else 'Thay'} {agency.id}: {agency.name}")
    except VanbanError as exc:
        _fail(exc)
    for line in done:
        click.echo(line)


def _scope(agencies: list[str] | None) -> str:
    return ", ".join(agencies or []) or "mọi cơ quan"


@click.group("keys")
def keys_group() -> None:
    """Khóa API."""


@keys_group.command("create")
@click.option("--role", type=click.Choice(["clerk", "admin"]), required=True)
@click.option("--agency", "agency_ids", multiple=True, help="Mã cơ quan (nhiều lần được).")
@click.option("--label", default=None, help="Ghi chú cho khóa.")
@with_appcontext
def keys_create(role: str, agency_ids: tuple[str, ...], label: str | None) -> None:
    """Tạo khóa API; khóa chỉ in ra một lần, ở dòng cuối."""
    from service.register import create_key

    try:
        with db.current().session() as session:
            key_id, plaintext = create_key(
                session, role, list(agency_ids), label=label, actor="cli"
            )
    except VanbanError as exc:
        problems = "; ".join(str(e.get("msg")) for e in exc.errors) or exc.detail
        raise click.ClickException(problems) from None
    click.echo(f"Khóa {key_id} ({role}) cho: {_scope(list(agency_ids))}")
    click.echo("Lưu khóa sau ngay bây giờ, nó không được in lại:")
    click.echo(plaintext)


@keys_group.command("list")
@with_appcontext
def keys_list() -> None:
    """Liệt kê các khóa API (mã, tiền tố, vai trò, cơ quan, trạng thái); không in khóa."""
    from service.register import list_keys

    with db.current().session() as session:
        keys = list_keys(session)
    if not keys:
        click.echo("Chưa có khóa API nào.")
        return
    click.echo("Mã khóa\tTiền tố\tVai trò\tCơ quan\tTạo lúc\tTrạng thái\tGhi chú")
    for key in keys:
        state = f"đã thu hồi {vn.local_time(key.revoked_at)}" if key.revoked_at else "đang dùng"
        created = vn.local_time(key.created_at)
        click.echo(
            f"{key.id}\t{key.prefix}…\t{key.role}\t{_scope(key.agencies)}\t{created}\t"
            f"{state}\t{key.label or ''}"
        )


@keys_group.command("revoke")
@click.argument("key")
@click.option("--reason", default=None, help="Lý do thu hồi (ghi vào nhật ký).")
@with_appcontext
def keys_revoke(key: str, reason: str | None) -> None:
    """Thu hồi khóa KEY (mã khóa, hoặc chính khóa): từ yêu cầu sau, khóa bị từ chối (401)."""
    from service.register import revoke_key
    from service.register.keys import find_key

    try:
        with db.current().session() as session:
            found = find_key(session, key)
            before = found.revoked_at
            revoked = revoke_key(session, found.id, actor="cli", reason=reason)
            key_id, role, agencies, at = (
                revoked.id,
                revoked.role,
                revoked.agencies,
                revoked.revoked_at,
            )
    except VanbanError as exc:
        raise click.ClickException(exc.detail) from None
    assert at is not None
    if before is not None:
        click.echo(f"Khóa {key_id} đã bị thu hồi từ trước, lúc {vn.local_time(at)}.")
        return
    click.echo(f"Đã thu hồi khóa {key_id} ({role}, {_scope(agencies)}) lúc {vn.local_time(at)}.")
