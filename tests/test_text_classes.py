"""Issue 10's text failure classes, each with must-fire and must-stay-silent cases written apart from the lists.

TX001 generated variants of every protected term must fire on no sentence of the benchmark corpora (the
corrected side of ECSpell and SIGHAN-15, policy titles, the real government pages); TX002 finds idioms
mis-written by one same-sound or look-alike character without a listed pair; TX003 finds spam in message
boxes by solicitation phrases or topic words next to a buyer's contact; TX004 names renamed bodies at every
administrative level.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from xunjian.checks.base import CheckContext
from xunjian.checks.text import text_findings
from xunjian.checks.textextract import extract_segments
from xunjian.checks.wordlists import lexicon, load_confusion, outdated_family_terms, protected_variants
from xunjian.config import RULES_DIR
from xunjian.records import PageRecord, SiteInfo

ROOT = Path(__file__).resolve().parents[1]
SITE = SiteInfo("demo", "示例市人民政府", "http://127.0.0.1:8000/")


def findings(text: str, code: str) -> list[str]:
    html = f"<html><body><div class='content'><p>{text}</p></div></body></html>"
    url = "http://127.0.0.1:8000/a.html"
    page = PageRecord(url=url, final_url=url, status=200, html=html, content_type="text/html")
    return [f.key for f in text_findings(page, CheckContext(SITE, date(2026, 11, 30))) if f.rule == code]


def correct_texts() -> list[str]:
    """Every correct sentence the repository holds: corrected benchmark sides, titles, real page text."""
    texts = []
    for path in [*(ROOT / "benchmarks/data/ecspell").glob("*.tsv"),
                 *(ROOT / "benchmarks/data/sighan15").glob("*_simplified.tsv")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) == 3:
                texts.append(parts[2])
    texts += (ROOT / "benchmarks/data/zh_wordlists_ecspell/policy_regulation_titles.txt").read_text(
        encoding="utf-8").splitlines()
    for path in sorted((ROOT / "tests/fixtures/real").rglob("*.htm*")):
        page = PageRecord(url="http://x/a.html", final_url="http://x/a.html", status=200,
                          html=path.read_text(encoding="utf-8", errors="replace"), content_type="text/html")
        texts += [s.text for s in extract_segments(page, "")]
    return texts


def test_tx001_generated_variants_fire_on_no_correct_sentence():
    texts = correct_texts()
    assert sum(map(len, texts)) > 700_000
    lex = lexicon()
    hits = [m.context(10) for t in texts for m in lex.scan(t, frozenset({"TX001"}))]
    assert hits == []


@pytest.mark.parametrize("wrong", ["习近平同治", "人类命运共同休", "新发展埋念", "坚持以人民为中心的发展思相",
                                   "国务院总理李墙", "中国特色社会主义法制体系"])
def test_tx001_variants_of_every_term_fire(wrong):
    assert findings(f"会议强调，要深入学习{wrong}，抓好贯彻落实。", "TX001") != []


def test_tx001_two_character_name_before_tongzhi_is_another_person():
    variants = protected_variants("李强同志", "李强", load_confusion())
    assert "李蔷同志" not in variants and "李强同治" in variants
    assert findings("李蔷同志任办公室主任。", "TX001") == []


def test_tx001_every_term_has_variants():
    data = yaml.safe_load((RULES_DIR / "protected_terms.yaml").read_text(encoding="utf-8"))
    conf = load_confusion()
    empty = [t["term"] for t in data["terms"] if not protected_variants(t["term"], t.get("name"), conf)]
    assert empty == []


@pytest.mark.parametrize(("text", "wrong"), [
    ("全市上下众志成诚，共克时艰。", "众志成诚"),       # curated idiom list
    ("各项工作一如即往地推进。", "一如即往"),           # generated from jieba's idioms
    ("大家要齐心协立，攻坚克难。", "齐心协立"),
    ("这项改革措施可谓事半功陪。", "事半功陪"),
    ("项目已于上月峻工验收。", "峻工"),
    ("对群众反映的问题决不推委。", "推委"),
])
def test_tx002_idiom_and_word_typos_fire(text, wrong):
    assert any(wrong in key for key in findings(text, "TX002"))


@pytest.mark.parametrize("text", [
    "人跟人的关系越来越紧密。", "弘扬载人航天精神和科学家精神。", "一心一意谋发展，三心二意不可取。",
    "把和则两利、斗则两伤作为基本判断。", "他在不得已的情况下离开了。", "全市上下众志成城，共克时艰。",
])
def test_tx002_phrases_near_idioms_stay_silent(text):
    assert findings(text, "TX002") == []


@pytest.mark.parametrize(("text", "word"), [
    ("专业代开发票，联系电话13912345678", "代开发票"),
    ("代开各种发票 QQ：12345678", "代开各种发票"),
    ("代孕包成功，微信：daiyun888", "代孕"),
    ("出售仿真枪，货到付款", "出售仿真枪"),
    ("私家侦探 调查婚外情 电话 138 1234 5678", "私家侦探"),
    ("迷魂药 加V：abc12345", "迷魂药"),
])
def test_tx003_spam_fires(text, word):
    assert word in findings(f"网友留言：{text}", "TX003")


def test_tx003_one_advertisement_is_one_finding():
    """Issue 10 held-out: "长期代开发票，各类发票均可代开，微信同号…" is one spam message, not three findings
    (代开发票, 发票, 代开); two advertisements far apart on a page stay two findings."""
    ad = "长期代开发票，各类发票均可代开，微信同号13800000000"
    assert findings(ad, "TX003") == ["代开发票"]
    far = f"{ad}。{'会议要求各地切实抓好工作落实，确保各项任务按期完成。' * 6}出售仿真枪，电话13912345678"
    assert findings(far, "TX003") == ["代开发票", "出售仿真枪"]


@pytest.mark.parametrize("text", [
    "纳税人可到办税服务厅申请代开发票，咨询电话0791-12345678。",
    "严厉打击非法代孕活动，举报电话12345。",
    "民警现场查获冰毒5克，收缴猎枪一支。",
    "开展打击私家侦探非法调查专项行动。",
    "本期答案将在下周公布。",
])
def test_tx003_legitimate_mentions_stay_silent(text):
    assert findings(text, "TX003") == []


@pytest.mark.parametrize(("text", "wrong"), [
    ("请到镇国土资源所办理。", "国土资源所"), ("市环保分局开展执法检查。", "环保分局"),
    ("区工商分局受理投诉。", "工商分局"), ("县卫计局组织义诊。", "卫计局"),
    ("县文化局举办展览。", "文化局"), ("县公安消防大队开展演练。", "公安消防大队"),
    ("省环境保护厅印发通知。", "环境保护厅"), ("县地税分局办税大厅。", "地税分局"),
    ("太原市工商局发布公告。", "工商局"),
])
def test_tx004_every_level_fires(text, wrong):
    assert wrong in findings(text, "TX004")


@pytest.mark.parametrize("text", [
    "县文化和旅游局举办展览。", "县文化广电旅游局举办展览。", "市自然资源和规划局公告。",
    "各级农业部门要加强指导。", "原县国土资源局的职责划入自然资源局。", "市场监督管理所受理投诉。",
    "将原市环保局的职责整合。",
])
def test_tx004_current_names_stay_silent(text):
    assert findings(text, "TX004") == []


def test_tx004_families_generate_every_level():
    data = yaml.safe_load((RULES_DIR / "outdated_terms.yaml").read_text(encoding="utf-8"))
    terms = {t["term"]: t["current"] for t in outdated_family_terms(data)}
    assert terms["国土所"] == "自然资源所" and terms["环保厅"] == "生态环境厅" and terms["银监分局"] == "金融监管分局"


def test_new_rules_files_name_their_source():
    for name in ("typos_extra.txt", "confusion_shape_extra.txt", "tx005_skip.txt"):
        head = (RULES_DIR / name).read_text(encoding="utf-8")[:1500]
        assert "Source" in head and "2026-11" in head, name
    weights = yaml.safe_load((RULES_DIR / "tx005_weights.json").read_text(encoding="utf-8"))
    assert "train" in weights["_provenance"] and "odw" not in " ".join(weights["trained_on"])
    assert len(weights["weights"]) == len(weights["features"]) and 0.5 < weights["threshold"] < 1
    provenance = (RULES_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    for name in ("typos_extra.txt", "confusion_shape_extra.txt", "tx005_weights.json", "tx005_skip.txt"):
        assert name in provenance, name
    assert "../" not in provenance


def test_curated_pairs_have_a_named_source_section():
    rows = [line.split("\t") for line in (RULES_DIR / "typos_extra.txt").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    assert len(rows) >= 400 and all(len(r) == 4 and r[0] != r[1] for r in rows)
    assert {r[3].split(":")[0] for r in rows} == {"咬文嚼字", "成语误写", "GF1001-2001", "公文常见错别字", "public"}
    # the public pairs: the candidate half of benchmarks/data/public_typos/, none of the held-out half
    public = {r[0] for r in rows if r[3].startswith("public:src-")}
    data = RULES_DIR.parent / "benchmarks" / "data" / "public_typos"
    held = {line.split("\t")[0] for line in (data / "heldout.tsv").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")}
    cand = {line.split("\t")[0] for line in (data / "candidates.tsv").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")}
    assert public == cand and len(held) >= 100 and not held & {r[0] for r in rows}


def test_idiom_index_learns_confusions_from_listed_idioms():
    """Issue 10 (TX002 recall on unseen idioms): a character pair mis-written in one listed four-character phrase
    (高瞻远嘱, 闻名遐尔) is confusable in every idiom, so unlisted idioms with the same slip fire; pairs mined from
    learners' training sentences are not learned, and correct idioms stay silent."""
    assert findings("各国媒体举世嘱目地关注这次会议。", "TX002") == ["举世嘱目"]
    assert findings("这里的山水名闻遐尔，游客络绎不绝。", "TX002") == ["名闻遐尔"]
    assert findings("各国媒体举世瞩目地关注这次会议，这里的山水名闻遐迩。", "TX002") == []
    conf = lexicon().idioms._conf  # 人/大 is a learner's slip of a training sentence (业内大士): not learned
    assert "大" not in conf.get("人", set()) and "瞩" in conf.get("嘱", set())


def test_idiom_function_character_slips_in_true_idioms_only():
    """A function character mis-written inside a true idiom (迫再眉睫, 与事无补-like) fires; the same swap in
    grammar (奇怪的事 / 奇怪的是, 人的关系 / 人地关系) or in an ordinary phrase stays silent."""
    assert findings("防汛工作已经迫再眉睫，各乡镇要立即行动。", "TX002") == ["迫再眉睫"]
    assert findings("防汛工作已经迫在眉睫。这不是什么奇怪的事。要处理好人的关系。", "TX002") == []


def test_idiom_dictionary_adds_idioms_jieba_lacks():
    """rules/idioms.txt (a 29,502-entry 成语 list) indexes idioms jieba's dictionary does not tag (一代楷模), so
    their slips fire; the correct idiom stays silent."""
    assert "一代楷模" in lexicon().idioms._idioms
    assert findings("他是新时代的一伐楷模，值得大家学习。", "TX002") == ["一伐楷模"]
    assert findings("他是新时代的一代楷模，值得大家学习。", "TX002") == []
