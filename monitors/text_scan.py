"""What the text checks (``wrong_expression``, ``personal_info``) read, and their helpers.

``ScannedText`` is a crawled article or post. ``fold`` gives the text the checks match on —
each character NFKC-normalised (full-width letters, digits and punctuation become half-width)
and in lower case, zero-width characters dropped — with a map back to the original, so that
evidence always quotes the characters the page printed; a ``Folder`` folds long texts fast by
folding only the characters that can matter to the words it looks for. ``sentence_around``
cuts the sentence holding a hit for evidence.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from storage.repo import TextRow

DEFAULT_CONTEXT = 120

# Sentence ends; two ideographic spaces start a paragraph in text flattened from HTML.
_BOUNDARY = re.compile(r"[。！？；!?;\n\r]|\u3000\u3000")
# Invisible characters that a page may carry inside a word (and that would hide it).
_DROPPED = "\u00ad\u200b\u200c\u200d\u2060\ufeff"


ScannedText = TextRow
"""A crawled article or post as the text checks read it (its body may be "": only the title
known): the rows storage reads for them (``repo.texts_first_seen_since``), as they come."""


@dataclass(frozen=True)
class Folded:
    """A text as the checks match it, with the way back to the original's positions.

    The folded text is cut into pieces: a piece either maps character for character onto the
    original from ``origins[i]`` on, or (``whole[i]``) is the folding of one original character
    that became several (``…`` → ``...``)."""

    text: str
    starts: tuple[int, ...]  # where each piece starts in the folded text
    origins: tuple[int, ...]  # where it starts in the original
    whole: tuple[bool, ...]

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The original span of folded ``text[start:end]`` (end > start)."""
        return self._at(start), self._at(end - 1) + 1

    def _at(self, i: int) -> int:
        k = bisect_right(self.starts, i) - 1
        return self.origins[k] if self.whole[k] else self.origins[k] + i - self.starts[k]


@cache
def _changes() -> dict[str, str]:
    """Every character that folding changes, and what it becomes (one character, several, or
    none). Worked out once per process (~0.1 s)."""
    changes = dict.fromkeys(_DROPPED, "")
    for cp in range(0x30000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        folded = unicodedata.normalize("NFKC", c).lower()
        if folded != c:
            changes[c] = folded
    return changes


# Blocks full of characters that Chinese government text uses all the time (ASCII, general
# punctuation, CJK punctuation, enclosed numbers, ideographs, full-width forms, emoji): a
# quick test may cover any other gap between the characters it looks for, never these.
_COMMON = ((0x0000, 0x02FF), (0x2000, 0x206F), (0x2460, 0x24FF), (0x3000, 0x303F),
           (0x4E00, 0x9FFF), (0xFF00, 0xFFEF), (0x1F300, 0x1FAFF))


def _char_class(chars: Iterable[str], *, loose: bool = False) -> str:
    """A regex class of ``chars`` as ranges. ``loose``: wider ranges that also cover the
    uncommon characters between them — sre tests a few ranges several times faster than a
    hundred scattered characters, and a quick test may say yes too often, never too rarely."""
    ranges: list[tuple[int, int]] = []
    for cp in sorted({ord(c) for c in chars}):
        gap = range(ranges[-1][1] + 1, cp) if ranges else range(0)
        if ranges and (not gap or (loose and not any(
                lo <= gap[-1] and gap[0] <= hi for lo, hi in _COMMON))):
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return "[" + "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                         for a, b in ranges) + "]"


class Folder:
    """Folds text for matching words made of ``alphabet`` (folded characters), or fully.

    Folding only the characters whose folded form holds a character of the alphabet (and the
    invisible ones, which are dropped) finds exactly what a full fold finds — the others can
    take part in no match either way — and leaves most texts untouched: a full NFKC pass over
    Chinese text full of full-width punctuation costs ~0.1 µs a character."""

    def __init__(self, alphabet: Iterable[str] | None = None) -> None:
        changes = _changes()
        if alphabet is None:
            self._map = changes
        else:
            letters = set(alphabet)
            self._map = {c: f for c, f in changes.items()
                         if not f or any(ch in letters for ch in f)}
        self._re = re.compile(_char_class(self._map)) if self._map else None
        self._quick = re.compile(_char_class(self._map, loose=True)) if self._map else None

    def fold(self, text: str) -> Folded:
        """``text`` folded, with its map back to the original."""
        quick = self._quick.search(text) if self._quick is not None else None
        first = self._re.search(text, quick.start()) if quick and self._re else None
        if first is None:
            return Folded(text, (0,), (0,), (False,))
        pieces: list[str] = []
        starts: list[int] = []
        origins: list[int] = []
        whole: list[bool] = []
        length = last = 0

        def add(piece: str, origin: int, is_whole: bool) -> None:
            nonlocal length
            if piece:
                pieces.append(piece)
                starts.append(length)
                origins.append(origin)
                whole.append(is_whole)
                length += len(piece)

        assert self._re is not None
        for m in self._re.finditer(text, first.start()):
            folded = self._map[m.group()]
            add(text[last:m.start()], last, False)
            add(folded, m.start(), len(folded) != 1)
            last = m.end()
        add(text[last:], last, False)
        if not pieces:
            return Folded("", (0,), (0,), (False,))
        return Folded("".join(pieces), tuple(starts), tuple(origins), tuple(whole))


@cache
def _full() -> Folder:
    return Folder()


def fold(text: str) -> Folded:
    """``text`` folded for matching: each character NFKC-normalised and in lower case,
    zero-width characters dropped. For short strings (words, windows): a long text is folded
    faster by a ``Folder`` of the alphabet that matters."""
    return _full().fold(text)


def sentence_span(text: str, start: int, end: int,
                  limit: int = DEFAULT_CONTEXT) -> tuple[int, int]:
    """``(lo, hi)``: the sentence holding ``text[start:end]``, at most ``limit`` characters of
    it around the hit (half on each side; a short side leaves the rest to the other), without
    the whitespace at its edges. The end punctuation belongs to the sentence."""
    # only ``limit`` characters either side can be shown: look no further for a boundary
    lo = max(0, start - limit)
    for m in _BOUNDARY.finditer(text, lo, start):
        lo = m.end()
    hi = min(len(text), end + limit)
    m = _BOUNDARY.search(text, end, hi)
    if m is not None:
        hi = m.end() if m.group()[0] in "。！？；!?;" else m.start()
    while lo < start and text[lo].isspace():
        lo += 1
    while hi > end and text[hi - 1].isspace():
        hi -= 1
    left, right = start - lo, hi - end
    half = limit // 2
    keep_left = min(left, max(half, limit - right))
    keep_right = min(right, max(limit - half, limit - keep_left))
    return start - keep_left, end + keep_right


def sentence_around(text: str, start: int, end: int,
                    limit: int = DEFAULT_CONTEXT) -> tuple[str, str, str]:
    """(before, hit, after) of the sentence holding ``text[start:end]`` — split at 。！？；
    and line ends, trimmed to ``limit`` characters around the hit — for evidence that shows
    the hit highlighted (the web template escapes each part)."""
    lo, hi = sentence_span(text, start, end, limit)
    return text[lo:start], text[start:end], text[end:hi]
