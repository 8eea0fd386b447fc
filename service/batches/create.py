"""Accept a batch: validate every row, reserve one block of numbers, store it all at once.

Nothing is issued here. The batch, its rows (merged over ``common``) and the
reserved block are written in the caller's transaction; the caller commits and
only then enqueues ``batches.dispatch``. If the broker is down at that moment
the batch stays ``queued`` and the sweeper enqueues it later: accepted work is
never lost, and a refused batch (any invalid row) takes no number.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from service import documents, templates, vn
from service.agencies import AgencyDirectory
from service.batches.models import Batch, BatchRow
from service.errors import Forbidden, InvalidData, PayloadTooLarge
from service.register import audit, numbering
from service.register.issuing import check_formats
from service.register.keys import can_access
from service.register.models import ApiKey, utcnow
from service.register.records import get_document

log = logging.getLogger(__name__)

MAX_ERRORS = 1000  # errors listed in one 422; the detail gives the full count


@dataclass(frozen=True)
class NewBatch:
    """What a client asks for; ``lines`` are the rows' numbers as the clerk sees them."""

    template: str
    rows: Sequence[dict[str, Any]]
    common: dict[str, Any]
    issue: bool = False
    formats: Sequence[str] = ("docx",)
    parent: str | None = None
    callback_url: str | None = None
    source: str | None = None
    lines: Sequence[int] | None = None


def merge(common: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """``row`` over ``common``; nested objects merge key by key, lists are replaced."""
    out = dict(common)
    for key, value in row.items():
        base = out.get(key)
        out[key] = (
            merge(base, value) if isinstance(base, dict) and isinstance(value, dict) else value
        )
    return out


def _parent_defaults(
    session: Session, parent_id: str, template_id: str, common: dict[str, Any], directory: Any
) -> dict[str, Any]:
    """Fill ``agency``, ``decision`` and ``year`` of ``common`` from the issued parent."""
    parent = get_document(session, parent_id)
    if parent.status != "issued":
        msg = f"Văn bản căn cứ {parent.symbol} không còn hiệu lực (trạng thái: {parent.status})"
        raise InvalidData([{"loc": ["parent"], "msg": msg}])
    fields = templates.get(template_id).model.model_fields
    out = dict(common)
    out.setdefault("agency", parent.agency_id)
    if out["agency"] != parent.agency_id:
        msg = f"Văn bản căn cứ thuộc cơ quan {parent.agency_id}, không phải {out['agency']}"
        raise InvalidData([{"loc": ["parent"], "msg": msg}])
    if "decision" in fields and "decision" not in out and parent.date is not None:
        agency = directory.find(parent.agency_id)
        by = (agency.head or agency.name) if agency is not None else None
        ref = {"symbol": parent.symbol, "date": parent.date.isoformat(), "about": parent.summary}
        out["decision"] = {**ref, "by": by} if by else ref
    year = (parent.data or {}).get("year")
    if "year" in fields and "year" not in out and isinstance(year, int):
        out["year"] = year
    return out


def _row_errors(exc: InvalidData, index: int, line: int) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors:
        loc = list(err.get("loc", []))
        rest = loc[1:] if loc[:1] == ["data"] else loc
        out.append({"loc": ["rows", index, *rest], "msg": f"Dòng {line}: {err.get('msg', '')}"})
    return out


def _check_register(prepared: documents.Prepared, index: int, line: int) -> list[dict[str, Any]]:
    """What issuing refuses beyond the schema: no agency, a draft, a number given."""
    problems: list[tuple[str, str]] = []
    if prepared.agency is None:
        problems.append(("agency", "Văn bản vào sổ phải thuộc một cơ quan đã cấu hình (agency)"))
    if prepared.data.draft:
        problems.append(("draft", "Bản dự thảo không được vào sổ"))
    if prepared.data.number is not None:
        problems.append(("number", "Số văn bản do sổ cấp, không gửi kèm khi vào sổ"))
    return [{"loc": ["rows", index, k], "msg": f"Dòng {line}: {m}"} for k, m in problems]


def validate_rows(
    template_id: str,
    rows: Sequence[dict[str, Any]],
    directory: AgencyDirectory,
    *,
    issue: bool,
    lines: Sequence[int],
) -> tuple[list[documents.Prepared], list[dict[str, Any]]]:
    """Prepare every row; return the prepared rows and every problem found."""
    prepared: list[documents.Prepared] = []
    errors: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        try:
            p = documents.prepare(template_id, row, directory)
        except InvalidData as exc:
            errors.extend(_row_errors(exc, index, lines[index]))
            continue
        if issue:
            errors.extend(_check_register(p, index, lines[index]))
        prepared.append(p)
    if issue and prepared and not errors:
        errors.extend(_same_book(prepared, lines))
    return prepared, errors


def _same_book(prepared: list[documents.Prepared], lines: Sequence[int]) -> list[dict[str, Any]]:
    """Issued rows share one agency, book and year: they take one block of numbers."""
    first = prepared[0]
    assert first.agency is not None
    errors = []
    if first.agency.book_for(first.spec.doc_type) is None:
        msg = f"Cơ quan {first.agency.id} không có sổ nhận loại {first.spec.doc_type}"
        return [{"loc": ["template"], "msg": msg}]
    for index, p in enumerate(prepared[1:], 1):
        assert p.agency is not None
        if p.agency.id != first.agency.id:
            msg = f"Dòng {lines[index]}: mọi dòng phải cùng cơ quan {first.agency.id}"
            errors.append({"loc": ["rows", index, "agency"], "msg": msg})
        elif p.date.year != first.date.year:
            msg = f"Dòng {lines[index]}: mọi dòng phải cùng năm ban hành {first.date.year}"
            errors.append({"loc": ["rows", index, "date"], "msg": msg})
    return errors


def create_batch(
    session: Session,
    request: NewBatch,
    *,
    directory: AgencyDirectory,
    actor: str,
    max_rows: int,
    key: ApiKey | None = None,
) -> Batch:
    """Validate every row, reserve the block (issued batches) and store batch and rows."""
    spec = templates.get(request.template)
    formats = check_formats(request.formats)
    if not request.rows:
        raise InvalidData([{"loc": ["rows"], "msg": "Đợt phát hành cần ít nhất một dòng"}])
    if len(request.rows) > max_rows:
        raise PayloadTooLarge(f"Đợt có {len(request.rows)} dòng, vượt giới hạn {max_rows} dòng")
    common = vn.nfc_deep(request.common or {})
    if request.parent:
        common = _parent_defaults(session, request.parent, spec.id, common, directory)
    rows = [merge(common, vn.nfc_deep(row)) for row in request.rows]
    lines = list(request.lines or range(1, len(rows) + 1))
    prepared, errors = validate_rows(spec.id, rows, directory, issue=request.issue, lines=lines)
    if errors:
        bad = len({e["loc"][1] for e in errors if e["loc"][:1] == ["rows"]})
        detail = f"{len(errors)} lỗi ở {bad} dòng; không dòng nào được phát hành"
        raise InvalidData(errors[:MAX_ERRORS], detail)
    agencies = {p.agency.id for p in prepared if p.agency is not None}
    if request.parent and agencies != {common["agency"]}:
        msg = f"Mọi dòng phải thuộc cơ quan của văn bản căn cứ ({common['agency']})"
        raise InvalidData([{"loc": ["parent"], "msg": msg}])
    for agency_id in sorted(agencies):
        if key is not None and not can_access(key, agency_id):
            raise Forbidden(f"Khóa API không được dùng cho cơ quan {agency_id}")
    batch = Batch(
        template=spec.id,
        issue=request.issue,
        formats=list(formats),
        common=common,
        parent_id=request.parent,
        callback_url=request.callback_url,
        source=request.source,
        status="queued",
        total=len(rows),
        created_by=actor,
        progress_at=utcnow(),
    )
    if len(agencies) == 1:
        batch.agency_id = next(iter(agencies))  # who may read it
    if request.issue:
        first = prepared[0]
        assert first.agency is not None
        book = first.agency.book_for(spec.doc_type)
        assert book is not None
        batch.agency_id, batch.book_id, batch.year = first.agency.id, book.id, first.date.year
        batch.first_number = numbering.reserve_block(
            session, first.agency.id, book.id, first.date.year, len(rows)
        )
    session.add(batch)
    session.flush()
    first_number = batch.first_number
    now = utcnow()
    session.execute(
        insert(BatchRow),
        [
            {
                "batch_id": batch.id,
                "row_index": i,
                "line": lines[i],
                "number": first_number + i if first_number is not None else None,
                "data": row,
                "status": "pending",
                "updated_at": now,
            }
            for i, row in enumerate(rows)
        ],
    )
    audit.record(
        session,
        actor,
        "batch.create",
        agency_id=batch.agency_id,
        detail={
            "batch": batch.id,
            "template": spec.id,
            "total": batch.total,
            "issue": batch.issue,
            "first_number": first_number,
            "parent": request.parent,
        },
    )
    log.info(
        "batch %s accepted: %s, %d rows, issue=%s, first number %s",
        batch.id,
        spec.id,
        batch.total,
        batch.issue,
        first_number,
    )
    return batch
