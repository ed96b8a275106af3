"""Word data for the text checks, loaded once per process, and the one-pass matcher over it.

All lists in ``rules/`` (protected terms and their generated variants, typos, sensitive words, outdated
names, illicit spam terms) go into **one** Aho-Corasick automaton (pyahocorasick), so a page is scanned
once whatever the number of lists. jieba (bundled dictionary only, initialised lazily) is consulted only
around candidate matches, to reject a match that straddles a word boundary or sits inside a longer word:
that keeps throughput at several MB of text per second.

Public entry points: :func:`lexicon` (the cached :class:`Lexicon`) and :meth:`Lexicon.scan`. The entries are
stored compactly (:mod:`xunjian.checks.lextable`) and the built lexicon is kept on disk
(:mod:`xunjian.checks.lexcache`), so a check process loads it instead of building it.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import ahocorasick
import yaml

from xunjian.checks import lexcache
from xunjian.checks.idioms import MIN_IDIOM_FREQ, IdiomIndex, jieba_idioms
from xunjian.checks.lextable import LENGTH_BITS, LENGTH_MASK, Entry, EntryTable, automaton, char_rank, pack
from xunjian.checks.outdated import former_prefix, outdated_family_terms
from xunjian.config import RULES_DIR

#: Pseudo-code of a correct protected form: it guards the text it covers and is never reported.
GUARD = "GUARD"
#: Characters never substituted when generating variants (numbers legitimately differ: 二十大 / 十九大).
_NO_VARY = set("一二三四五六七八九十百千两零〇")
_UPPER = re.compile("[A-Z]")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_CODE_RANK = {GUARD: 0, "TX001": 1, "SC002": 2, "TX003": 3, "TX002": 4, "TX004": 5}
#: Codes whose terms are names: a dictionary word that only prefixes them (市工商局) does not cancel them.
_SUFFIX_OK = frozenset({"TX003", "TX004", "SC002"})
_jieba_lock = threading.Lock()
_IDIOM_SOURCE = "variant:jieba-idioms"
_NOT_WORDS4 = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz", "m", "t"})


@dataclass(frozen=True, slots=True)
class Match:
    """A candidate that survived every filter: ``text[start:end] == entry.pattern`` (ASCII case aside)."""

    entry: Entry
    start: int
    end: int
    text: str

    @property
    def code(self) -> str:
        return self.entry.code

    def context(self, width: int = 20) -> str:
        return self.text[max(0, self.start - width): self.end + width]


@cache
def _jieba():
    """jieba, initialised with its bundled dict.txt (nothing is downloaded): the prefix dictionary comes from
    the build cache (:func:`~xunjian.checks.lexcache.load_jieba_dict`), else jieba builds it and it is cached."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _jieba_lock:
        dt = jieba.dt
        if not dt.initialized and dt.dictionary == jieba.DEFAULT_DICT:
            cached = lexcache.load_jieba_dict()
            if cached is not None:
                dt.FREQ, dt.total = cached
                dt.initialized = True
            else:
                jieba.initialize()
                lexcache.store_jieba_dict(dt.FREQ, dt.total)
            lexcache.release_memory(collect=False)
        jieba.initialize()
    return jieba


def _is_word(word: str) -> bool:
    return bool(_jieba().dt.FREQ.get(word))


def _gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return "\u4e00" <= ch <= "\u9fff"


def _read_lines(path: Path) -> Iterator[list[str]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.rstrip("\n").split("\t")


def load_confusion(rules_dir: Path = RULES_DIR) -> dict[str, set[str]]:
    """Character -> characters of the same pronunciation (any tone) or a similar shape.

    Each character is one string object however many sets hold it (70,000 places, 7,000 characters)."""
    conf: dict[str, set[str]] = {}
    chars: dict[str, str] = {}
    for parts in _read_lines(rules_dir / "confusion_pinyin.txt"):
        if len(parts) >= 2 and len(parts[0]) == 1:
            conf.setdefault(chars.setdefault(parts[0], parts[0]), set()).update(
                chars.setdefault(c, c) for c in "".join(parts[1:]))
    for name in ("confusion_shape.txt", "confusion_shape_extra.txt"):
        for parts in _read_lines(rules_dir / name):
            _add_group(conf, [chars.setdefault(p, p) for p in parts if len(p) == 1])
    return conf


def _add_group(conf: dict[str, set[str]], group: list[str]) -> None:
    for ch in group:
        conf.setdefault(ch, set()).update(c for c in group if c != ch)


#: A word this frequent in jieba's dictionary makes a variant ordinary text (四个意识 -> 四个意思, 意思 6,089);
#: a rare one does not (四个自信 -> 四个自性, 自性 32).
COMMON_WORD = 300


def _creates_word(variant: str, pos: int, min_freq: int = 1) -> bool:
    """True if the changed character at ``pos`` forms a dictionary word (``min_freq`` or more) with its neighbours."""
    freq = _jieba().dt.FREQ
    for a in range(max(0, pos - 4), pos + 1):
        for b in range(pos + 1, min(len(variant), a + 6) + 1):
            if b - a >= 2 and freq.get(variant[a:b], 0) >= min_freq:
                return True
    return False


def _variant_ok(term: str, variant: str, pos: int, name: str | None, offset: int, filtered: bool) -> bool:
    """Keep the one-character variant of ``term`` at ``pos``?

    A name with a title anchors the rest: with the name intact a changed title (习近平同治) is never ordinary
    text; a two-character name changed before 同志 is another person's name (李蔷同志), so it is not a
    variant, while before a unique office (李墙总理, 国务院总理李墙) it is.
    """
    if name:
        in_name = offset <= pos < offset + len(name)
        if not in_name:
            return True
        if len(name) == 2 and term.endswith("同志"):
            return False
    return not (filtered and _creates_word(variant, pos, COMMON_WORD))


def protected_variants(term: str, name: str | None, conf: dict[str, set[str]],
                       always_filter: bool = False) -> set[str]:
    """One-character confusion variants of ``term``, and two adjacent characters of ``name`` swapped.

    For short terms (five characters or fewer, or with ``always_filter``) a variant whose changed character
    forms a common dictionary word with its neighbours is dropped (四个意识 -> 四个意思 is ordinary Chinese); a
    longer variant cannot be ordinary text (全国人民代表大会堂务委员会 contains 会堂 and is still wrong).
    """
    check_words = always_filter or len(term) <= 5
    offset = term.find(name) if name else 0
    out: set[str] = set()
    for pos in range(len(term)):
        ch = term[pos]
        if ch in _NO_VARY:
            continue
        for alt in conf.get(ch, ()):
            if alt != ch and _gb2312(alt) and alt not in _NO_VARY:
                variant = term[:pos] + alt + term[pos + 1:]
                if _variant_ok(term, variant, pos, name, offset, check_words):
                    out.add(variant)
    if name and len(name) >= 2:
        for i in range(offset, offset + len(name) - 1):
            out.add(term[:i] + term[i + 1] + term[i] + term[i + 2:])
    out.discard(term)
    return out


def vocab_variants(word: str, conf: dict[str, set[str]]) -> set[str]:
    """One-character variants of a vocabulary word whose changed character forms no dictionary word."""
    out = set()
    for pos, ch in enumerate(word):
        for alt in conf.get(ch, ()) if ch not in _NO_VARY else ():
            variant = word[:pos] + alt + word[pos + 1:]
            if alt != ch and _gb2312(alt) and alt not in _NO_VARY and not _creates_word(variant, pos):
                out.add(variant)
    return out


def _protected(rules_dir: Path, conf: dict[str, set[str]]) -> Iterator[Entry]:
    data = yaml.safe_load((rules_dir / "protected_terms.yaml").read_text(encoding="utf-8"))
    terms = data.get("terms") or []
    correct = {t["term"] for t in terms}
    banned = set(data.get("not_variants") or []) | correct
    for t in terms:
        yield Entry(GUARD, t["term"], t["term"], t.get("category", ""), t.get("source", ""))
    for t in terms:
        for variant in sorted(protected_variants(t["term"], t.get("name"), conf) - banned):
            yield Entry("TX001", variant, t["term"], t.get("category", ""), "variant:" + t.get("source", ""))
    for k in data.get("known_errors") or []:
        yield Entry("TX001", k["wrong"], k["right"], k.get("category", ""), k.get("source", ""))


def _vocab_variants(rules_dir: Path, conf: dict[str, set[str]]) -> Iterator[Entry]:
    """TX002 for one-character confusion variants of the 公文 vocabulary (not themselves words)."""
    path = rules_dir / "gongwen_vocab.txt"
    if not path.exists():
        return
    seen: set[str] = set()
    for parts in _read_lines(path):
        word = parts[0]
        for variant in sorted(vocab_variants(word, conf)):
            if variant not in seen and not _is_word(variant):
                seen.add(variant)
                yield Entry("TX002", variant, word, "vocab-variant", "variant:gongwen_vocab.txt")


def _typos(rules_dir: Path) -> Iterator[Entry]:
    for name in ("typos.txt", "typos_extra.txt"):
        path = rules_dir / name
        if path.exists():
            for parts in _read_lines(path):
                if len(parts) >= 2 and parts[0] != parts[1]:
                    cat = parts[2] if len(parts) > 2 else ""
                    src = parts[3] if len(parts) > 3 else name
                    yield Entry("TX002", parts[0], parts[1], cat, src)


def _sensitive(rules_dir: Path) -> Iterator[Entry]:
    data = yaml.safe_load((rules_dir / "sensitive.yaml").read_text(encoding="utf-8"))
    for cat, spec in (data.get("categories") or {}).items():
        for key, weak in (("words", False), ("context_words", True)):
            for word in spec.get(key) or []:
                word = str(word).removesuffix("(x)")
                yield Entry("TX003", word, "", cat, spec.get("source", ""), spec.get("severity"), weak=weak,
                            label=spec.get("label", cat))


def _outdated(rules_dir: Path) -> Iterator[Entry]:
    data = yaml.safe_load((rules_dir / "outdated_terms.yaml").read_text(encoding="utf-8"))
    defaults = data.get("defaults") or {}
    for t in [*(data.get("terms") or []), *outdated_family_terms(data)]:
        yield Entry("TX004", t["term"], t["current"], t.get("category", ""), f"{t.get('reform', '')}年机构改革",
                    not_after=tuple(t.get("not_after", defaults.get("not_after", ()))),
                    not_before=tuple(t.get("not_before", defaults.get("not_before", ()))))


def _illicit(rules_dir: Path) -> Iterator[Entry]:
    data = yaml.safe_load((rules_dir / "illicit.yaml").read_text(encoding="utf-8"))
    for cat, spec in (data.get("categories") or {}).items():
        for strength in ("strong", "weak"):
            for word in spec.get(strength) or []:
                yield Entry("SC002", str(word), "", cat, "illicit.yaml", weak=strength == "weak",
                            label=spec.get("label", cat))


@dataclass
class Lexicon:
    """Every list in one automaton; ``counts`` says how many patterns each code contributed.

    The automaton's value for a pattern is an int (:func:`~xunjian.checks.lextable.pack`): the pattern's group of
    entries in ``table`` and its length."""

    automaton: ahocorasick.Automaton
    table: EntryTable
    counts: dict[str, int] = field(default_factory=dict)
    idioms: IdiomIndex | None = None

    @classmethod
    def build(cls, entries: Iterable[Entry], char_rank: dict[str, int] | None = None) -> Lexicon:
        """The automaton of ``entries``; ``char_rank`` orders its nodes' children (:func:`~lextable.automaton`)."""
        table: dict[str, list[Entry]] = {}
        for entry in entries:
            table.setdefault(entry.pattern.translate(_ASCII_LOWER), []).append(entry)
        counts: dict[str, int] = {}
        words: list[tuple[str, int]] = []
        for g, (pattern, group) in enumerate(table.items()):
            group.sort(key=lambda e: _CODE_RANK.get(e.code, 9))
            words.append((pattern, pack(g, len(pattern))))
            counts[group[0].code] = counts.get(group[0].code, 0) + 1
        return cls(automaton(words, char_rank), EntryTable(table.values()), counts)

    def candidates(self, text: str) -> list[tuple[int, int, tuple[Entry, ...]]]:
        """Every raw occurrence (start, end, entries), in order of end position."""
        if not text:
            return []
        low = text.translate(_ASCII_LOWER) if _UPPER.search(text) else text
        group = self.table.group
        return [(end - (v & LENGTH_MASK) + 1, end + 1, group(v >> LENGTH_BITS))
                for end, v in self.automaton.iter(low) if v]

    def scan(self, text: str, codes: frozenset[str] | None = None) -> list[Match]:
        """Matches of every list in ``text`` after the guard, context and word-boundary filters."""
        raw = self.candidates(text)
        want_idioms = self.idioms is not None and (codes is None or "TX002" in codes)
        if not raw and not want_idioms:
            return []
        guards = [(s, e) for s, e, group in raw if group[0].code == GUARD]
        found: list[Match] = []
        for s, e, group in raw:
            for entry in group:
                if entry.code == GUARD or (codes is not None and entry.code not in codes):
                    continue
                if _guarded(s, e, guards, entry.code) or not _context_ok(text, s, e, entry):
                    continue
                found.append(Match(entry, s, e, text))
                if not (entry.weak and entry.code == "SC002"):
                    break
        if want_idioms:
            for hit in self.idioms.scan(text):
                s, e = hit.start, hit.start + 4
                e = s + len(hit.wrong)
                if not _guarded(s, e, guards, "TX002"):
                    cat = "idiom-variant" if len(hit.wrong) == 4 else "word-variant"
                    found.append(Match(Entry("TX002", hit.wrong, hit.right, cat, _IDIOM_SOURCE), s, e, text))
        return _resolve_overlaps(found, text)


def _guarded(s: int, e: int, guards: list[tuple[int, int]], code: str) -> bool:
    """A correct protected form covers the span (TX001) or overlaps it (other codes): the correct form wins.

    A TX001 variant may contain a shorter correct term (全国人民代表大会常务委员绘 contains 全国人民代表大会).
    """
    if code == "TX001":
        return any(gs < e and s < ge and not (s <= gs and ge <= e) for gs, ge in guards)
    return any(gs < e and s < ge for gs, ge in guards)


def _context_ok(text: str, s: int, e: int, entry: Entry) -> bool:
    if any(text.endswith(p, 0, s) for p in entry.not_after):
        return False
    if entry.code == "TX004" and former_prefix(text, s):
        return False
    return not any(text.startswith(p, e) for p in entry.not_before)


def _resolve_overlaps(found: list[Match], text: str) -> list[Match]:
    """Longest match wins where candidates overlap; then the jieba word-boundary test."""
    found.sort(key=lambda m: (-(m.end - m.start), _CODE_RANK.get(m.code, 9), m.start))
    kept: list[Match] = []
    for m in found:
        # a weak SC002 word (reported only in off-site link text) does not hide another code's match
        if any(k.start < m.end and m.start < k.end and not _weak_sc002(k, m) for k in kept):
            continue
        if on_word_boundaries(text, m.start, m.end, suffix_ok=m.code in _SUFFIX_OK, fix=m.entry.suggestion):
            kept.append(m)
    kept.sort(key=lambda m: m.start)
    return kept


def _weak_sc002(kept: Match, other: Match) -> bool:
    return kept.entry.weak and kept.code == "SC002" and other.code != "SC002"


def on_word_boundaries(text: str, s: int, e: int, margin: int = 8, suffix_ok: bool = False,
                       fix: str = "") -> bool:
    """False when jieba puts a dictionary word across the match edge or the match inside a longer word.

    With ``suffix_ok`` a longer word that only adds a prefix is accepted (市工商局 is still 工商局). A longer
    word that becomes another dictionary word once ``fix`` replaces the match is a misspelling that jieba's
    dictionary happens to hold (竟争力 / 竞争力), so it does not cancel the match either.
    """
    lo = max(0, s - margin)
    window = text[lo: e + margin]
    pos = lo
    for word in _jieba().cut(window, HMM=False):
        ws, we = pos, pos + len(word)
        pos = we
        if we <= s or ws >= e or len(word) < 2 or not _is_word(word):
            continue
        if suffix_ok and we == e and ws <= s:
            continue
        if ws <= s and e <= we and we - ws > e - s:
            fixed = word[: s - ws] + fix + word[e - ws:] if fix and len(fix) == e - s else ""
            if fixed and _is_word(fixed):
                continue
            return False
        if ws < s < we or ws < e < we:
            return False
    return True


@cache
def lexicon(rules_dir: Path = RULES_DIR) -> Lexicon:
    """The process-wide lexicon of ``rules/``: loaded from the build cache when it holds this build (a few
    hundredths of a second), else built (about 2.5 s CPU) and cached; the build's temporaries are then freed."""
    lex = lexcache.load(rules_dir)
    built = not isinstance(lex, Lexicon)
    if built:
        lex = build_lexicon(rules_dir)
        lexcache.store(rules_dir, lex)
    lexcache.release_memory(collect=built)
    if lex.idioms is not None:
        lex.idioms.with_freq(_jieba().dt.FREQ)
    return lex


def build_lexicon(rules_dir: Path = RULES_DIR) -> Lexicon:
    """Every list of ``rules_dir`` and the idiom index, built from the files (no cache)."""
    conf = load_confusion(rules_dir)
    entries = [*_protected(rules_dir, conf), *_typos(rules_dir), *_vocab_variants(rules_dir, conf),
               *_sensitive(rules_dir), *_outdated(rules_dir), *_illicit(rules_dir)]
    freq = _jieba().dt.FREQ
    lex = Lexicon.build(entries, char_rank(freq))
    # idioms and set phrases, then every other four-character word (not names, numbers or times)
    # (set phrases and other words from frequency 20: jieba gives rare ones a floor frequency of 3)
    classic = jieba_idioms(tags=frozenset({"i"}))
    idioms = {**jieba_idioms(20, tags=None, skip_tags=_NOT_WORDS4), **classic}
    for parts in _read_lines(rules_dir / "idioms.txt"):  # a 成语 dictionary: idioms jieba lacks (一代楷模)
        idioms.setdefault(parts[0], freq.get(parts[0]) or MIN_IDIOM_FREQ)
    for e in entries:  # the idioms of the curated lists (众志成城 is not tagged as one in jieba)
        if e.code == "TX002" and e.category == "idiom" and len(e.suggestion) == 4:
            idioms.setdefault(e.suggestion, freq.get(e.suggestion) or MIN_IDIOM_FREQ)
    lex.idioms = IdiomIndex(idioms, _with_listed_confusions(conf, entries), freq, frozenset(classic))
    lex.counts["TX002-idioms"] = len(lex.idioms)
    return lex


def _with_listed_confusions(conf: dict[str, set[str]], entries: list[Entry]) -> dict[str, set[str]]:
    """The confusion sets plus the character pair of every listed four-character word mis-written in one character
    (颜/眼 of 喜笑眼开, 籁/赖 of 万赖俱寂): a pair written wrong in one listed phrase is confusable in every idiom
    (idiom index only; TX001's variants keep the published sets). Pairs mined from the CSC training sets
    (learners' slips such as 人/大) are left out; two-character pairs were tried and added a false flag on the real
    pages (成功之旅 -> 成功之路) for no held-out gain."""
    out = {k: set(v) for k, v in conf.items()}
    for e in entries:
        if (e.code == "TX002" and e.category != "vocab-variant" and not e.source.endswith("_train.tsv")
                and not e.source.endswith("_train_simplified.tsv") and len(e.pattern) == len(e.suggestion) >= 4):
            diff = [(a, b) for a, b in zip(e.pattern, e.suggestion, strict=True) if a != b]
            if len(diff) == 1:
                wrong, right = diff[0]
                out.setdefault(right, set()).add(wrong)
                out.setdefault(wrong, set()).add(right)
    return out
