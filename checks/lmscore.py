"""The language-model side of TX005: candidates from the confusion sets, their trigram gain, their features.

For one sentence:

1. segment it once (jieba's bundled dictionary, no HMM; a token the language model does not know is split
   greedily into tokens it knows);
2. for every character, every confusable character (same sound, any tone; similar shape) that makes a
   dictionary word of two to four characters with its neighbours is a candidate;
3. the candidate's *gain* is the word-trigram log10 probability of a small window (two tokens either side)
   with the candidate word minus the same window as written;
4. :func:`features` turns gain, word frequencies and the kind of confusion into the inputs of the logistic
   regression whose weights ``benchmarks/train_tx005.py`` writes into ``rules/tx005_weights.json``.

The model is Debian's ``libime-data-language-model`` (``zh_CN.lm``, a KenLM binary word trigram from
fcitx's libime, LGPL-2.1+), read with PyPI's ``kenlm``; any ARPA file works too (the unit tests use one).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import compress, repeat
from operator import add
from pathlib import Path

from xunjian.checks.wordlists import _gb2312, _jieba, _read_lines
from xunjian.config import RULES_DIR

FEATURES = ("gain", "gain_per_char", "log_word_freq", "log_orig_freq", "orig_single", "orig_known",
            "same_tone", "shape", "word_len", "context_gain", "orig_logp", "bias_term")
#: Characters never changed nor introduced: numerals differ legitimately (二十大 / 十九大).
NUMERALS = frozenset("一二三四五六七八九十百千万亿两零〇壹贰叁肆伍陆柒捌玖拾")
#: Function characters whose swaps are grammar, not spelling (的/地/得, 在/再 are left to people).
FUNCTION = frozenset("的地得了着过吗呢吧啊么")
MIN_WORD_FREQ = 5
CONTEXT = 2


@dataclass(frozen=True, slots=True)
class Candidate:
    """Replace ``sentence[start:end]`` (the written word) by ``word``; ``pos`` is the changed character."""

    start: int
    end: int
    pos: int
    word: str
    x: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Confusions:
    same_tone: dict[str, frozenset[str]]
    other_tone: dict[str, frozenset[str]]
    shape: dict[str, frozenset[str]]

    def alternatives(self, ch: str) -> frozenset[str]:
        return self.same_tone.get(ch, frozenset()) | self.other_tone.get(ch, frozenset()) | self.shape.get(
            ch, frozenset())


def load_confusions(rules_dir: Path = RULES_DIR) -> Confusions:
    same: dict[str, set[str]] = {}
    other: dict[str, set[str]] = {}
    shape: dict[str, set[str]] = {}
    for parts in _read_lines(rules_dir / "confusion_pinyin.txt"):
        if len(parts) >= 2 and len(parts[0]) == 1:
            same.setdefault(parts[0], set()).update(parts[1])
            if len(parts) > 2:
                other.setdefault(parts[0], set()).update(parts[2])
    for name in ("confusion_shape.txt", "confusion_shape_extra.txt"):
        for parts in _read_lines(rules_dir / name):
            group = [p for p in parts if len(p) == 1]
            for ch in group:
                shape.setdefault(ch, set()).update(c for c in group if c != ch)

    def clean(d: dict[str, set[str]]) -> dict[str, frozenset[str]]:
        return {k: frozenset(c for c in v if c != k and _gb2312(c) and c not in NUMERALS) for k, v in d.items()}

    return Confusions(clean(same), clean(other), clean(shape))


class Scorer:
    """Candidates and features of one sentence against one language model and one dictionary."""

    def __init__(self, model, conf: Confusions, freq: dict[str, int] | None = None,
                 min_word_freq: int = MIN_WORD_FREQ) -> None:
        self.model = model
        self.conf = conf
        self.freq = freq if freq is not None else _jieba().dt.FREQ
        self.min_word_freq = min_word_freq
        # jieba's FREQ holds every prefix of its words (frequency 0): a word can only grow from a known prefix
        self.prefixes = self.freq if freq is None else {w[:i] for w in freq for i in range(1, len(w) + 1)}
        self._alts: dict[str, tuple[str, ...]] = {}
        self._before, self._after = bigram_index(self.prefixes)
        self._last: tuple[str, list[tuple[int, int]]] = ("", [])

    # -- segmentation ---------------------------------------------------------------------------------
    def split_known(self, text: str) -> list[str]:
        """``text`` as tokens the language model knows: longest known prefix first, else one character."""
        out, i, model = [], 0, self.model
        while i < len(text):
            for n in range(min(4, len(text) - i), 0, -1):
                if n == 1 or text[i:i + n] in model:
                    out.append(text[i:i + n])
                    i += n
                    break
        return out

    def tokens(self, sentence: str) -> list[tuple[int, int]]:
        """Token spans of ``sentence``: jieba words, unknown ones split into known pieces (the last sentence's
        are kept: the skipped positions and the candidates of one sentence segment it once)."""
        if self._last[0] == sentence:
            return self._last[1]
        spans, pos = [], 0
        for word in _jieba().cut(sentence, HMM=False):
            if len(word) > 1 and word not in self.model:
                for piece in self.split_known(word):
                    spans.append((pos, pos + len(piece)))
                    pos += len(piece)
            else:
                spans.append((pos, pos + len(word)))
                pos += len(word)
        self._last = (sentence, spans)
        return spans

    # -- candidates -----------------------------------------------------------------------------------
    def candidates(self, sentence: str, skip: set[int] | frozenset[int] = frozenset()) -> list[Candidate]:
        spans = self.tokens(sentence)
        owner = [0] * len(sentence)
        for k, (a, b) in enumerate(spans):
            for p in range(a, b):
                owner[p] = k
        out: list[Candidate] = []
        base_cache: dict[tuple[int, int], tuple] = {}
        for pos, ch in enumerate(sentence):
            if pos in skip or ch in NUMERALS or ch in FUNCTION or not _gb2312(ch):
                continue
            for alt, start, end in self._words_at(sentence, pos, skip):
                x = self._features(sentence, spans, owner, pos, alt, start, end, base_cache)
                out.append(Candidate(start, end, pos, sentence[start:pos] + alt + sentence[pos + 1:end], x))
        return out

    def _words_at(self, s: str, pos: int, skip) -> Iterator[tuple[str, int, int]]:
        """Each alternative of ``s[pos]`` that makes a known word, with its most frequent frame (start, end).

        Same result as :meth:`_words_at_all`, walking only frames whose word can exist: the text left of
        ``pos`` must be a dictionary prefix, and a frame that is no prefix ends the longer ones of its
        start."""
        if self.min_word_freq < 1:  # a frequency-0 word would count: no pruning
            yield from self._words_at_all(s, pos, skip)
            return
        alts = self.alternatives(s[pos])
        if not alts or pos in skip:
            return
        freq, prefixes, model, minf = self.freq, self.prefixes, self.model, self.min_word_freq
        first, last = max(0, pos - 3), min(len(s), pos + 4)  # frames lie in [first, last), clear of skip
        for p in range(pos - 1, first - 1, -1):
            if p in skip:
                first = p + 1
                break
        for p in range(pos + 1, last):
            if p in skip:
                last = p
                break
        groups = []
        for start in range(first, pos + 1):
            left = s[start:pos]
            if left and left not in prefixes:
                continue
            rights = [s[pos + 1:end] for end in range(max(pos + 1, start + 2), min(last, start + 4) + 1)]
            if rights:
                groups.append((left, start, rights))
        if not groups:
            return
        has = prefixes.__contains__
        # per frame start, the alternatives whose shortest word there is a prefix (C-level maps, no loop)
        hits = [self._hits(alts, left, rights[0], has) for left, _, rights in groups]
        live = set().union(*hits)
        for alt in filter(live.__contains__, alts):
            best = None
            for (left, start, rights), hit in zip(groups, hits):
                if alt not in hit:
                    continue
                stem = left + alt
                for right in rights:
                    word = stem + right
                    f = freq.get(word, 0)
                    if f >= minf and (best is None or f > best[0]) and word in model:
                        best = (f, start, start + len(word))
                    if word not in prefixes:
                        break
            if best is not None:
                yield alt, best[1], best[2]

    def _hits(self, alts: tuple[str, ...], left: str, right: str, has) -> set[str]:
        """The alternatives ``alt`` for which ``left + alt + right`` is a dictionary prefix."""
        if not left and len(right) == 1:
            return set(filter(self._before.get(right, "").__contains__, alts))
        if len(left) == 1 and not right:
            return set(filter(self._after.get(left, "").__contains__, alts))
        words = map(left.__add__, alts) if not right else map(left.__add__, map(add, alts, repeat(right)))
        return set(compress(alts, map(has, words)))

    def alternatives(self, ch: str) -> tuple[str, ...]:
        """``ch``'s confusable characters but function characters, in the confusion sets' order (cached)."""
        alts = self._alts.get(ch)
        if alts is None:
            alts = self._alts[ch] = tuple(a for a in self.conf.alternatives(ch) if a not in FUNCTION)
        return alts

    def _words_at_all(self, s: str, pos: int, skip) -> Iterator[tuple[str, int, int]]:
        """The reference walk over every frame and every alternative (the fast path's test oracle)."""
        freq, model, n, minf = self.freq, self.model, len(s), self.min_word_freq
        frames = [(s[start:pos], s[pos + 1:end], start, end)
                  for start in range(max(0, pos - 3), pos + 1)
                  for end in range(max(pos + 1, start + 2), min(n, start + 4) + 1)
                  if not any(p in skip for p in range(start, end))]
        if not frames:
            return
        for alt in self.conf.alternatives(s[pos]):
            best = None
            for left, right, start, end in frames:
                f = freq.get(left + alt + right, 0)
                if f >= minf and (best is None or f > best[0]) and left + alt + right in model:
                    best = (f, start, end)
            if best is not None and alt not in FUNCTION:
                yield alt, best[1], best[2]

    # -- features -------------------------------------------------------------------------------------
    def _window_score(self, toks: list[str], at_start: bool) -> float:
        return self.model.score(" ".join(toks), bos=at_start, eos=False)

    def _features(self, s, spans, owner, pos, alt, start, end, base_cache) -> tuple[float, ...]:
        p, q = owner[start], owner[end - 1] + 1
        base = base_cache.get((p, q))
        if base is None:  # the window as written, once per written word span of the sentence
            lo, hi = max(0, p - CONTEXT), min(len(spans), q + CONTEXT)
            left = [s[a:b] for a, b in spans[lo:p]]
            right = [s[a:b] for a, b in spans[q:hi]]
            orig_mid = [s[a:b] for a, b in spans[p:q]]
            at_start = lo == 0
            whole = self._window_score(left + orig_mid + right, at_start)
            bare = self._window_score(orig_mid, False)
            logp = (self._window_score(left + orig_mid, at_start)
                    - self._window_score(left, at_start)) / len(orig_mid)
            base = base_cache[(p, q)] = (whole, bare, logp, at_start, left, right)
        whole, bare, logp, at_start, left, right = base
        word = s[start:pos] + alt + s[pos + 1:end]
        middle = self.split_known(s[spans[p][0]:start]) + [word] + self.split_known(s[end:spans[q - 1][1]])
        gain = self._window_score(left + middle + right, at_start) - whole
        context_gain = gain - (self._window_score(middle, False) - bare)
        a, b = spans[owner[pos]]
        ch, conf = s[pos], self.conf
        sound = alt in conf.same_tone.get(ch, ()) or alt in conf.other_tone.get(ch, ())
        return (gain, gain / (end - start), math.log1p(self.freq.get(word, 0)),
                math.log1p(self.freq.get(s[start:end], 0)), float(b - a == 1), float(s[a:b] in self.model),
                float(alt in conf.same_tone.get(ch, ())), float(not sound and alt in conf.shape.get(ch, ())),
                float(end - start), context_gain, logp, 1.0)


def bigram_index(prefixes) -> tuple[dict[str, str], dict[str, str]]:
    """Of every two-character prefix ``ab``: ``before[b]`` holds ``a``, ``after[a]`` holds ``b`` (strings, for
    their size: about 1 MB for jieba's dictionary)."""
    before: dict[str, list[str]] = {}
    after: dict[str, list[str]] = {}
    chars: dict[str, str] = {}  # one object per character while building: the lists stay small
    for w in prefixes:
        if len(w) == 2:
            a, b = chars.setdefault(w[0], w[0]), chars.setdefault(w[1], w[1])
            before.setdefault(b, []).append(a)
            after.setdefault(a, []).append(b)
    return ({k: "".join(v) for k, v in before.items()}, {k: "".join(v) for k, v in after.items()})


def probability(x: tuple[float, ...], weights: list[float]) -> float:
    z = sum(a * w for a, w in zip(x, weights, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
