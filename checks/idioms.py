"""Mis-written four-character idioms (成语) for TX002, found without listing every wrong form.

jieba's bundled dictionary tags about 22,000 four-character idioms. Writing each idiom's confusion variants
into the Aho-Corasick automaton would add some 800,000 patterns, so the idioms are indexed instead by their
four "one character left out" keys (一?作气, 一鼓?气 ...): a four-character window of text that matches a key,
differs from the idiom in exactly that character, and has there a character of the idiom character's
confusion set (same sound, similar shape) is the idiom mis-written. The keys are looked up through the
idioms' first and last two characters (two dictionary look-ups per character of text).

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
#: Function characters that may be the mis-written one inside a true idiom (迫再眉睫 / 迫在眉睫); the
#: others make grammar, not typos, next to any word (奇怪的事 / 奇怪的是, 人的关系 / 人地关系).
_IDIOM_FUNCTION = frozenset("与及在了之其而")
#: Runs kept with their hits (a run is a phrase between punctuation, some ten characters), and the longest kept:
#: a few hundred KB at most; the cache starts over when full.
RUN_CACHE = 4096
RUN_CACHE_CHARS = 64
_CJK4 = re.compile(r"[\u4e00-\u9fff]{4}")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{3,}")
#: (Three-character words were tried and dropped: their one-character-off windows are mostly word
#: boundaries of correct text, 向政府 / 乡政府, 经济大循环 / 经济带.)


@dataclass(frozen=True, slots=True)
class IdiomHit:
    start: int
    wrong: str
    right: str


class IdiomIndex:
    """Four-character idioms by their one-character-left-out keys (any length works; only 4 is used).

    A four-character key (一?作气) keeps the first two characters or the last two, so the four-character idioms
    are indexed by their first two and by their last two characters (25,000 of each, against 145,000 keys and
    their strings); the idioms under a half are filtered by the key's other kept character. An idiom of another
    length is indexed by its keys. The confusion sets are strings (``wrong in conf[right]`` for one character).
    """

    def __init__(self, idioms: dict[str, int], conf: dict[str, set[str]], freq: dict[str, int] | None,
                 classic: frozenset[str] = frozenset()) -> None:
        #: true idioms (jieba tag ``i``) in which a function character may be the mis-written one (迫再眉睫)
        self._classic = classic
        self._conf = {k: "".join(sorted(v)) for k, v in conf.items()}
        self._freq = freq
        self._idioms = idioms
        #: first (last) two characters -> the idiom, or a tuple of idioms in insertion order (one string, not a
        #: tuple, for most halves)
        self._heads: dict[str, str | tuple[str, ...]] = {}
        self._tails: dict[str, str | tuple[str, ...]] = {}
        self._keys: dict[str, str | tuple[str, ...]] = {}  # idioms of other lengths: key -> idiom(s)
        for idiom in idioms:
            if len(idiom) == 4:
                _add(self._heads, idiom[:2], idiom)
                _add(self._tails, idiom[2:], idiom)
            else:
                for i in range(len(idiom)):
                    _add(self._keys, idiom[:i] + "?" + idiom[i + 1:], idiom)
        self._three = any(len(i) == 3 for i in idioms)
        #: run of CJK characters -> its hits (offset, wrong, right); see :meth:`scan`
        self._runs: dict[str, tuple[tuple[int, str, str], ...]] = {}

    def with_freq(self, freq: dict[str, int]) -> IdiomIndex:
        """This index consulting ``freq`` (jieba's dictionary; not kept in the lexicon's build cache)."""
        self._freq = freq
        self._runs = {}
        return self

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("_freq", "_runs")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _freq=None, _runs={})

    def __len__(self) -> int:
        return len(self._idioms)

    def scan(self, text: str) -> Iterator[IdiomHit]:
        """Every window of ``text`` that is one confusable character away from an indexed idiom.

        A window lies inside one run of CJK characters, so the hits are a function of the run: they are kept
        per run (:data:`RUN_CACHE` runs), and the nav, footer and template text of every page of a site is
        looked at once."""
        cache = self._runs
        for run in _CJK_RUN.finditer(text):
            s = run.group()
            hits = cache.get(s)
            if hits is None:
                hits = self._run_hits(s)
                if len(s) <= RUN_CACHE_CHARS:
                    if len(cache) >= RUN_CACHE:
                        cache.clear()
                    cache[s] = hits
            if hits:
                at = run.start()
                for j, wrong, right in hits:
                    yield IdiomHit(at + j, wrong, right)

    def _run_hits(self, run: str) -> tuple[tuple[int, str, str], ...]:
        """(offset, wrong, right) of every hit in one run of CJK characters.

        A four-character window is looked at only when an idiom under its last two characters keeps its second
        or first one, or an idiom under its first two keeps its fourth or third (what :meth:`_near` asks):
        most windows whose half starts or ends an idiom fail that, in a few comparisons."""
        heads, tails = self._heads, self._tails
        out = []
        if self._three:
            for j in range(len(run) - 2):
                out.extend(self._at(run, j, 3))
                if j + 4 <= len(run) and (run[j:j + 2] in heads or run[j + 2:j + 4] in tails):
                    out.extend(self._at(run, j, 4))
            return tuple((h.start, h.wrong, h.right) for h in out)
        for j in range(len(run) - 3):
            head, tail = heads.get(run[j:j + 2]), tails.get(run[j + 2:j + 4])
            if head is None and tail is None:
                continue
            ok = False
            if tail is not None:
                second, first = run[j + 1], run[j]
                ok = (tail[1] == second or tail[0] == first) if type(tail) is str else any(
                    i[1] == second or i[0] == first for i in tail)
            if not ok and head is not None:
                fourth, third = run[j + 3], run[j + 2]
                ok = (head[3] == fourth or head[2] == third) if type(head) is str else any(
                    i[3] == fourth or i[2] == third for i in head)
            if ok:
                out.extend(self._at(run, j, 4))
        return tuple((h.start, h.wrong, h.right) for h in out)

    def _near(self, window: str) -> Iterator[tuple[int, str]]:
        """(i, idiom) for every indexed idiom equal to ``window`` but at ``i``: i, then insertion order."""
        if len(window) == 4:
            tail, head = _all(self._tails.get(window[2:])), _all(self._heads.get(window[:2]))
            for i, group, kept in ((0, tail, 1), (1, tail, 0), (2, head, 3), (3, head, 2)):
                ch = window[kept]
                for idiom in group:
                    if idiom[kept] == ch:
                        yield i, idiom
            return
        for i in range(len(window)):
            for idiom in _all(self._keys.get(window[:i] + "?" + window[i + 1:])):
                yield i, idiom

    def _at(self, text: str, j: int, n: int) -> Iterator[IdiomHit]:
        window = text[j:j + n]
        if self._freq.get(window):
            return
        conf = self._conf
        for i, idiom in self._near(window):
            wrong, right = window[i], idiom[i]
            if wrong not in conf.get(right, ()) or wrong in _NUMERALS or right in _NUMERALS:
                continue
            if (wrong in _FUNCTION or right in _FUNCTION) and not (
                    idiom in self._classic and {wrong, right} & _FUNCTION <= _IDIOM_FUNCTION):
                continue
            if not self._real_phrase(window, i, self._idioms[idiom]):
                yield IdiomHit(j, window, idiom)

    def _real_phrase(self, window: str, i: int, idiom_freq: int) -> bool:
        """A word across the changed character, or the rest of the window beside a changed edge character,
        commoner than the idiom: the window is a real phrase (汇聚起现代化 is not 超现代化)."""
        bar = min(max(idiom_freq, 50), 300)
        n = len(window)
        if (i == 0 and self._freq.get(window[1:], 0) > bar) or (i == n - 1 and self._freq.get(window[:-1], 0) > bar):
            return True
        for a in range(i + 1):
            for b in range(i + 1, n + 1):
                if b - a >= 2 and self._freq.get(window[a:b], 0) > bar:
                    return True
        return False


def _add(index: dict[str, str | tuple[str, ...]], key: str, idiom: str) -> None:
    have = index.get(key)
    index[key] = idiom if have is None else (*((have,) if isinstance(have, str) else have), idiom)


def _all(found: str | tuple[str, ...] | None) -> tuple[str, ...]:
    return () if found is None else (found,) if isinstance(found, str) else found


def jieba_idioms(min_freq: int = MIN_IDIOM_FREQ, tags: frozenset[str] | None = frozenset({"i", "l"}),
                 skip_tags: frozenset[str] = frozenset()) -> dict[str, int]:
    """Four-character entries of jieba's dictionary with POS tag in ``tags`` (all when None) and not in
    ``skip_tags``, with their frequency: by default idioms and set phrases (``i``, ``l``)."""
    import jieba

    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    out: dict[str, int] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if (len(parts) == 3 and (tags is None or parts[2] in tags) and parts[2] not in skip_tags
                    and int(parts[1]) >= min_freq and _CJK4.fullmatch(parts[0])):
                out[parts[0]] = int(parts[1])
    return out

