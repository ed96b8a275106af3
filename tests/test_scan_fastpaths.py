"""The word-list scan's fast paths give what the plain computation gives: the idiom hits kept per run of CJK
characters (checks/idioms.py), and the automaton built commonest character first with never-matching patterns
for common characters (checks/lextable.py)."""

from __future__ import annotations

from pathlib import Path

import ahocorasick

from xunjian.checks.idioms import _CJK_RUN, RUN_CACHE_CHARS, IdiomHit
from xunjian.checks.lextable import COMMON_CHARS, NEVER, Entry
from xunjian.checks.wordlists import Lexicon, lexicon

ROOT = Path(__file__).resolve().parents[1]
TEXTS = [line.split("\t")[3] for line in (ROOT / "benchmarks/data/gov_sentences.tsv").read_text(encoding="utf-8")
         .splitlines() if line and not line.startswith("#")] + [
    "各国媒体举世嘱目地关注这次会议。", "防汛工作已经迫再眉睫，各乡镇要立即行动。", "他是新时代的一伐楷模。",
    "中华人民共合国成立", "市工商局发布通知", "买六合彩加QQ12345678，", "，" + NEVER + "。" + NEVER,
    "各国媒体举世嘱目" * 20 + "地关注。"]  # a run longer than RUN_CACHE_CHARS


def _plain_idiom_scan(index, text: str) -> list[IdiomHit]:
    """The idiom scan without the per-run cache: every window of every run, in order."""
    out = []
    for run in _CJK_RUN.finditer(text):
        for j in range(run.start(), run.end() - 2):
            if index._three:
                out.extend(index._at(text, j, 3))
            if j + 4 <= run.end() and (text[j:j + 2] in index._heads or text[j + 2:j + 4] in index._tails):
                out.extend(index._at(text, j, 4))
    return out


def test_idiom_hits_per_run_equal_the_plain_scan():
    index = lexicon().idioms
    index._runs.clear()
    plain = [_plain_idiom_scan(index, t) for t in TEXTS]
    assert sum(map(len, plain)) >= 3  # the texts do hold idiom slips
    assert any(len(r) > RUN_CACHE_CHARS for t in TEXTS for r in _CJK_RUN.findall(t))
    for _ in range(2):  # first computed, then read from the cache
        assert [list(index.scan(t)) for t in TEXTS] == plain
    assert index._runs


def test_automaton_order_leaves_the_matches_alone():
    """Ranked or not, the automaton finds the same candidates; the never-matching patterns find nothing."""
    entries = [Entry("TX002", "共合", "共和"), Entry("TX001", "中华人民共合国", "中华人民共和国"),
               Entry("GUARD", "中华人民共和国"), Entry("TX002", "民共", "民工"), Entry("SC002", "六合彩", ""),
               Entry("SC002", "qq", ""), Entry("TX004", "工商局", "市场监督管理局"), Entry("TX002", "，。", "。")]
    plain = Lexicon.build(entries)
    ranked = Lexicon.build(entries, {ch: i for i, ch in enumerate("国工共民华中人和合商局市")})
    firsts = {e.pattern.lower()[0] for e in entries}
    assert all((ch + NEVER in ranked.automaton) is (ch not in firsts) for ch in COMMON_CHARS)
    texts = [*TEXTS, "，" + NEVER, "中" + NEVER + "华"]
    for text in texts:
        assert ranked.candidates(text) == plain.candidates(text)
        assert ranked.scan(text) == plain.scan(text)
    assert ranked.candidates("，" + NEVER + "。" + NEVER) == [] and ranked.candidates("，。")


def test_ranked_lexicon_finds_what_an_unranked_build_finds():
    lex = lexicon()
    auto = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for p in lex.automaton.keys():
        if not p.endswith(NEVER):
            auto.add_word(p, lex.automaton.get(p))
    auto.make_automaton()
    plain = Lexicon(auto, lex.table)
    assert len(auto) > 100_000
    for text in TEXTS:
        assert lex.candidates(text) == plain.candidates(text)


def test_offsite_memo_answers_as_the_plain_test():
    """SC001/SC002's off-site test kept per URL answers as computed afresh, and a context of another site is
    not answered from the first site's memo."""
    from datetime import date

    from xunjian.checks import security
    from xunjian.checks.base import CheckContext
    from xunjian.records import SiteInfo

    urls = ["http://www.example.gov.cn/a.html", "https://www.example.gov.cn:443/b", "http://other.com/x",
            "https://www.gov.cn/fuwu/", "mailto:a@b.cn", "http://evil.example.com/", "javascript:void(0)"]
    one = CheckContext(SiteInfo("s", "示例", "http://www.example.gov.cn/"), date(2026, 12, 1))
    two = CheckContext(SiteInfo("t", "其他", "http://other.com/"), date(2026, 12, 1))
    for ctx in (one, two, one):
        for _ in range(2):
            assert [security._offsite(u, ctx) for u in urls] == [security._offsite_now(u, ctx) for u in urls]
    assert security._offsite(urls[2], one) and not security._offsite(urls[2], two)
    assert security.urljoin("http://a.cn/x/y.html", "../z.html") == "http://a.cn/z.html"


def test_idiom_scan_of_a_small_index_equals_the_plain_scan():
    """The per-run look-up with its key test, for four-character idioms alone and with a three-character one."""
    from xunjian.checks.idioms import IdiomIndex

    conf = {"作": {"做"}, "气": {"汽"}, "鼓": {"古"}, "一": {"壹"}, "乡": {"向"}, "府": {"付"}}
    texts = ["他一鼓做气跑完全程，一古作气，壹鼓作气", "一鼓作汽向政府。一鼓作气乡政付", "鼓做气一"]
    for idioms in ({"一鼓作气": 10, "鼓作气人": 5}, {"一鼓作气": 10, "乡政府": 10}):
        index = IdiomIndex(idioms, conf, {"一鼓作气": 10})
        for text in texts:
            assert list(index.scan(text)) == _plain_idiom_scan(index, text)
        assert list(index.scan(texts[0]))


def _plain_jiucuo_forms(tree, rules) -> list[str]:
    """The anchor part of footer_facts._jiucuo as first written: every label joined with its images' text, and
    searched as it is and stripped."""
    forms = []
    for a in tree.iter("a"):
        label = " ".join([a.text_content(), *(i.get("alt") or i.get("title") or "" for i in a.iter("img"))])
        if rules["jiucuo_text"].search(label) or rules["jiucuo_text"].search(label.strip()):
            forms.append("text")
        target = f"{a.get('href') or ''} {a.get('onclick') or ''}"
        if rules["jiucuo_relay"].search(target) and not rules["jiucuo_url"].search(target):
            forms.append("relay")
    return forms


def test_jiucuo_anchor_labels_read_as_before():
    import lxml.html

    from xunjian.checks.footer_facts import _jiucuo, footer_rules

    rules = footer_rules()
    links = ['<a href="/a">  纠错 </a>', '<a href="/b">纠错</a>', '<a href="/c"><img alt="我为政府网站找错"></a>',
             '<a href="/d"> <span>找错</span> </a>', '<a href="/e">我要纠错一下</a>', '<a href="/f"><img title="网站纠错"> </a>',
             '<a onclick="open(\'//x.cn/zfwzjc?sitecode=3609000002\')">x</a>', '<a href="/g"><b>首页</b></a>']
    for link in [*links, "".join(links)]:
        tree = lxml.html.document_fromstring(f"<html><body>{link}</body></html>")
        want = _plain_jiucuo_forms(tree, rules)
        got = _jiucuo("", tree, rules)
        assert (got["form"] if got else None) == (want[0] if want else None), link
    tree = lxml.html.document_fromstring("<html><body>" + "".join(links) + "</body></html>")
    assert _plain_jiucuo_forms(tree, rules).count("text") == 5
