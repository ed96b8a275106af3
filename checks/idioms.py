"""Mis-written four-character idioms (成语) for TX002, found without listing every wrong form.

jieba's bundled dictionary tags about 22,000 four-character idioms. Writing each idiom's confusion variants
into the Aho-Corasick automaton would add some 800,000 patterns, so the idioms are indexed instead by their
four "one character left out" keys (一?作气, 一鼓?气 ...): a four-character window of text that matches a key,
differs from the idiom in exactly that character, and has there a character of the idiom character's
confusion set (same sound, similar shape) is the idiom mis-written. 88,000 keys, four dictionary look-ups
per character of text.

A window that is itself a dictionary word, or that contains a dictionary word across the changed
character that is commoner than the idiom (a real phrase, not a typo), is not reported; the word-boundary
filter of :mod:`xunjian.checks.wordlists` then applies as to every other match.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

#: Idioms rarer than this in jieba's dictionary are too obscure: their variants are often ordinary text.
MIN_IDIOM_FREQ = 3
#: Numerals legitimately differ between idioms and text (一心一意 / 三心二意).
_NUMERALS = frozenset("一二三四五六七八九十百千万两零〇")
#: Function characters: swapping them gives another phrase, not a typo (人的关系 / 人地关系, 和则 / 合则).
_FUNCTION = frozenset("的地得和合与及了着过在是有之其而")
_SKIP = _NUMERALS | _FUNCTION
_CJK4 = re.compile(r"[\u4e00-\u9fff]{4}")


@dataclass(frozen=True, slots=True)
class IdiomHit:
    start: int
    wrong: str
    right: str


class IdiomIndex:
    """Four-character idioms by their one-character-left-out keys."""

    def __init__(self, idioms: dict[str, int], conf: dict[str, set[str]], freq: dict[str, int]) -> None:
        self._keys: dict[str, list[str]] = {}
        self._conf = conf
        self._freq = freq
        self._idioms = idioms
        for idiom in idioms:
            for i in range(4):
                self._keys.setdefault(idiom[:i] + "?" + idiom[i + 1:], []).append(idiom)

    def __len__(self) -> int:
        return len(self._idioms)

    def scan(self, text: str) -> Iterator[IdiomHit]:
        """Every window of ``text`` that is one confusable character away from an idiom."""
        keys, conf, freq = self._keys, self._conf, self._freq
        for j in range(len(text) - 3):
            window = text[j:j + 4]
            if freq.get(window) or not _CJK4.fullmatch(window):
                continue
            for i in range(4):
                for idiom in keys.get(window[:i] + "?" + window[i + 1:], ()):
                    wrong, right = window[i], idiom[i]
                    if wrong in _SKIP or right in _SKIP or wrong not in conf.get(right, ()):
                        continue
                    if not self._real_phrase(window, i, self._idioms[idiom]):
                        yield IdiomHit(j, window, idiom)

    def _real_phrase(self, window: str, i: int, idiom_freq: int) -> bool:
        """A word across the changed character commoner than the idiom: the window is a real phrase."""
        for a in range(0, i + 1):
            for b in range(i + 1, 5):
                if b - a >= 2 and self._freq.get(window[a:b], 0) > max(idiom_freq, 50):
                    return True
        return False


def jieba_idioms(min_freq: int = MIN_IDIOM_FREQ, tags: frozenset[str] = frozenset({"i", "l"})) -> dict[str, int]:
    """Four-character idioms and set phrases (POS tags ``i``, ``l``) of jieba's dictionary, with frequency."""
    import jieba

    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    out: dict[str, int] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and parts[2] in tags and len(parts[0]) == 4 and int(parts[1]) >= min_freq:
                if _CJK4.fullmatch(parts[0]):
                    out[parts[0]] = int(parts[1])
    return out
