"""Word data in rules/: shape, provenance headers, variant generation, TX001 precision on the labelled set."""

from __future__ import annotations

from pathlib import Path

import yaml

from xunjian.checks.wordlists import (
    GUARD,
    Entry,
    Lexicon,
    lexicon,
    load_confusion,
    on_word_boundaries,
    protected_variants,
)
from xunjian.config import RULES_DIR

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "gov_sentences.tsv"


def test_typo_list_has_500_real_pairs_with_category_and_source():
    rows = [line.split("\t") for line in (RULES_DIR / "typos.txt").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    assert len(rows) >= 500
    assert all(len(r) == 4 and r[0] != r[1] and r[2] and r[3] for r in rows)
    assert ["一股作气", "一鼓作气"] == next(r[:2] for r in rows if r[0] == "一股作气")


def test_every_data_file_names_its_source_and_date():
    names = ("protected_terms.yaml", "sensitive.yaml", "illicit.yaml", "outdated_terms.yaml", "typos.txt",
             "gongwen_vocab.txt")
    for name in names:
        head = (RULES_DIR / name).read_text(encoding="utf-8")[:1500]
        assert "Source" in head or "Sources" in head, name
        assert "2026-11" in head, name
    assert "pycorrector" in (RULES_DIR / "PROVENANCE.md").read_text(encoding="utf-8")


def test_variants_never_equal_a_correct_term():
    data = yaml.safe_load((RULES_DIR / "protected_terms.yaml").read_text(encoding="utf-8"))
    correct = {t["term"] for t in data["terms"]}
    lex = lexicon()
    for term in correct:
        assert [m for m in lex.scan(term) if m.code == "TX001"] == [], term
    conf = load_confusion()
    variants = protected_variants("习近平总书记", "习近平", conf)
    assert "习近凭总书记" in variants and "习平近总书记" in variants and "习近平总书记" not in variants


def test_variant_that_is_an_ordinary_word_is_not_generated():
    assert "四个意思" not in protected_variants("四个意识", None, load_confusion())


def test_correct_protected_terms_in_long_contexts_never_fire():
    """TX001 precision 1.0 on the labelled government sentences (the issue's target)."""
    lex = lexicon()
    tp = fp = 0
    for line in BENCH.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        label, _code, wrong, sentence, _src = line.split("\t")
        pos = sentence.find(wrong) if label == "1" else -1
        for m in lex.scan(sentence, frozenset({"TX001"})):
            if pos >= 0 and m.start < pos + len(wrong) and pos < m.end:
                tp += 1
            else:
                fp += 1
    assert fp == 0 and tp >= 15


def test_one_automaton_holds_every_list():
    counts = lexicon().counts
    for code in (GUARD, "TX001", "TX002", "TX003", "TX004", "SC002"):
        assert counts.get(code, 0) > 0, code


def test_longest_match_wins_and_guard_beats_typo():
    lex = Lexicon.build([Entry("TX002", "共合", "共和"), Entry("TX001", "中华人民共合国", "中华人民共和国"),
                         Entry(GUARD, "中华人民共和国"), Entry("TX002", "民共", "民工")])
    assert [(m.code, m.entry.pattern) for m in lex.scan("中华人民共合国成立")] == [("TX001", "中华人民共合国")]
    assert lex.scan("中华人民共和国成立") == []


def test_word_boundary_rejects_straddling_and_longer_words():
    assert not on_word_boundaries("作为法律工作者", 1, 3)            # 为法 straddles 作为 / 法律
    assert not on_word_boundaries("各级农业部门要加强", 2, 5)          # 农业部 inside 农业部门
    assert on_word_boundaries("主办：示例市工商局", 6, 9, suffix_ok=True)  # 市工商局 is still 工商局
    assert on_word_boundaries("提高企业的竟争力", 5, 7, fix="竞争")     # jieba's dict holds the misspelling
