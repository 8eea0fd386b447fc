"""CLI commands of the register: ``vanban db upgrade``, ``agencies load``, ``keys create``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from service import db
from service.agencies import parse_agencies
from service.errors import VanbanError


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
    """Nạp (thêm hoặc thay thế) các cơ quan trong tệp YAML/JSON FILE."""
    from service.register import put_agency

    try:
        items = parse_agencies(Path(file).read_text(encoding="utf-8"), source=file)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    with db.current().session() as session:
        for agency in items:
            created = put_agency(session, agency, actor="cli")
            click.echo(f"{'Thêm' if created else 'Thay'} {agency.id}: {agency.name}")


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
    click.echo(f"Khóa {key_id} ({role}) cho: {', '.join(agency_ids) or 'mọi cơ quan'}")
    click.echo("Lưu khóa sau ngay bây giờ, nó không được in lại:")
    click.echo(plaintext)
