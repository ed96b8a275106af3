"""TX005's fast candidate search (prefix walk, bigram index, token memo) finds what the full search finds."""

from __future__ import annotations

from pathlib import Path

import pytest

kenlm = pytest.importorskip("kenlm", reason="kenlm is not installed (pip install kenlm)")

from xunjian.checks import lmtypo
from xunjian.checks.lmscore import FUNCTION, NUMERALS, Scorer, bigram_index, load_confusions

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "fixtures" / "lm" / "tiny.arpa"
DEBIAN = Path(lmtypo.DEFAULT_MODEL)
OWN = ROOT / "benchmarks" / "data" / "own" / "own_text_corpus.tsv"
TYPOS = ["完善农产品上行发展机智。", "建立健全发展机智，推进工作。", "原则同意国际合作示范区总休方案，请认真组织实施。",
         "王明同志部署发展十年。", "各部门要提高认识，切实加强组织领导，确保各项工作落到实处。"]


def sentences(n: int = 80) -> list[str]:
    lines = OWN.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if not line.startswith("#")]
    return TYPOS + [text for row in rows[:n] if len(row) == 3 for text in row[1:]]


def assert_same_words(scorer: Scorer, texts: list[str]) -> int:
    """Every position, with no skipped positions and with every third one skipped: fast == full search."""
    found = 0
    for s in texts:
        for skip in (set(), set(range(0, len(s), 3))):
            for pos, ch in enumerate(s):
                if pos in skip or ch in NUMERALS or ch in FUNCTION:
                    continue
                fast = list(scorer._words_at(s, pos, skip))
                assert fast == list(scorer._words_at_all(s, pos, skip)), (s, pos, skip)
                found += len(fast)
    return found


def test_fast_search_equals_full_search_on_jieba_dictionary():
    scorer = Scorer(kenlm.Model(str(DEBIAN if DEBIAN.is_file() else TINY)), load_confusions())
    assert assert_same_words(scorer, sentences()) > 50


def test_fast_search_with_a_dictionary_without_prefixes():
    """A caller's dictionary need not hold its words' prefixes (jieba's does): the scorer adds them."""
    freq = {"发展机制": 40, "机制": 100, "上行发展": 9, "总体方案": 30, "体方": 6, "组织": 50, "方案": 80}
    scorer = Scorer(kenlm.Model(str(TINY)), load_confusions(), freq=freq)
    assert "发展机" in scorer.prefixes and "发展机" not in freq
    assert assert_same_words(scorer, TYPOS) >= 0
    assert [w for w in scorer._words_at("发展机智。", 3, set())] == list(scorer._words_at_all("发展机智。", 3, set()))


def test_frequency_zero_words_count_when_the_minimum_is_zero():
    freq = {"机制": 0, "机智": 3}
    scorer = Scorer(kenlm.Model(str(TINY)), load_confusions(), freq=freq, min_word_freq=0)
    assert list(scorer._words_at("机智。", 1, set())) == list(scorer._words_at_all("机智。", 1, set()))


def test_bigram_index():
    before, after = bigram_index({"机", "机制", "机智", "体制", "发展机制"})
    assert sorted(before["制"]) == ["体", "机"] and sorted(after["机"]) == ["制", "智"] and "展" not in after


def test_token_memo_returns_each_sentences_own_tokens():
    scorer = Scorer(kenlm.Model(str(TINY)), load_confusions())
    a, b = "完善农产品上行发展机制。", "王明同志部署发展十年。"
    first = scorer.tokens(a)
    assert scorer.tokens(b) != first and scorer.tokens(a) == first
    assert Scorer(kenlm.Model(str(TINY)), load_confusions()).tokens(b) == scorer.tokens(b)
