"""The fields a batch row may carry, read from a template's JSON Schema.

Used twice: to coerce sheet cells to what the schema expects (a number typed
in a text column stays text, ``20/11/2024`` in a date column becomes
``2024-11-20``), and to build the clerk's Excel template (one column a field).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from service import templates, vn

# Fields a row never carries: the register allocates the number, drafts are not issued.
SKIPPED = frozenset({"number", "draft", "issuer"})
LIST_COLUMNS = 2  # columns offered for a list of texts: recipients.1, recipients.2
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_WHOLE = re.compile(r"^[+-]?\d{1,18}$")
# A yes/no cell as clerks write it, folded (any case, with or without diacritics, NFC or
# NFD): "Có", "co", "x" (a tick) or true; "Không", "khong" or false. A blank cell is left
# out, so the field takes the common data's value or its default.
YES = frozenset({"co", "x", "true", "1"})
NO = frozenset({"khong", "false", "0"})
BOOLEAN_HELP = "Có/không: ghi “có” (hoặc “x”, true) hoặc “không” (hoặc false)"


@dataclass(frozen=True)
class Field:
    """A leaf field of a row: its dotted name and what the schema says about it."""

    name: str
    type: str  # string, integer, number, boolean, date
    required: bool
    description: str
    enum: tuple[str, ...] = ()


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Follow ``$ref`` and drop the ``null`` branch of ``anyOf``; return (node, nullable)."""
    nullable = False
    while True:
        if "$ref" in node:
            node = {**root["$defs"][node["$ref"].rsplit("/", 1)[-1]], **_extra(node)}
            continue
        options = node.get("anyOf")
        if options:
            real = [o for o in options if o.get("type") != "null"]
            nullable = nullable or len(real) < len(options)
            if len(real) == 1:
                node = {**real[0], **_extra(node)}
                continue
        return node, nullable


def _extra(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k in {"description", "default"}}


def _kind(node: dict[str, Any]) -> str:
    if node.get("format") == "date":
        return "date"
    kind = node.get("type")
    return kind if isinstance(kind, str) else "string"


@cache
def row_fields(template_id: str) -> tuple[Field, ...]:
    """Every leaf field a row offers (not the SKIPPED ones), as dotted names, in schema order."""
    return tuple(f for f in _leaf_fields(template_id) if f.name.split(".", 1)[0] not in SKIPPED)


@cache
def _leaf_fields(template_id: str) -> tuple[Field, ...]:
    """Every leaf field of the template's data, SKIPPED ones included: a sheet may still
    carry them (a ``draft`` column), and their cells are coerced all the same."""
    root = templates.get(template_id).json_schema()
    out: list[Field] = []

    def walk(node: dict[str, Any], prefix: str, required: bool) -> None:
        node, _ = _resolve(root, node)
        kind = node.get("type")
        if kind == "object" and "properties" in node:
            needed = set(node.get("required", ()))
            for key, child in node["properties"].items():
                walk(child, f"{prefix}{key}.", required and key in needed)
            return
        name = prefix.rstrip(".")
        description = str(node.get("description", ""))
        if kind == "array":
            items, _ = _resolve(root, node.get("items", {}))
            if items.get("type") == "object":
                return  # lists of objects (a decision's units) are not row fields
            for i in range(1, LIST_COLUMNS + 1):
                out.append(Field(f"{name}.{i}", _kind(items), False, description))
            return
        enum = tuple(str(v) for v in node.get("enum", ()))
        out.append(Field(name, _kind(node), required, description, enum))

    walk(root, "", True)
    return tuple(out)


@cache
def _types(template_id: str) -> dict[str, str]:
    types = {f.name: f.type for f in _leaf_fields(template_id)}
    for f in _leaf_fields(template_id):
        head, _, tail = f.name.rpartition(".")
        if tail.isdigit():
            types[head + ".*"] = f.type
    return types


def coerce(template_id: str, row: dict[str, Any]) -> dict[str, Any]:
    """Cells of an uploaded row turned into what each field expects."""
    types = _types(template_id)

    def fix(value: Any, name: str) -> Any:
        if isinstance(value, dict):
            return {k: fix(v, f"{name}.{k}" if name else k) for k, v in value.items()}
        if isinstance(value, list):
            return [fix(v, f"{name}.*") for v in value]
        kind = types.get(name)
        if kind == "string" and isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        if kind == "date" and isinstance(value, str):
            match = _DMY.match(value)
            if match:
                day, month, year = (int(g) for g in match.groups())
                return f"{year:04d}-{month:02d}-{day:02d}"
        if kind == "integer" and isinstance(value, str) and _WHOLE.match(value.strip()):
            return int(value)  # a CSV cell is text: "2024" is the year 2024
        if kind == "boolean":
            return boolean(value)
        return value

    return {k: fix(v, k) for k, v in row.items()}


def boolean(value: Any) -> Any:
    """A yes/no cell as True or False; anything else unchanged, for validation to refuse."""
    if isinstance(value, str):
        word = vn.fold(value).strip()
        if word in YES:
            return True
        if word in NO:
            return False
    return value
