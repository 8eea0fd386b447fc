"""Effective run and paragraph properties, resolved the way Word does.

Run: direct rPr > character style chain (rStyle, basedOn) > paragraph style chain (its rPr) >
w:docDefaults/rPrDefault. Paragraph: direct pPr > paragraph style chain > pPrDefault. Each
attribute inherits on its own (a style may set the size and leave the font to its base).
Table styles and numbering definitions are not applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from service.conformance.package import A_NS, w, wattr

_FONT_SLOTS = ("ascii", "hAnsi", "cs")
_BORDER_SIDES = ("top", "left", "bottom", "right")
_NO_BORDER = frozenset({"nil", "none"})
# Word's built-in size when nothing sets w:sz (10 pt).
DEFAULT_SIZE_PT = 10.0


def is_on(el: etree._Element | None) -> bool | None:
    """Read a toggle property (w:b, w:i ...): None when absent, else its boolean value."""
    if el is None:
        return None
    return wattr(el, "val") not in ("false", "0", "off")


def twips(value: str | None) -> int | None:
    """Parse a twips attribute ("567", "567.0"); None when absent or unreadable."""
    if value is None:
        return None
    try:
        return round(float(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class RunProps:
    """Effective properties of one run."""

    fonts: tuple[tuple[str, str | None], ...]  # ((slot, font name), ...) for ascii, hAnsi, cs
    size: float  # points
    bold: bool
    italic: bool
    color: str | None
    caps: bool
    underline: str | None
    hidden: bool
    boxed: bool  # a character border (w:bdr) draws a box around the run

    def font(self, slot: str) -> str | None:
        """Return the font name of one slot ("ascii", "hAnsi", "cs")."""
        return dict(self.fonts).get(slot)


@dataclass(frozen=True)
class ParaProps:
    """Effective properties of one paragraph (lengths in twips)."""

    jc: str | None
    left: int
    right: int
    first_line: int
    hanging: int
    before: int
    after: int
    line: int | None
    line_rule: str
    contextual: bool
    borders: frozenset[str]  # sides carrying a visible border


def _theme_fonts(theme: etree._Element | None) -> dict[str, str]:
    out: dict[str, str] = {}
    if theme is None:
        return out
    for kind in ("major", "minor"):
        font = theme.find(f".//{{{A_NS}}}{kind}Font")
        if font is None:
            continue
        for tag, names in (("latin", ("HAnsi", "Ascii")), ("cs", ("Bidi",))):
            face = font.find(f"{{{A_NS}}}{tag}")
            if face is not None and face.get("typeface"):
                for name in names:
                    out[f"{kind}{name}"] = face.get("typeface", "")
    return out


class StyleResolver:
    """Resolve effective properties against a document's styles.xml and theme."""

    def __init__(self, styles: etree._Element | None, theme: etree._Element | None) -> None:
        self._styles: dict[str, etree._Element] = {}
        self._default_para: str | None = None
        self._rpr_default: etree._Element | None = None
        self._ppr_default: etree._Element | None = None
        self._theme = _theme_fonts(theme)
        self._chains: dict[str | None, list[etree._Element]] = {}
        if styles is None:
            return
        for st in styles.iter(w("style")):
            sid = wattr(st, "styleId")
            if sid is not None:
                self._styles[sid] = st
                if wattr(st, "type") == "paragraph" and is_on_attr(wattr(st, "default")):
                    self._default_para = sid
        defaults = styles.find(w("docDefaults"))
        if defaults is not None:
            self._rpr_default = defaults.find(f"{w('rPrDefault')}/{w('rPr')}")
            self._ppr_default = defaults.find(f"{w('pPrDefault')}/{w('pPr')}")

    def _chain(self, style_id: str | None) -> list[etree._Element]:
        """Return the style and its basedOn ancestors, base first."""
        if style_id in self._chains:
            return self._chains[style_id]
        chain: list[etree._Element] = []
        seen: set[str] = set()
        current = style_id
        while current is not None and current not in seen and current in self._styles:
            seen.add(current)
            st = self._styles[current]
            chain.append(st)
            current = wattr(st.find(w("basedOn")), "val")
        chain.reverse()
        self._chains[style_id] = chain
        return chain

    def _para_style(self, p: etree._Element | None) -> str | None:
        if p is None:
            return self._default_para
        style = wattr(p.find(f"{w('pPr')}/{w('pStyle')}"), "val")
        return style if style in self._styles else self._default_para

    def paragraph(self, p: etree._Element) -> ParaProps:
        """Return the effective paragraph properties of w:p."""
        acc: dict[str, Any] = {}
        levels = [self._ppr_default]
        levels += [st.find(w("pPr")) for st in self._chain(self._para_style(p))]
        levels.append(p.find(w("pPr")))
        for ppr in levels:
            if ppr is not None:
                _read_ppr(ppr, acc)
        return ParaProps(
            jc=acc.get("jc"),
            left=acc.get("left", 0),
            right=acc.get("right", 0),
            first_line=acc.get("firstLine", 0),
            hanging=acc.get("hanging", 0),
            before=acc.get("before", 0),
            after=acc.get("after", 0),
            line=acc.get("line"),
            line_rule=acc.get("lineRule", "auto"),
            contextual=bool(acc.get("contextual", False)),
            borders=frozenset(s for s in _BORDER_SIDES if acc.get(f"bdr_{s}")),
        )

    def run(self, r: etree._Element, p: etree._Element | None) -> RunProps:
        """Return the effective properties of w:r inside paragraph p."""
        acc: dict[str, Any] = {}
        levels = [self._rpr_default]
        levels += [st.find(w("rPr")) for st in self._chain(self._para_style(p))]
        rpr = r.find(w("rPr"))
        char_style = wattr(rpr.find(w("rStyle")) if rpr is not None else None, "val")
        if char_style is not None:
            levels += [st.find(w("rPr")) for st in self._chain(char_style)]
        levels.append(rpr)
        for level in levels:
            if level is not None:
                self._read_rpr(level, acc)
        return RunProps(
            fonts=tuple((slot, acc.get(f"font_{slot}")) for slot in _FONT_SLOTS),
            size=acc.get("size", DEFAULT_SIZE_PT),
            bold=bool(acc.get("b", False)),
            italic=bool(acc.get("i", False)),
            color=acc.get("color"),
            caps=bool(acc.get("caps", False)),
            underline=acc.get("u"),
            hidden=bool(acc.get("vanish", False)),
            boxed=bool(acc.get("bdr", False)),
        )

    def _read_rpr(self, rpr: etree._Element, acc: dict[str, Any]) -> None:
        fonts = rpr.find(w("rFonts"))
        if fonts is not None:
            for slot in _FONT_SLOTS:
                theme = wattr(fonts, f"{slot}Theme")
                if theme is not None:
                    acc[f"font_{slot}"] = self._theme.get(theme, f"{theme} (phông chủ đề)")
                elif wattr(fonts, slot) is not None:
                    acc[f"font_{slot}"] = wattr(fonts, slot)
        size = rpr.find(w("sz"))
        if size is not None and twips(wattr(size, "val")) is not None:
            acc["size"] = (twips(wattr(size, "val")) or 0) / 2
        for tag in ("b", "i", "caps", "vanish"):
            value = is_on(rpr.find(w(tag)))
            if value is not None:
                acc[tag] = value
        color = rpr.find(w("color"))
        if color is not None and wattr(color, "val") is not None:
            acc["color"] = wattr(color, "val")
        underline = rpr.find(w("u"))
        if underline is not None:
            kind = wattr(underline, "val") or "single"
            acc["u"] = None if kind == "none" else kind
        box = rpr.find(w("bdr"))
        if box is not None:
            acc["bdr"] = (wattr(box, "val") or "nil") not in _NO_BORDER


def _read_ppr(ppr: etree._Element, acc: dict[str, Any]) -> None:
    jc = ppr.find(w("jc"))
    if jc is not None and wattr(jc, "val") is not None:
        acc["jc"] = wattr(jc, "val")
    ind = ppr.find(w("ind"))
    if ind is not None:
        for key, names in (("left", ("left", "start")), ("right", ("right", "end"))):
            for name in names:
                if twips(wattr(ind, name)) is not None:
                    acc[key] = twips(wattr(ind, name))
                    break
        # firstLine and hanging exclude each other: the level that sets one clears the other.
        if twips(wattr(ind, "firstLine")) is not None:
            acc["firstLine"], acc["hanging"] = twips(wattr(ind, "firstLine")), 0
        if twips(wattr(ind, "hanging")) is not None:
            acc["hanging"], acc["firstLine"] = twips(wattr(ind, "hanging")), 0
    spacing = ppr.find(w("spacing"))
    if spacing is not None:
        for name in ("before", "after", "line"):
            if twips(wattr(spacing, name)) is not None:
                acc[name] = twips(wattr(spacing, name))
        for name in ("beforeAutospacing", "afterAutospacing"):
            if is_on_attr(wattr(spacing, name)):
                acc[name.removesuffix("Autospacing")] = 280  # Word uses 14 pt for auto spacing
        if wattr(spacing, "lineRule") is not None:
            acc["lineRule"] = wattr(spacing, "lineRule")
    contextual = is_on(ppr.find(w("contextualSpacing")))
    if contextual is not None:
        acc["contextual"] = contextual
    borders = ppr.find(w("pBdr"))
    if borders is not None:
        for side in _BORDER_SIDES:
            el = borders.find(w(side))
            if el is not None:
                acc[f"bdr_{side}"] = (wattr(el, "val") or "nil") not in _NO_BORDER


def is_on_attr(value: str | None) -> bool:
    """Read an on/off attribute value ("1", "true", "on")."""
    return value in ("1", "true", "on")
