"""Findings and the report returned by the conformance checker."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One breach of a format rule: rule id, severity, expected and found values, location."""

    rule: str
    severity: Severity
    expected: str
    found: str
    where: str


@dataclass
class Report:
    """The result of a check: ok is True when no finding has severity "error"."""

    ok: bool
    profile: str
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form {"ok", "profile", "findings": [...]}."""
        return {
            "ok": self.ok,
            "profile": self.profile,
            "findings": [asdict(f) for f in self.findings],
        }


def error(rule: str, expected: str, found: str, where: str) -> Finding:
    """Build a finding of severity "error"."""
    return Finding(rule, "error", expected, found, where)


def warning(rule: str, expected: str, found: str, where: str) -> Finding:
    """Build a finding of severity "warning"."""
    return Finding(rule, "warning", expected, found, where)


_PARAGRAPH = re.compile(r"^paragraph (\d+)$")
_MAX_LISTED = 8


def merge_findings(findings: list[Finding]) -> list[Finding]:
    """Fold identical findings on several top-level paragraphs into one ("paragraphs 3, 5, 9")."""
    groups: dict[tuple[str, str, str, str], list[int]] = {}
    out: list[Finding | tuple[str, str, str, str]] = []
    for f in findings:
        m = _PARAGRAPH.match(f.where)
        if m is None:
            out.append(f)
            continue
        key = (f.rule, f.severity, f.expected, f.found)
        if key not in groups:
            groups[key] = []
            out.append(key)
        groups[key].append(int(m.group(1)))
    merged: list[Finding] = []
    for item in out:
        if isinstance(item, Finding):
            merged.append(item)
            continue
        numbers = groups[item]
        if len(numbers) == 1:
            where = f"paragraph {numbers[0]}"
        else:
            listed = ", ".join(str(n) for n in numbers[:_MAX_LISTED])
            more = f" (+{len(numbers) - _MAX_LISTED})" if len(numbers) > _MAX_LISTED else ""
            where = f"paragraphs {listed}{more}"
        rule, severity, expected, found = item
        merged.append(Finding(rule, severity, expected, found, where))  # type: ignore[arg-type]
    return merged
