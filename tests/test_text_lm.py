"""TX005 statistical-typo: unit tests on a hand-written ARPA model, an integration test on Debian's model."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

kenlm = pytest.importorskip("kenlm", reason="kenlm is not installed (pip install kenlm)")

from xunjian.checks import lmtypo
from xunjian.checks.base import CheckContext
from xunjian.checks.lmtypo import LMTypoChecker, SentenceCache, checker, lm_findings
from xunjian.records import PageRecord, SiteInfo

TINY = Path(__file__).parent / "fixtures" / "lm" / "tiny.arpa"
DEBIAN = Path(lmtypo.DEFAULT_MODEL)
#: gain is the only feature that counts: a candidate 2 log10 units likelier than the text is flagged
WEIGHTS = {"weights": [1.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -2.0], "threshold": 0.5, "min_word_freq": 5}
SITE = SiteInfo("demo", "示例市人民政府", "http://127.0.0.1:8000/")


@pytest.fixture(scope="module")
def tiny():
    return LMTypoChecker(kenlm.Model(str(TINY)), WEIGHTS)


def article(text: str, page_type: str = "article", facts: dict | None = None) -> PageRecord:
    html = f"<html><body><nav>首页 发展机智</nav><div class='content'><p>{text}</p></div></body></html>"
    url = "http://127.0.0.1:8000/a.html"
    return PageRecord(url=url, final_url=url, status=200, html=html, content_type="text/html",
                      page_type=page_type, facts=facts or {})


def test_real_word_typo_is_flagged(tiny):
    hits = tiny.check("完善农产品上行发展机智。")
    assert [(h[2], h[3]) for h in hits] == [("机智", "机制")]
    assert tiny.check("完善农产品上行发展机制。") == []


def test_names_and_numbers_are_left_alone(tiny):
    sentence = "王明同志部署发展十年。"
    skipped = tiny.skipped(sentence, set())
    assert {0, 1} <= skipped                              # 王明: a proper noun of jieba's dictionary
    touched = {c.pos for c in tiny.scorer.candidates(sentence, skipped)}
    assert not touched & {0, 1, 8}                       # 十 is a numeral: 十年 -> 时年 is never proposed
    assert tiny.check(sentence) == []


def test_cache_is_used_across_pages(tiny, monkeypatch):
    cache = SentenceCache(size=10)
    lm = LMTypoChecker(tiny.scorer.model, WEIGHTS, cache=cache)
    first = lm.check("建立健全发展机智。")
    assert cache.misses == 1 and cache.hits == 0

    def boom(*_a, **_k):
        raise AssertionError("scored again")

    monkeypatch.setattr(lm.scorer, "candidates", boom)
    assert lm.check("建立健全发展机智。") == first and cache.hits == 1


def test_persisted_cache_survives_the_process(tmp_path, tiny):
    path = tmp_path / "tx005.sqlite"
    a = LMTypoChecker(tiny.scorer.model, WEIGHTS, cache=SentenceCache(path=str(path)))
    hits = a.check("完善农产品上行发展机智。")
    b = LMTypoChecker(tiny.scorer.model, WEIGHTS, cache=SentenceCache(path=str(path)))
    assert b.check("完善农产品上行发展机智。") == hits and b.cache.hits == 1 and b.cache.misses == 0


@pytest.mark.rule_case("TX005", fires=True, silent=True)
def test_only_article_body_is_checked(tiny):
    ctx = CheckContext(SITE, date(2026, 11, 30))
    found = list(lm_findings(article("完善农产品上行发展机智。"), ctx, lm=tiny))
    assert [(f.rule, f.severity, f.evidence["match"], f.evidence["suggestion"]) for f in found] == [
        ("TX005", "warn", "机智", "机制")]
    assert "「机智」疑为「机制」" in found[0].message and "发展机智" in found[0].evidence["context"]
    assert list(lm_findings(article("完善农产品上行发展机智。", "column"), ctx, lm=tiny)) == []
    assert list(lm_findings(article("完善农产品上行发展机制。"), ctx, lm=tiny)) == []   # nav text is not body


def test_ignored_phrase_and_first_scan_window(tiny):
    ctx = CheckContext(SITE, date(2026, 11, 30), options={"ignored_phrases": {"发展机智"}})
    assert list(lm_findings(article("完善农产品上行发展机智。"), ctx, lm=tiny)) == []
    first = CheckContext(SITE, date(2026, 11, 30), options={"first_scan": True})
    old = article("完善农产品上行发展机智。", facts={"pubdate": "2024-05-01"})
    new = article("完善农产品上行发展机智。", facts={"pubdate": "2026-06-01"})
    assert list(lm_findings(old, first, lm=tiny)) == []
    assert len(list(lm_findings(new, first, lm=tiny))) == 1
    everything = CheckContext(SITE, date(2026, 11, 30), options={"first_scan": True, "tx005_all_pages": True})
    assert len(list(lm_findings(old, everything, lm=tiny))) == 1


def test_missing_model_warns_once_and_is_off(caplog, tmp_path):
    checker.cache_clear()
    with caplog.at_level(logging.WARNING, logger="xunjian.checks.lmtypo"):
        assert checker(str(tmp_path / "none.lm")) is None
        assert checker(str(tmp_path / "none.lm")) is None
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "libime-data-language-model" in warnings[0]
    ctx = CheckContext(SITE, date(2026, 11, 30), options={"text_lm": {"model_path": str(tmp_path / "none.lm")}})
    assert list(lm_findings(article("完善农产品上行发展机智。"), ctx)) == []


@pytest.mark.skipif(not DEBIAN.is_file(), reason="Debian model absent: apt-get install libime-data-language-model")
def test_debian_model_with_shipped_weights():
    lm = checker(str(DEBIAN))
    assert lm is not None
    assert [(h[2], h[3]) for h in lm.check("各地要认真做好疫情防控工作部暑。")] == [("部暑", "部署")]
    assert [(h[2], h[3]) for h in lm.check("我市高度重视安全生产工作，狠抓责任落食。")] == [("落食", "落实")]
    for sentence in ("完善农产品上行发展机制。", "各地要认真做好疫情防控工作部署。", "王明同志出席会议并讲话。", "2026年全市生产总值增长5.2%。",
                     "深入学习贯彻习近平新时代中国特色社会主义思想。"):
        assert lm.check(sentence) == [], sentence
