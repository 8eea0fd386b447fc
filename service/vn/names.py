"""Names of bodies and their heads: where the administrative unit starts, running-text case."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from service.vn.text import fold, nfc

# Words that start the name of an administrative unit in a body's name (ỦY BAN NHÂN
# DÂN | THỊ XÃ BỈM SƠN), in capitals.
UNIT_WORDS = (
    ("THÀNH", "PHỐ"),
    ("THỊ", "XÃ"),
    ("THỊ", "TRẤN"),
    ("PHƯỜNG",),
    ("XÃ",),
    ("QUẬN",),
    ("HUYỆN",),
    ("TỈNH",),
    ("ĐẶC", "KHU"),
)


def unit_spans(words: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) word indices of each administrative unit word in ``words`` (capitals).

    "THỊ XÃ" is one unit, not "THỊ" and the commune "XÃ"; "XÃ HỘI" (society, as in
    "Lao động - Thương binh và Xã hội" or "tệ nạn xã hội") is none.
    """
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        unit = next((u for u in UNIT_WORDS if tuple(words[i : i + len(u)]) == u), None)
        if unit is None or (unit == ("XÃ",) and words[i + 1 : i + 2] == ["HỘI"]):
            i += 1
            continue
        spans.append((i, i + len(unit)))
        i += len(unit)
    return spans


# Running text writes a body's name with a capital on the first word of its kind
# and, for the kinds that name a function or field next, on the field's first word
# (nd30 Phụ lục II, tên cơ quan: "Ủy ban nhân dân", "Ban Chỉ đạo 138", "Sở Tư pháp"); a head
# named before the body keeps a capital on its title ("Chủ tịch", "Phó Chủ tịch").
# Capitals, running text (and for a kind: whether a field follows).
_HEADS = (
    ("PHÓ CHỦ TỊCH", "Phó Chủ tịch"),
    ("CHỦ TỊCH", "Chủ tịch"),
    ("PHÓ GIÁM ĐỐC", "Phó Giám đốc"),
    ("GIÁM ĐỐC", "Giám đốc"),
    ("PHÓ TRƯỞNG", "Phó Trưởng"),
    ("TRƯỞNG", "Trưởng"),
    ("CHÁNH", "Chánh"),
)
_KINDS = (
    ("ỦY BAN NHÂN DÂN", "Ủy ban nhân dân", False),
    ("HỘI ĐỒNG NHÂN DÂN", "Hội đồng nhân dân", False),
    ("CÔNG AN", "Công an", False),
    ("ỦY BAN", "Ủy ban", True),
    ("HỘI ĐỒNG", "Hội đồng", True),
    ("BAN", "Ban", True),
    ("BỘ", "Bộ", True),
    ("SỞ", "Sở", True),
    ("TỔNG CỤC", "Tổng cục", True),
    ("CỤC", "Cục", True),
    ("VỤ", "Vụ", True),
    ("VĂN PHÒNG", "Văn phòng", True),
    ("PHÒNG", "Phòng", True),
    ("TRUNG TÂM", "Trung tâm", True),
)
# Kinds found inside a name too, not only at its start ("Văn phòng Ủy ban nhân dân"):
# the short ones (BAN, PHÒNG …) are ordinary words there.
_NESTED = tuple(k for k in _KINDS if not k[2])

_LETTERS = re.compile(r"[^\W\d_]+")
# A Vietnamese syllable without its marks; a word of capitals that is none is an
# abbreviation (UBND, HĐND, BCĐ, ANTT) and keeps its capitals.
_SYLLABLE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]+(ng|nh|ch|[cmnpt])?"
)


def _abbreviation(letters: str) -> bool:
    return len(letters) > 1 and _SYLLABLE.fullmatch(fold(letters)) is None


def _cased(word: str, *, capital: bool) -> str:
    """``word`` (capitals) in lower case, its first letter a capital if ``capital``."""

    def one(m: re.Match[str]) -> str:
        letters = m.group()
        if _abbreviation(letters):
            return letters
        lower = letters.lower()
        return lower[0].upper() + lower[1:] if capital and m.start() == 0 else lower

    return _LETTERS.sub(one, word)


def _proper(word: str) -> str:
    """``word`` (capitals) of a proper name, a capital on each syllable: Bỉm Sơn, Rịa-Vũng."""

    def one(m: re.Match[str]) -> str:
        letters = m.group()
        return letters if _abbreviation(letters) else letters[0] + letters[1:].lower()

    return _LETTERS.sub(one, word)


def _phrase(
    words: Sequence[str], i: int, phrases: Sequence[tuple[str, str] | tuple[str, str, bool]]
) -> int:
    """The index in ``phrases`` of the one whose capitals start ``words[i:]``, else -1."""
    for n, phrase in enumerate(phrases):
        wanted = phrase[0].split()
        if list(words[i : i + len(wanted)]) == wanted:
            return n
    return -1


# Cached: every decision's render writes its issuer's name twice (authority line, appendix
# note), from the few names of an agency's config; 25 us a name in capitals.
@functools.lru_cache(maxsize=1024)
def running_case(name: str) -> str:
    """A body's (or its head's) name written in capitals, as running text writes it.

    "ỦY BAN NHÂN DÂN THỊ XÃ BỈM SƠN" -> "Ủy ban nhân dân thị xã Bỉm Sơn",
    "BAN CHỈ ĐẠO 138" -> "Ban Chỉ đạo 138", "CHỦ TỊCH UBND PHƯỜNG BẮC SƠN" ->
    "Chủ tịch UBND phường Bắc Sơn". Before the administrative unit only the head's
    title, the body's kind and the first word of its field take a capital; the unit
    word is lower case and each syllable of the place's name a capital. A name with
    a lower-case letter is taken as written already and returned as it is (NFC).
    Rules of thumb, not a dictionary: a proper name without an administrative unit
    before it ("CÔNG TY XI MĂNG BỈM SƠN") comes out in lower case.
    """
    name = nfc(name)
    if any(ch.islower() for ch in name):
        return name
    tokens = list(re.finditer(r"\S+", name))
    words = [t.group() for t in tokens]
    spans = unit_spans(words)
    place = spans[0][0] if spans else len(words)
    unit_words = {i for start, end in spans for i in range(start, end)}
    body = words[:place]
    out: list[str] = []
    i = 0
    field = True  # the next word takes a capital: the name's first, or a field's
    if (n := _phrase(body, i, _HEADS)) >= 0:
        out += _HEADS[n][1].split()
        i += len(_HEADS[n][0].split())
    if (n := _phrase(body, i, _KINDS)) >= 0:
        out += _KINDS[n][1].split()
        i += len(_KINDS[n][0].split())
        field = _KINDS[n][2]
    # Fields joined by a dash each take a capital: "Hội đồng Thi đua - Khen thưởng".
    dashed = field
    while i < place:
        if (n := _phrase(body, i, _NESTED)) >= 0:
            out += _NESTED[n][1].split()
            i += len(_NESTED[n][0].split())
            continue
        capital = field or (dashed and i > 0 and words[i - 1] == "-")
        out.append(_cased(words[i], capital=capital))
        field = False
        i += 1
    for j in range(place, len(words)):
        out.append(_cased(words[j], capital=False) if j in unit_words else _proper(words[j]))
    # Put the words back between the original spaces.
    pieces = [name[: tokens[0].start()]] if tokens else [name]
    for k, (token, word) in enumerate(zip(tokens, out, strict=True)):
        end = tokens[k + 1].start() if k + 1 < len(tokens) else len(name)
        pieces.append(word + name[token.end() : end])
    return "".join(pieces)
