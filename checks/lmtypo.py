"""TX005 statistical-typo: real-word typos (机智 for 机制) judged by a language model, offline.

The candidates and their features come from :mod:`xunjian.checks.lmscore`; a logistic regression trained at
build time on train splits only (``benchmarks/train_tx005.py`` -> ``rules/tx005_weights.json``) decides.
Only the article body (the ``main`` text of pages classified as articles) is checked, never navigation,
footers or titles. Positions already covered by another TX/SC match, protected terms (the TX001 guards),
current slogans (``rules/tx005_skip.txt``), the site's ignored phrases, proper nouns of jieba's dictionary,
numerals and traditional characters are never changed.

Results are cached per sentence (hash of the sentence and its skipped positions) in an in-process LRU,
optionally persisted in SQLite (``text_lm.cache_path``), so text repeated across pages and scans is scored
once. Without the model (``apt-get install libime-data-language-model``, ``pip install kenlm``) one warning
is logged and TX005 is off.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xunjian.checks import finding
from xunjian.checks.lmscore import Scorer, load_confusions, probability
from xunjian.checks.wordlists import GUARD, _read_lines, lexicon
from xunjian.config import RULES_DIR

if TYPE_CHECKING:
    from xunjian.checks.base import CheckContext, Finding
    from xunjian.records import PageRecord

logger = logging.getLogger(__name__)
DEFAULT_MODEL = "/usr/lib/x86_64-linux-gnu/libime/zh_CN.lm"
INSTALL_HINT = ("TX005（语言模型错别字检查）已关闭：未找到语言模型 {path} 或 Python 包 kenlm。"
                "安装方法：apt-get install -y libime-data-language-model 并执行 .venv/bin/pip install kenlm"
                "（或重新运行 scripts/setup.sh）。")
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")
_PROPER_TAGS = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz"})
MAX_SENTENCE = 160


def _opt(ctx: CheckContext, key: str, default: Any = None) -> Any:
    opts = ctx.options
    value = opts.get(key) if isinstance(opts, dict) else getattr(opts, key, None)
    return default if value is None else value


def _setting(ctx: CheckContext, key: str, default: Any) -> Any:
    lm = _opt(ctx, "text_lm")
    if lm is None:
        return default
    value = lm.get(key) if isinstance(lm, dict) else getattr(lm, key, None)
    return default if value is None else value


class SentenceCache:
    """sentence key -> hits; an LRU in memory, written through to SQLite when a path is given."""

    def __init__(self, size: int = 200_000, path: str | None = None) -> None:
        self.size, self.hits, self.misses = size, 0, 0
        self._mem: OrderedDict[str, list] = OrderedDict()
        self._db = None
        if path:
            import sqlite3

            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(Path(path).expanduser()), check_same_thread=False)
            self._db.execute("CREATE TABLE IF NOT EXISTS tx005 (key TEXT PRIMARY KEY, hits TEXT NOT NULL)")

    def get(self, key: str) -> list | None:
        found = self._mem.get(key)
        if found is None and self._db is not None:
            row = self._db.execute("SELECT hits FROM tx005 WHERE key = ?", (key,)).fetchone()
            found = json.loads(row[0]) if row else None
            if found is not None:
                self._remember(key, found)
        if found is None:
            self.misses += 1
            return None
        self._mem.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: str, hits: list) -> None:
        self._remember(key, hits)
        if self._db is not None:
            self._db.execute("INSERT OR REPLACE INTO tx005 (key, hits) VALUES (?, ?)",
                             (key, json.dumps(hits, ensure_ascii=False)))
            self._db.commit()

    def _remember(self, key: str, hits: list) -> None:
        self._mem[key] = hits
        if len(self._mem) > self.size:
            self._mem.popitem(last=False)


class LMTypoChecker:
    """Sentence -> [(start, end, wrong, right, probability)] with one model, one set of weights."""

    def __init__(self, model, weights: dict[str, Any], rules_dir: Path = RULES_DIR,
                 cache: SentenceCache | None = None) -> None:
        self.weights = list(weights["weights"])
        self.threshold = float(weights["threshold"])
        self.scorer = Scorer(model, load_confusions(rules_dir), min_word_freq=int(weights.get("min_word_freq", 5)))
        self.cache = cache or SentenceCache()
        self.proper = proper_nouns()
        self.slogans = load_slogans(rules_dir)

    def skipped(self, sentence: str, extra: set[int]) -> set[int]:
        skip = set(extra)
        for start, end, group in lexicon().candidates(sentence):
            if group[0].code == GUARD:
                skip.update(range(start, end))
        for slogan in self.slogans:
            if slogan not in sentence:  # the regex only where there is a match to find
                continue
            for m in re.finditer(re.escape(slogan), sentence):
                skip.update(range(m.start(), m.end()))
        for a, b in self.scorer.tokens(sentence):
            if b - a > 1 and sentence[a:b] in self.proper:
                skip.update(range(a, b))
        return skip

    def check(self, sentence: str, extra_skip: set[int] | None = None) -> list[list]:
        extra = extra_skip or set()
        key = hashlib.sha1(f"{sentence}\x1f{sorted(extra)}".encode()).hexdigest()
        hits = self.cache.get(key)
        if hits is None:
            hits = self._score(sentence, self.skipped(sentence, extra))
            self.cache.put(key, hits)
        return hits

    def _score(self, sentence: str, skip: set[int]) -> list[list]:
        scored = []
        for c in self.scorer.candidates(sentence, skip):
            p = probability(c.x, self.weights)
            if p >= self.threshold:
                scored.append((p, c))
        scored.sort(key=lambda pc: -pc[0])
        taken: list[list] = []
        for p, c in scored:
            if all(c.end <= h[0] or h[1] <= c.start for h in taken):
                taken.append([c.start, c.end, sentence[c.start:c.end], c.word, round(p, 4)])
        return sorted(taken)


@cache
def proper_nouns() -> frozenset[str]:
    """Words jieba's dictionary tags as names of people, places, organisations and other proper nouns."""
    import jieba

    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    with open(path, encoding="utf-8") as fh:
        return frozenset(p[0] for p in (line.split() for line in fh) if len(p) == 3 and p[2] in _PROPER_TAGS)


def load_slogans(rules_dir: Path = RULES_DIR) -> tuple[str, ...]:
    path = rules_dir / "tx005_skip.txt"
    return tuple(parts[0] for parts in _read_lines(path)) if path.exists() else ()


@cache
def checker(model_path: str = DEFAULT_MODEL, cache_path: str | None = None,
            cache_size: int = 200_000) -> LMTypoChecker | None:
    """The process-wide checker, or None (one warning) when the model or kenlm is missing."""
    try:
        import kenlm

        if not Path(model_path).is_file():
            raise FileNotFoundError(model_path)
        model = kenlm.Model(model_path)
    except (ImportError, OSError, RuntimeError):
        logger.warning(INSTALL_HINT.format(path=model_path))
        return None
    weights = json.loads((RULES_DIR / "tx005_weights.json").read_text(encoding="utf-8"))
    return LMTypoChecker(model, weights, cache=SentenceCache(cache_size, cache_path))


def in_window(page: PageRecord, ctx: CheckContext) -> bool:
    """On a site's first scan only articles of the last ``first_scan_months`` (unless all are requested)."""
    if not _opt(ctx, "first_scan", False) or _opt(ctx, "tx005_all_pages", False):
        return True
    months = int(_setting(ctx, "first_scan_months", 12))
    pub = (page.facts or {}).get("pubdate")
    if not months or not pub:
        return True
    try:
        return date.fromisoformat(str(pub)[:10]) >= ctx.as_of - timedelta(days=round(months * 30.44))
    except ValueError:
        return True


def body_sentences(text: str) -> Iterator[tuple[int, str]]:
    for m in _SENTENCE.finditer(text):
        start, chunk = m.start(), m.group()
        for i in range(0, len(chunk), MAX_SENTENCE):
            yield start + i, chunk[i:i + MAX_SENTENCE]


def lm_findings(page: PageRecord, ctx: CheckContext, lm: LMTypoChecker | None = None) -> Iterator[Finding]:
    """TX005 findings of one article page (one per wrong->right pair, ``evidence["count"]`` occurrences)."""
    from xunjian.checks.text import is_ignored_text, page_segments, taken_spans

    if lm is None:
        if not _setting(ctx, "enabled", True):
            return
        lm = checker(str(_setting(ctx, "model_path", DEFAULT_MODEL)), _setting(ctx, "cache_path", None),
                     int(_setting(ctx, "cache_size", 200_000)))
    if lm is None or page.page_type != "article" or not in_window(page, ctx):
        return
    ignored = _opt(ctx, "ignored_phrases", set()) or set()
    found: dict[tuple[str, str], Finding] = {}
    for seg in page_segments(page, ctx):
        if seg.kind != "main":
            continue
        taken = taken_spans(page, ctx, seg)
        for offset, sentence in body_sentences(seg.text):
            extra = {p - offset for p in taken if offset <= p < offset + len(sentence)}
            for start, end, wrong, right, prob in lm.check(sentence, extra):
                if is_ignored_text(sentence, start, end, ignored):
                    continue
                key = (wrong, right)
                if key in found:
                    found[key].evidence["count"] += 1
                    continue
                context = sentence[max(0, start - 20): end + 20]
                found[key] = finding("TX005", f"疑似错别字（语言模型）：「{wrong}」疑为「{right}」，上下文：{context}",
                                     page=page.final_url or page.url, key=f"{wrong}->{right}", evidence={
                                         "match": wrong, "suggestion": right, "context": context,
                                         "position": offset + start, "where": "正文", "probability": prob,
                                         "count": 1})
    yield from found.values()
