"""Issue a document into its agency's book: number, render, store, audit, one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import documents, templates, vn
from service.agencies import AgencyDirectory
from service.db import fetch_all
from service.errors import (
    Forbidden,
    IdempotencyConflict,
    InvalidData,
    RegisterConflict,
    UnsupportedType,
)
from service.register import audit, numbering, writing
from service.register.agencies import load_directory
from service.register.keys import can_access
from service.register.models import AgencyRow, ApiKey, Document, new_id, utcnow
from service.register.storage import DEFAULT_STORAGE, Storage

log = logging.getLogger(__name__)

FORMATS = ("docx", "pdf", "pdfa")
# Made after the commit by a pdf worker from the stored .docx (service.pdf.jobs):
# the number never depends on LibreOffice.
PDF_FORMATS = ("pdf", "pdfa")


@dataclass(frozen=True)
class IssueResult:
    """The document in the register, whether this call created it, and the caller's reply."""

    document: Document
    created: bool
    # What the ``reply`` given to issue() made of the new document (None for a replay).
    reply: Any = None


def request_hash(template_id: str, data: Any, formats: Sequence[str]) -> str:
    """SHA-256 of the canonical JSON of template, data (NFC) and formats."""
    body = {"template": template_id, "data": vn.nfc_deep(data), "formats": sorted(set(formats))}
    canonical = json.dumps(
        body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """Known formats, in order, without repeats."""
    if isinstance(formats, str) or not formats:
        raise InvalidData([{"loc": ["formats"], "msg": "Cần ít nhất một định dạng: docx"}])
    errors = [
        {"loc": ["formats", i], "msg": f"Định dạng không hỗ trợ: {f!r} (chỉ docx, pdf, pdfa)"}
        for i, f in enumerate(formats)
        if f not in FORMATS
    ]
    if errors:
        raise InvalidData(errors)
    return tuple(dict.fromkeys(formats))


# Every request with an Idempotency-Key looks its key up before anything else: only
# the id and the request's hash, on PostgreSQL on the driver's cursor (as the API key's
# read, service.db.fetch_all); the document is loaded only for a replay.
_BY_KEY = select(Document.id, Document.request_hash).where(
    Document.idempotency_scope == bindparam("scope"),
    Document.idempotency_key == bindparam("key"),
)
# Per dialect (one per engine), not kept alive by the cache, as service.register.writing.
_BY_KEY_SQL: weakref.WeakKeyDictionary[Dialect, str] = weakref.WeakKeyDictionary()


def _existing(session: Session, scope: str, key: str, digest: str | None) -> Document | None:
    conn = session.connection()
    values = {"scope": scope, "key": key}
    if conn.dialect.name == "postgresql":
        sql = _BY_KEY_SQL.get(conn.dialect)
        if sql is None:
            sql = _BY_KEY_SQL[conn.dialect] = _BY_KEY.compile(dialect=conn.dialect).string
        rows = fetch_all(conn, sql, values)
    else:
        rows = list(conn.execute(_BY_KEY, values))
    if not rows:
        return None
    doc_id, stored_hash = rows[0]
    if stored_hash != digest:
        raise IdempotencyConflict(
            f"Khóa Idempotency-Key {key!r} đã được dùng cho một yêu cầu có nội dung khác"
        )
    return session.get(Document, doc_id)


def search_text(*parts: str | None) -> str:
    """The folded text the register search matches against."""
    return vn.fold(" ".join(p for p in parts if p))


def _prepare(
    session: Session, template_id: str, data: Any, directory: AgencyDirectory | None = None
) -> documents.Prepared:
    directory = directory if directory is not None else load_directory(session)
    prepared = documents.prepare(template_id, data, directory)
    if prepared.agency is None:
        msg = "Văn bản vào sổ phải thuộc một cơ quan đã cấu hình (agency)"
        raise InvalidData([{"loc": ["data", "agency"], "msg": msg}])
    if prepared.data.draft:
        raise InvalidData([{"loc": ["data", "draft"], "msg": "Bản dự thảo không được vào sổ"}])
    if prepared.data.number is not None:
        raise InvalidData(
            [{"loc": ["data", "number"], "msg": "Số văn bản do sổ cấp, không gửi kèm khi vào sổ"}]
        )
    return prepared


def issue(
    session: Session,
    *,
    template_id: str,
    data: Any,
    formats: Sequence[str] = ("docx",),
    actor: str,
    idempotency_key: str | None = None,
    storage: Storage = DEFAULT_STORAGE,
    number: int | None = None,
    batch_id: str | None = None,
    key: ApiKey | None = None,
    directory: AgencyDirectory | None = None,
    reply: Callable[[Document], Any] | None = None,
) -> IssueResult:
    """Validate, number, render and store a document in the caller's transaction.

    On PostgreSQL, when the caller has no transaction open, the document is
    committed by the one statement that claims its number (see
    ``_issue_optimistically``) or, when that misses, by the round trip that
    writes it after its number was taken under the row lock; the caller's
    commit then has nothing left to do.
    Only the .docx is made here; PDF formats in ``formats`` are made from it after
    the commit, on the pdf queue (``service.pdf.jobs``).
    ``number`` skips allocation and uses a number reserved with ``reserve_block``;
    ``key`` (when auth is on) must be allowed to issue for the data's agency (403).
    ``directory`` (bulk issuing) saves re-reading the agencies for every document.
    ``reply`` builds what the caller answers with from the new document; it runs
    while the database writes (and on the one-statement path commits) the
    document, and must not use the database (service.register.writing).
    Anything raised means the caller must roll back; that releases the number.
    """
    fmts = check_formats(formats)
    # Only a replay with the same Idempotency-Key compares bodies.
    digest = request_hash(template_id, data, fmts) if idempotency_key is not None else None
    optimistic = number is None and _can_claim(session)
    if optimistic:
        # Reads until the claim need no transaction either (one round trip each).
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    if idempotency_key is not None:
        found = _existing(session, actor, idempotency_key, digest)
        if found is not None:
            return IssueResult(found, False)
    prepared = _prepare(session, template_id, data, directory)
    agency = prepared.agency
    assert agency is not None
    if key is not None and not can_access(key, agency.id):
        raise Forbidden(f"Khóa API không được vào sổ của cơ quan {agency.id}")
    book = agency.book_for(prepared.spec.doc_type)
    if book is None:
        raise UnsupportedType(
            [
                {
                    "loc": ["template"],
                    "msg": f"Cơ quan {agency.id} không có sổ nhận loại {prepared.spec.doc_type}",
                }
            ]
        )
    year = prepared.date.year
    renderer = documents.NumberedRenderer(prepared)
    entry = _Entry(
        prepared, renderer, agency.id, book.id, year, actor, idempotency_key, digest, batch_id
    )
    if number is not None:
        # A number reserved by a committed reserve_block needs checking, not the sequence
        # lock, so that bulk workers issue their rows in parallel (service.batches.run).
        last = numbering.last_number(session, agency.id, book.id, year)
        if not 1 <= number <= last:
            raise RegisterConflict(f"Số {number} chưa được giữ chỗ trong sổ {book.id} năm {year}")
        return _issued(_write(session, entry, number, storage, reply))
    if optimistic:
        result = _issue_optimistically(session, entry, storage, reply)
        if result is not None:
            return result
    # Rendered before the book's lock is taken (unless an attempt above did): under
    # the lock only the number is set, then the document written and committed.
    renderer.prime()
    number = numbering.take(session, agency.id, book.id, year)
    if idempotency_key is not None and not optimistic:
        # A concurrent twin with the same key held the lock until it committed: look
        # again, and give the number back (we still hold the row lock).
        found = _existing(session, actor, idempotency_key, digest)
        if found is not None:
            numbering.advance(session, agency.id, book.id, year, number - 1)
            return IssueResult(found, False)
    # In a transaction of its own (``optimistic``), the document's statement commits it
    # in the same round trip: the row lock is released by the server, not when this
    # thread, which may wait for the GIL behind other threads' renders, gets to it.
    # A twin committed meanwhile is found by the statement itself (the key's unique
    # index), without a look-up under the lock.
    try:
        written = _write(session, entry, number, storage, reply, commit=optimistic)
    except IdempotencyConflict:
        if not optimistic:
            raise
        session.rollback()  # gives the number back
        return IssueResult(_twin(session, entry), False)
    if session.get_bind().dialect.name == "postgresql":
        numbering.predictions(session).taken(agency.id, book.id, year, number)
    return _issued(written)


def _issued(written: writing.Written) -> IssueResult:
    return IssueResult(written.document, True, written.extra)


def _can_claim(session: Session) -> bool:
    """Whether this issue can take its number in the statement that writes it.

    On PostgreSQL, with no transaction of the caller's open and nothing pending:
    the session's connection then runs in autocommit (until the caller's commit
    or rollback releases it), and the one statement that claims the number and
    writes the document, its .docx and its audit row is its own transaction.
    """
    return (
        session.get_bind().dialect.name == "postgresql"
        and not session.in_transaction()
        and not (session.new or session.dirty or session.deleted)
    )


def _issue_optimistically(
    session: Session,
    entry: _Entry,
    storage: Storage,
    reply: Callable[[Document], Any] | None,
) -> IssueResult | None:
    """Render with the predicted number and claim it in one statement; None on a miss.

    The sequence row is locked for one statement instead of for the whole
    render, and the issue costs one round trip to the database. On a miss
    (another issue took the number first, the book is contended, or the year's
    row does not exist yet) nothing was written, and the session is left without a transaction
    for the caller to take the number under the row lock. A twin of the same
    Idempotency-Key committed first is returned as not created.
    """
    predictions = numbering.predictions(session)
    where = (entry.agency_id, entry.book_id, entry.year)
    try:
        predicted = predictions.predict(session, *where)
        if predicted is not None:
            claim = writing.Claim(*where, predicted)
            written = _attempt(session, entry, predicted, storage, claim, reply)
            if written is not None:
                predictions.taken(*where, predicted)
                return _issued(written)
            predictions.missed(*where)
    except IdempotencyConflict:
        # A twin with the same key committed after our first look: nothing was written.
        session.rollback()
        return IssueResult(_twin(session, entry), False)
    # Leave autocommit: the pessimistic path needs a transaction of its own.
    session.commit()
    return None


@dataclass(frozen=True)
class _Entry:
    """What an issue writes besides its number."""

    prepared: documents.Prepared
    renderer: documents.NumberedRenderer
    agency_id: str
    book_id: str
    year: int
    actor: str
    idempotency_key: str | None
    digest: str | None
    batch_id: str | None


def _twin(session: Session, entry: _Entry) -> Document:
    assert entry.idempotency_key is not None
    found = _existing(session, entry.actor, entry.idempotency_key, entry.digest)
    if found is None:  # pragma: no cover - the conflicting row was committed
        raise IdempotencyConflict("Khóa Idempotency-Key đã được dùng cho một yêu cầu khác")
    return found


def _write(
    session: Session,
    entry: _Entry,
    number: int,
    storage: Storage,
    reply: Callable[[Document], Any] | None,
    *,
    commit: bool = False,
) -> writing.Written:
    """Render with ``number`` (already ours) and write; ``commit``: see writing.write."""
    written = _attempt(session, entry, number, storage, None, reply, commit=commit)
    assert written is not None
    return written


def _attempt(
    session: Session,
    entry: _Entry,
    number: int,
    storage: Storage,
    claim: writing.Claim | None,
    reply: Callable[[Document], Any] | None,
    *,
    commit: bool = False,
) -> writing.Written | None:
    """Render with ``number`` and write the document, its .docx and its audit row.

    None when ``claim`` missed (nothing written).
    """
    prepared = entry.prepared
    rendered = entry.renderer.render(number)
    symbol = rendered.symbol
    model = prepared.data
    stored = model.model_dump(mode="json", exclude_none=True)
    stored["date"] = prepared.date.isoformat()
    now = utcnow()
    doc_id = new_id()
    document = {
        "id": doc_id,
        "agency_id": entry.agency_id,
        "book_id": entry.book_id,
        "year": entry.year,
        "number": number,
        "symbol": symbol,
        "template": prepared.spec.id,
        "doc_type": prepared.spec.doc_type,
        "date": prepared.date,
        "summary": model.summary,
        "signer_name": prepared.signer.name,
        "recipients": "\n".join(model.recipients),
        "data": stored,
        "status": "issued",
        "reason": None,
        "revoked_at": None,
        "created_at": now,
        "created_by": entry.actor,
        "idempotency_scope": entry.actor if entry.idempotency_key is not None else None,
        "idempotency_key": entry.idempotency_key,
        "request_hash": entry.digest,
        "batch_id": entry.batch_id,
        "search_text": search_text(
            symbol,
            model.summary,
            prepared.signer.name,
            prepared.spec.name,
            *model.recipients,
        ),
    }
    # The .docx is always stored: it is the source every PDF format is made from.
    file = storage.file_values(doc_id, "docx", rendered.media_type, rendered.content)
    detail = {
        "book": entry.book_id,
        "year": entry.year,
        "number": number,
        "symbol": symbol,
        "sha256": {"docx": file["sha256"]},
        "batch": entry.batch_id,
    }
    trail = audit.values(
        entry.actor, "issue", agency_id=entry.agency_id, document_id=doc_id, detail=detail, at=now
    )
    rows = writing.Rows(document, (file,), trail)
    try:
        written = writing.write(session, rows, claim=claim, meanwhile=reply, commit=commit)
    except IntegrityError as exc:
        message = f"Số {number} của sổ {entry.book_id} năm {entry.year} đã có văn bản"
        raise _conflict(exc, message) from exc
    if written is not None:
        where = f"{entry.agency_id}/{entry.book_id}/{entry.year}"
        log.info("issued %s (%s) in %s", doc_id, symbol, where)
    return written


def issue_reserved(session: Session, *, number: int, **kwargs: Any) -> IssueResult:
    """Issue with a number taken earlier by ``reserve_block`` (bulk issuing)."""
    return issue(session, number=number, **kwargs)


def _conflict(exc: IntegrityError, message: str) -> Exception:
    """The API error for a unique violation: the idempotency key, or the number."""
    if "idempotency" in str(exc.orig).lower():
        error: Exception = IdempotencyConflict(
            "Khóa Idempotency-Key đã được dùng cho một yêu cầu khác"
        )
    else:
        error = RegisterConflict(message)
    return error


def _flush(session: Session, message: str) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        raise _conflict(exc, message) from exc


def _date_of(data: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(data["date"]))
    except (TypeError, KeyError, ValueError):
        return None


def record_failed(
    session: Session,
    *,
    agency_id: str,
    book_id: str,
    year: int,
    number: int,
    template_id: str,
    reason: str,
    actor: str,
    data: Any = None,
    batch_id: str | None = None,
) -> Document:
    """Keep a reserved number whose document could not be made, as status 'failed'."""
    if not 1 <= number <= numbering.last_number(session, agency_id, book_id, year):
        raise RegisterConflict(f"Số {number} chưa được giữ chỗ trong sổ {book_id} năm {year}")
    row = session.get(AgencyRow, agency_id)
    spec = templates.get(template_id)
    abbreviation = (row.data or {}).get("abbreviation") if row is not None else None
    symbol = vn.symbol(number, spec.doc_type, abbreviation) if abbreviation else str(number)
    summary = data.get("summary", "") if isinstance(data, dict) else ""
    doc = Document(
        agency_id=agency_id,
        book_id=book_id,
        year=year,
        number=number,
        symbol=symbol,
        template=template_id,
        doc_type=spec.doc_type,
        date=_date_of(data),
        summary=str(summary),
        data=vn.nfc_deep(data) if isinstance(data, dict) else None,
        status="failed",
        reason=reason,
        created_by=actor,
        batch_id=batch_id,
        search_text=search_text(symbol, str(summary), spec.name),
    )
    session.add(doc)
    _flush(session, f"Số {number} của sổ {book_id} năm {year} đã có văn bản")
    audit.record(
        session,
        actor,
        "fail",
        agency_id=agency_id,
        document_id=doc.id,
        detail={"book": book_id, "year": year, "number": number, "reason": reason},
    )
    return doc
