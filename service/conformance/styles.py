"""Effective run and paragraph properties, resolved the way Word does.

Run: direct rPr > character style chain (rStyle, basedOn) > paragraph style chain (its rPr) >
w:docDefaults/rPrDefault. Paragraph: direct pPr > paragraph style chain > pPrDefault. Each
attribute inherits on its own (a style may set the size and leave the font to its base).
Table styles and numbering definitions are not applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from service.conformance.package import A_NS, w, wattr
from service.conformance.values import half_points, twips

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
        self._theme = _theme_fonts(theme)
        # Per style id, what its w:pPr / w:rPr set, its basedOn chain folded in: each style is
        # read once, however long its chain and however many paragraphs use it.
        self._folded: dict[str, dict[str, dict[str, Any]]] = {"pPr": {}, "rPr": {}}
        self._ppr_base: dict[str, Any] = {}
        self._rpr_base: dict[str, Any] = {}
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
            rpr = defaults.find(f"{w('rPrDefault')}/{w('rPr')}")
            ppr = defaults.find(f"{w('pPrDefault')}/{w('pPr')}")
            if rpr is not None:
                self._read_rpr(rpr, self._rpr_base)
            if ppr is not None:
                _read_ppr(ppr, self._ppr_base)

    def _style(self, style_id: str | None, kind: str) -> dict[str, Any]:
        """Return what the style's kind ("pPr" or "rPr") sets, its basedOn ancestors first.

        Later levels override earlier ones attribute by attribute, so folding a chain into one
        dict and laying the next level over it reads the same as reading every level in turn.
        The returned dict is shared: copy it before changing it.
        """
        folded = self._folded[kind]
        if style_id is None or style_id not in self._styles:
            return {}
        if style_id in folded:
            return folded[style_id]
        path: list[str] = []  # style_id and its ancestors up to one already folded
        seen: set[str] = set()
        current: str | None = style_id
        while current in self._styles and current not in seen and current not in folded:
            path.append(current)
            seen.add(current)
            current = wattr(self._styles[current].find(w("basedOn")), "val")
        # A basedOn loop ends the chain where it closes.
        acc = dict(folded[current]) if current in folded else {}
        for sid in reversed(path):
            props = self._styles[sid].find(w(kind))
            if props is not None:
                if kind == "rPr":
                    self._read_rpr(props, acc)
                else:
                    _read_ppr(props, acc)
            folded[sid] = dict(acc)
        return folded[style_id]

    def _para_style(self, p: etree._Element | None) -> str | None:
        if p is None:
            return self._default_para
        style = wattr(p.find(f"{w('pPr')}/{w('pStyle')}"), "val")
        return style if style in self._styles else self._default_para

    def paragraph(self, p: etree._Element) -> ParaProps:
        """Return the effective paragraph properties of w:p."""
        acc = {**self._ppr_base, **self._style(self._para_style(p), "pPr")}
        ppr = p.find(w("pPr"))
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

    def runs(self, p: etree._Element | None, rs: Iterable[etree._Element]) -> list[RunProps]:
        """Return the effective properties of each w:r of rs, all inside paragraph p.

        The paragraph's style is looked up once: finding w:pPr scans the children of p, and a
        paragraph may hold many thousands of runs.
        """
        base = {**self._rpr_base, **self._style(self._para_style(p), "rPr")}
        return [self._run(r, base) for r in rs]

    def _run(self, r: etree._Element, base: dict[str, Any]) -> RunProps:
        rpr = r.find(w("rPr"))
        char_style = wattr(rpr.find(w("rStyle")) if rpr is not None else None, "val")
        acc = {**base, **self._style(char_style, "rPr")}
        if rpr is not None:
            self._read_rpr(rpr, acc)
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
        size = half_points(rpr.find(w("sz")), "val")
        if size is not None:
            acc["size"] = size
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
                if (value := twips(ind, name)) is not None:
                    acc[key] = value
                    break
        # firstLine and hanging exclude each other: the level that sets one clears the other.
        if (value := twips(ind, "firstLine")) is not None:
            acc["firstLine"], acc["hanging"] = value, 0
        if (value := twips(ind, "hanging")) is not None:
            acc["hanging"], acc["firstLine"] = value, 0
    spacing = ppr.find(w("spacing"))
    if spacing is not None:
        for name in ("before", "after", "line"):
            if (value := twips(spacing, name)) is not None:
                acc[name] = value
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
