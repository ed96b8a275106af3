"""The word lists' entries, stored compactly: a few arrays and shared tables, not one object per pattern.

The lexicon holds some 110,000 patterns, most of them generated confusion variants. One frozen dataclass per
pattern and a tuple per automaton value cost about 45 MB in the check process; here an entry is three array
slots (where its pattern sits in one long string, its suggestion, its kind: code, category, source...) and
the :class:`Entry` objects are made only for the patterns a text matches (kept in a bounded memo). The
automaton's value for a pattern is one int: the group of entries sharing that (lower-cased) pattern and the
pattern's length.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick

#: Groups whose Entry objects are kept made (the patterns texts actually match, and few of the others).
MEMO_GROUPS = 20_000
#: An automaton value is ``group << LENGTH_BITS | pattern length``; pyahocorasick keeps a 32-bit signed int, so
#: a pattern has at most 1,023 characters and a lexicon at most 2,097,151 groups.
LENGTH_BITS = 10
LENGTH_MASK = (1 << LENGTH_BITS) - 1


@dataclass(frozen=True, slots=True)
class Entry:
    """One pattern of one list: what it flags and what to suggest instead."""

    code: str
    pattern: str
    suggestion: str = ""
    category: str = ""
    source: str = ""
    severity: str | None = None
    weak: bool = False
    not_after: tuple[str, ...] = ()
    not_before: tuple[str, ...] = ()
    label: str = ""


def _kind(e: Entry) -> tuple:
    return e.code, e.category, e.source, e.severity, e.weak, e.not_after, e.not_before, e.label


def pack(group: int, length: int) -> int:
    """The automaton value of a pattern: its group and its length in one int."""
    if not 0 < length <= LENGTH_MASK or not 0 <= group < 1 << (31 - LENGTH_BITS):
        raise ValueError(f"pattern length {length} or group {group} out of range")
    return group << LENGTH_BITS | length


class EntryTable:
    """Entries by group: group ``g`` is entries ``starts[g]`` to ``starts[g + 1]``, in the given order."""

    def __init__(self, groups: Iterable[Sequence[Entry]]) -> None:
        strings: dict[str, int] = {}
        kinds: dict[tuple, int] = {}
        patterns: list[str] = []
        self._offsets = array("I", [0])
        self._suggestions = array("I")
        self._kinds = array("I")
        self._starts = array("I", [0])
        for group in groups:
            for e in group:
                patterns.append(e.pattern)
                self._offsets.append(self._offsets[-1] + len(e.pattern))
                self._suggestions.append(strings.setdefault(e.suggestion, len(strings)))
                self._kinds.append(kinds.setdefault(_kind(e), len(kinds)))
            self._starts.append(len(self._suggestions))
        self._patterns = "".join(patterns)
        self._strings = tuple(strings)
        self._kind_table = tuple(kinds)
        self._memo: dict[int, tuple[Entry, ...]] = {}

    def __len__(self) -> int:
        return len(self._starts) - 1

    def entry(self, i: int) -> Entry:
        code, category, source, severity, weak, not_after, not_before, label = self._kind_table[self._kinds[i]]
        pattern = self._patterns[self._offsets[i]:self._offsets[i + 1]]
        return Entry(code, pattern, self._strings[self._suggestions[i]], category, source, severity, weak,
                     not_after, not_before, label)

    def group(self, g: int) -> tuple[Entry, ...]:
        """The entries of group ``g`` (made once, then kept while the memo is not full)."""
        found = self._memo.get(g)
        if found is None:
            found = tuple(self.entry(i) for i in range(self._starts[g], self._starts[g + 1]))
            if len(self._memo) >= MEMO_GROUPS:
                self._memo.clear()
            self._memo[g] = found
        return found

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_memo"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _memo={})


#: Characters of page text looked up first among the automaton root's children (see :func:`automaton`), and
#: the character after those that start no pattern in their never-matching pattern (a noncharacter).
COMMON_CHARS = ("\n ，。、：；！？“”（）《》—·…%.,:;-/_()0123456789abcdefghijklmnopqrstuvwxyz"
                "的一是不了在人有我他这中大来上国个到说们为子和你地出道也时年")
NEVER = "\uffff"


def automaton(words: Iterable[tuple[str, int]], rank: dict[str, int] | None = None) -> ahocorasick.Automaton:
    """The automaton of ``(pattern, value)`` (values above 0), with every node's children commonest first.

    pyahocorasick looks a character up among a node's children one by one, and the root has some 3,000
    (every first character of a pattern): the patterns are added in the order of their characters' ``rank``
    (:func:`char_rank`; :data:`COMMON_CHARS` first), and each of :data:`COMMON_CHARS` that starts no pattern
    gets a never-matching pattern (value 0, which a reader skips), so the look-up of most characters of a text
    ends early. The matches are the same in any order."""
    words = list(words)
    firsts = {p[0] for p, _ in words}
    words += [(ch + NEVER, 0) for ch in COMMON_CHARS if ch not in firsts]
    order = {ch: i for i, ch in enumerate(COMMON_CHARS)}
    for ch, r in (rank or {}).items():
        order.setdefault(ch, len(COMMON_CHARS) + r)
    auto = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for pattern, value in sorted(words, key=lambda w: [order.get(ch, 1 << 30) for ch in w[0]]):
        auto.add_word(pattern, value)
    auto.make_automaton()
    return auto


def char_rank(freq: dict[str, int]) -> dict[str, int]:
    """Character -> rank by how often it is written (0 the commonest): the frequency of the words holding it."""
    weight: dict[str, int] = {}
    for word, f in freq.items():
        if f:
            for ch in word:
                weight[ch] = weight.get(ch, 0) + f
    return {ch: i for i, ch in enumerate(sorted(weight, key=weight.__getitem__, reverse=True))}
