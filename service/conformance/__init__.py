"""Conformance checker: the format rules of Nghị định 30/2020/NĐ-CP applied to a .docx.

``check_docx(data, profile=None) -> Report``; raises ``NotADocx`` for unreadable bytes.
"""

from __future__ import annotations

from service.conformance.checker import PROFILES, check_docx
from service.conformance.package import NotADocx
from service.conformance.report import Finding, Report

__all__ = ["PROFILES", "Finding", "NotADocx", "Report", "check_docx"]
