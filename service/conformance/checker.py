"""check_docx: open a .docx, pick the profile, run the rules, build the report."""

from __future__ import annotations

import logging

from service.conformance.layout import detect_profile, find_layout
from service.conformance.model import build_document
from service.conformance.package import open_package
from service.conformance.report import Finding, Report, merge_findings
from service.conformance.rules_appendix import check_appendix
from service.conformance.rules_body import (
    check_body_text,
    check_decision,
    check_end_mark,
    check_title,
    split_body,
)
from service.conformance.rules_header import (
    check_date,
    check_issuer,
    check_national_title,
    check_number,
    check_urgency,
)
from service.conformance.rules_numbering import (
    article_numbers,
    check_articles,
    check_clauses_and_points,
    check_parts,
)
from service.conformance.rules_page import (
    check_fonts,
    check_margins,
    check_page_numbers,
    check_page_size,
)
from service.conformance.rules_signature import (
    check_recipients,
    check_signature,
    signing_collective,
)

log = logging.getLogger(__name__)
PROFILES = ("nd30", "certificate")


def check_docx(data: bytes, *, profile: str | None = None) -> Report:
    """Check a .docx against the nd30 rules; profile None detects "certificate" or "nd30"."""
    if profile is not None and profile not in PROFILES:
        raise ValueError(f"Hồ sơ kiểm tra không hợp lệ: {profile!r} (nd30 hoặc certificate)")
    doc = build_document(open_package(data))
    profile = profile or detect_profile(doc)
    layout = find_layout(doc, profile)
    findings: list[Finding] = []
    findings += check_page_size(doc, layout)
    findings += check_fonts(doc)
    findings += check_national_title(doc, layout)
    findings += check_number(layout)
    findings += check_date(layout)
    findings += check_signature(layout)
    if profile == "nd30":
        body = split_body(layout)
        articles = article_numbers(body)
        findings += check_margins(doc)
        findings += check_page_numbers(doc)
        findings += check_issuer(doc, layout)
        findings += check_urgency(layout)
        findings += check_title(layout, body)
        findings += check_decision(body, signing_collective(layout))
        findings += check_articles(body)
        findings += check_parts(body)
        findings += check_clauses_and_points(body)
        findings += check_body_text(layout, body)
        findings += check_end_mark(layout, body)
        findings += check_recipients(layout, articles[-1] if articles else None)
        findings += check_appendix(doc, layout)
    findings = merge_findings(findings)
    ok = not any(f.severity == "error" for f in findings)
    log.info("conformance check: profile=%s findings=%d ok=%s", profile, len(findings), ok)
    return Report(ok=ok, profile=profile, findings=findings)
