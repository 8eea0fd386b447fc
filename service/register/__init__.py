"""The register (sổ văn bản đi): numbering, issuing, storage, search, export, keys.

Plain functions over a SQLAlchemy Session; the caller owns the transaction
(``Database.session()`` commits on success and rolls back on error).
"""

from __future__ import annotations

from service.register.agencies import (
    agency_dict,
    get_agency,
    list_agencies,
    load_directory,
    put_agency,
)
from service.register.audit import audit_for
from service.register.export import (
    Export,
    export_csv,
    export_register,
    export_title,
    export_xlsx,
)
from service.register.issuing import IssueResult, issue, issue_reserved, record_failed
from service.register.keys import authenticate, can_access, create_key, list_keys, revoke_key
from service.register.listing import RegisterRow, export_rows, register_page
from service.register.models import ApiKey, Document
from service.register.numbering import allocate, last_number, reserve_block
from service.register.records import (
    StoredFile,
    document_dict,
    file_name,
    get_document,
    get_file,
    revoke,
)
from service.register.schema import seed_agencies, upgrade
from service.register.storage import DatabaseStorage, Storage

__all__ = [
    "ApiKey",
    "DatabaseStorage",
    "Document",
    "Export",
    "IssueResult",
    "RegisterRow",
    "Storage",
    "StoredFile",
    "agency_dict",
    "allocate",
    "audit_for",
    "authenticate",
    "can_access",
    "create_key",
    "document_dict",
    "export_csv",
    "export_register",
    "export_rows",
    "export_title",
    "export_xlsx",
    "file_name",
    "get_agency",
    "get_document",
    "get_file",
    "issue",
    "issue_reserved",
    "last_number",
    "list_agencies",
    "list_keys",
    "load_directory",
    "put_agency",
    "record_failed",
    "register_page",
    "reserve_block",
    "revoke",
    "revoke_key",
    "seed_agencies",
    "upgrade",
]
