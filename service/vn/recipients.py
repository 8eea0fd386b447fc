"""Nơi nhận, Kính gửi and legal-basis lines with their list punctuation (nd30 §2)."""

from __future__ import annotations

from service.vn.text import nfc

_LEADING = "-+•–—*· \t"
_TRAILING = ";.,: \t"


def _clean_item(item: str) -> str:
    """Trim, drop list bullets and trailing punctuation, collapse inner whitespace."""
    text = " ".join(nfc(item).split())
    return text.lstrip(_LEADING).rstrip(_TRAILING).strip()


def _clean_items(items: list[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for item in items:
        text = _clean_item(item)
        key = text.casefold()
        if text and key not in seen:
            seen.add(key)
            out.append(text)
    return out


def recipient_lines(
    recipients: list[str],
    archive: list[str],
    *,
    first: str | None = None,
    copies: int | None = None,
) -> list[str]:
    """Build Nơi nhận lines: "- X;" each, ending "- Lưu: VT, A (02)."."""
    items = _clean_items(([first] if first else []) + list(recipients))
    units = [u for u in _clean_items(list(archive)) if u.upper() != "VT"]
    archive_text = ", ".join(["VT", *units])
    if copies is not None:
        if isinstance(copies, bool) or not isinstance(copies, int) or copies < 1:
            raise ValueError(f"Số bản lưu phải là số nguyên từ 1 trở lên, nhận được {copies!r}")
        archive_text += f" ({copies:02d})"
    return [f"- {item};" for item in items] + [f"- Lưu: {archive_text}."]


def kinh_gui_lines(recipients: list[str]) -> list[str]:
    """Build Kính gửi: one recipient on the line, several as "- A;" ... "- B."."""
    items = _clean_items(list(recipients))
    if not items:
        raise ValueError("Cần ít nhất một nơi nhận sau Kính gửi")
    if len(items) == 1:
        return [f"Kính gửi: {items[0]}."]
    return ["Kính gửi:", *(f"- {item};" for item in items[:-1]), f"- {items[-1]}."]


def legal_basis_lines(items: list[str]) -> list[str]:
    """End every legal basis ("Căn cứ ...") with ";" and the last one with "."."""
    texts = [" ".join(nfc(item).split()).rstrip(_TRAILING) for item in items]
    texts = [text for text in texts if text]
    return [text + (";" if i < len(texts) - 1 else ".") for i, text in enumerate(texts)]
