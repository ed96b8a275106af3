"""Text checks (TX family): severe errors, typos, sensitive words and outdated names in page text.

Every list in ``rules/`` is matched in one Aho-Corasick pass per page (:mod:`xunjian.checks.wordlists`);
the text comes from :mod:`xunjian.checks.textextract`. Template blocks (navigation, header, footer) are
checked once per scan and their findings are reported once per site, on the homepage URL, so one error in
a footer is one finding, not one per page. The same wrong text twice on one page is one finding
(``evidence["count"]``); two different wrong texts are two findings (``key`` is the wrong text).

Site options honoured (``ctx.options``): ``ignored_phrases`` (phrases never reported on the site, any code)
and ``allow_words`` (the site's allow list for TX003, kept by the console's 管理 page).
TX003's context words (spam topics that legitimate text also names: 代开发票, 代孕) fire only with a buyer's
contact nearby (:func:`spam_context`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from xunjian.checks import finding
from xunjian.checks.textextract import Segment, extract_segments
from xunjian.checks.wordlists import Match, lexicon

if TYPE_CHECKING:
    from xunjian.checks.base import CheckContext, Finding
    from xunjian.records import PageRecord

TEXT_CODES = frozenset({"TX001", "TX002", "TX003", "TX004"})
_MEMO_PAGE = "text/page"
_MEMO_BLOCKS = "text/blocks"
_MEMO_REPORTED = "text/reported"
_MEMO_SEGMENTS = "text/segments"
#: A buyer's contact: a mobile number, a QQ number or a WeChat id (landlines are on every government page).
CONTACT = re.compile(
    r"(?<!\d)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)"
    r"|(?:QQ|qq|Q\s?Q|扣扣|企鹅|ＱＱ)\s*(?:号码?)?\s*[:：]?\s*\d{5,11}"
    r"|(?:微信|薇信|威信|[Vv]信|[Vv][Xx]|[Ww][Xx]|加[Vv微])\s*(?:号)?\s*[:：]?\s*[A-Za-z][-_A-Za-z0-9]{5,19}"
)
SPAM_WINDOW = 60
WHERE = {"title": "标题", "main": "正文", "template": "页面公共区域(导航/页脚)", "attachment": "附件名称"}


def page_matches(page: PageRecord, ctx: CheckContext) -> list[tuple[Segment, Match]]:
    """All matches (every code) of the page's text, template blocks already seen in this scan excluded.

    Computed once per page and kept in ``ctx.memo``, so TX and SC002 share one scan of the text.
    """
    cached = ctx.memo.get(_MEMO_PAGE)
    if cached is not None and cached[0] is page:
        return cached[1]
    seen: set[str] = ctx.memo.setdefault(_MEMO_BLOCKS, set())
    lex = lexicon()
    out: list[tuple[Segment, Match]] = []
    segments = page_segments(page, ctx)
    for seg in segments:
        if seg.kind == "template":
            if seg.block in seen:
                continue
            seen.add(seg.block)
        out.extend((seg, m) for m in lex.scan(seg.text))
    ctx.memo[_MEMO_PAGE] = (page, out)
    return out


def page_segments(page: PageRecord, ctx: CheckContext) -> list[Segment]:
    """The page's text segments (:func:`extract_segments`), extracted once per page for TX001-TX005."""
    cached = ctx.memo.get(_MEMO_SEGMENTS)
    if cached is not None and cached[0] is page:
        return cached[1]
    segments = extract_segments(page, ctx.site.name) if page.is_html and page.status < 400 else []
    ctx.memo[_MEMO_SEGMENTS] = (page, segments)
    return segments


def taken_spans(page: PageRecord, ctx: CheckContext, seg: Segment) -> set[int]:
    """Positions of ``seg`` covered by a word-list match (TX001-TX004, SC002): TX005 leaves them alone."""
    return {p for s, m in page_matches(page, ctx) if s is seg for p in range(m.start, m.end)}


def is_ignored_text(text: str, start: int, end: int, ignored: set[str] | frozenset[str]) -> bool:
    """``text[start:end]`` is, or lies inside an occurrence of, a phrase the site marked as ignored."""
    if not ignored:
        return False
    wrong = text[start:end]
    if wrong in ignored:
        return True
    for phrase in ignored:
        if len(phrase) > len(wrong) and wrong in phrase:
            lo = max(0, end - len(phrase))
            idx = text.find(phrase, lo, start + len(phrase))
            if idx != -1 and idx <= start and end <= idx + len(phrase):
                return True
    return False


def is_ignored(m: Match, ignored: set[str] | frozenset[str]) -> bool:
    """The match is, or lies inside an occurrence of, a phrase the site marked as ignored."""
    return m.entry.pattern in ignored or is_ignored_text(m.text, m.start, m.end, ignored)


def spam_context(m: Match, window: int = SPAM_WINDOW) -> bool:
    """A buyer's contact within ``window`` characters of the match: the text is an advertisement."""
    return bool(CONTACT.search(m.text, max(0, m.start - window), m.end + window))


def _message(m: Match, wrong: str) -> str:
    e = m.entry
    if e.code == "TX001":
        return f"严重表述错误：「{wrong}」应为「{e.suggestion}」"
    if e.code == "TX002":
        return f"疑似错别字：「{wrong}」应为「{e.suggestion}」"
    if e.code == "TX003":
        return f"敏感词：「{wrong}」（{e.label or e.category}）"
    return f"过时表述：「{wrong}」，机构已调整为「{e.suggestion}」"


def _evidence(seg: Segment, m: Match, wrong: str) -> dict[str, Any]:
    return {
        "match": wrong,
        "suggestion": m.entry.suggestion or None,
        "context": m.context(20),
        "position": m.start,
        "where": WHERE.get(seg.kind, seg.kind),
        "category": m.entry.category,
        "source": m.entry.source,
        "count": 1,
    }


def text_findings(page: PageRecord, ctx: CheckContext,
                  codes: frozenset[str] = TEXT_CODES) -> Iterator[Finding]:
    """TX001-TX004 (or ``codes``) for one page; template-block findings once per scan, on the homepage."""
    ignored = ctx.options.ignored_phrases
    allow = ctx.options.allow_words
    reported: set[tuple[str, str]] = ctx.memo.setdefault(_MEMO_REPORTED, set())
    on_page: dict[tuple[str, str], Finding] = {}
    ads: list[list[Any]] = []  # [segment, end of its last context word, finding] of each advertisement
    for seg, m in page_matches(page, ctx):
        if m.code not in codes or is_ignored(m, ignored):
            continue
        wrong = m.text[m.start:m.end]
        if m.code == "TX004" and seg.kind != "template" and _named_in_its_time(page, m):
            continue  # an article of the reform's time (or before) names the body as it then was
        if m.code == "TX003" and (wrong in allow or m.entry.pattern in allow):
            continue  # the site's allow list (registry or console): words this site uses legitimately
        if m.code == "TX003" and m.entry.weak and not spam_context(m):
            continue
        if m.code == "TX003" and m.entry.weak and seg.kind != "template" and _same_ad(ads, seg, m, wrong):
            continue  # another context word of an advertisement already reported (代开发票 … 发票 … 代开)
        key = (m.code, wrong)
        if seg.kind == "template":
            if key in reported:
                continue
            reported.add(key)
            where = ctx.site.url
        else:
            where = page.final_url or page.url
        if key in on_page and seg.kind != "template":
            on_page[key].evidence["count"] += 1
            continue
        f = finding(m.code, _message(m, wrong), page=where, evidence=_evidence(seg, m, wrong), key=wrong)
        if m.code == "TX003" and m.entry.severity in ("veto", "deduct", "warn", "info"):
            f.severity = m.entry.severity
        if seg.kind == "template":
            yield f
        else:
            on_page[key] = f
            if m.code == "TX003":  # the context words after it belong to the same advertisement
                ads.append([seg, m.end, f])
    yield from on_page.values()


def _named_in_its_time(page: PageRecord, m: Match) -> bool:
    """An article published no later than the year after the reform that renamed the body (``source``
    ``"2018年机构改革"``; local bodies followed within a year): the old name was current, or still was."""
    published = (page.facts or {}).get("pubdate") if page.page_type == "article" else None
    reform = m.entry.source[:4]
    return bool(published) and reform.isdigit() and int(str(published)[:4]) <= int(reform) + 1


def _same_ad(ads: list[list[Any]], seg: Segment, m: Match, wrong: str) -> bool:
    """Fold a context word into the finding of the advertisement it belongs to (within SPAM_WINDOW of the
    previous context word of that finding, in the same text segment): one spam message, one finding."""
    for ad in ads:
        if ad[0] is seg and 0 <= m.start - ad[1] <= SPAM_WINDOW:
            words = ad[2].evidence.setdefault("words", [ad[2].evidence["match"]])
            if wrong not in words:
                words.append(wrong)
            ad[2].evidence["count"] += 1
            ad[1] = max(ad[1], m.end)
            return True
    return False


def severe_error(page: PageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """TX001 severe-error (严重表述错误).

    ## What it does
    Checks for mis-written protected terms: leaders' names and titles, the country's and the Party's names,
    state organs, fixed Party and State formulations and major meetings (``rules/protected_terms.yaml``).
    Variants are generated from same-sound and similar-shape character confusion sets.

    ## Why is this bad?
    A mis-written leader's name or formulation is a 单项否决 (veto) error under 国办秘函〔2019〕19号.

    ## Example
    ``习近凭总书记``, ``国务院总理李墙``, ``中华人民共合国``. Use instead: ``习近平总书记`` ...

    ## Known problems
    Favors false negatives over false positives: a variant that is itself ordinary Chinese around the
    changed character (四个意识 -> 四个意思) is never generated, and two-character names are only
    protected together with a title. Errors that are not one substitution or swap need ``known_errors``.
    """
    return text_findings(page, ctx, frozenset({"TX001"}))


def typo(page: PageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """TX002 typo (错别字).

    ## What it does
    Checks for known wrong->right pairs (``rules/typos.txt``: classic 常见错别字, idioms, 异形词 and pairs
    mined from official-document training data) and for one-character confusion variants of the 公文
    vocabulary (``rules/gongwen_vocab.txt``).

    ## Why is this bad?
    Typos are deducted per occurrence in the inspection and undermine the authority of the site.

    ## Example
    ``一股作气``, ``因地治宜``, ``设备按装``. Use instead: ``一鼓作气``, ``因地制宜``, ``设备安装``.

    ## Known problems
    A dictionary approach: recall is low (about 17% of the erroneous sentences of the ECSpell official
    document test set) because a typo that forms another real word (机制 -> 机智) cannot be told from
    correct text without a language model. Matches that jieba puts across a word boundary are dropped.
    """
    return text_findings(page, ctx, frozenset({"TX002"}))


def sensitive_word(page: PageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """TX003 sensitive-word (敏感词).

    ## What it does
    Checks for words of the configured sensitive list (``rules/sensitive.yaml``), by category; the
    category's severity applies (sovereignty errors are veto). The spam category (代孕, 迷药, 仿真枪, 私家侦探,
    代开发票 ...) fires on solicitations alone and on topic words only next to a mobile, QQ or WeChat contact.

    ## Why is this bad?
    Discriminatory, vulgar or politically wrong wording on a government site is a content-security issue.

    ## Example
    ``残废人``, ``台湾政府``. Use instead: ``残疾人``, ``台湾地区``/``台湾当局``.

    ## Known problems
    Quotations (a news item reporting what someone else said) are flagged too; use the site's ignored
    phrases. Spam without a contact (or with a landline only) is missed when it uses only topic words.
    """
    return text_findings(page, ctx, frozenset({"TX003"}))


def outdated_term(page: PageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """TX004 outdated-term (过时表述).

    ## What it does
    Checks for names of bodies merged, renamed or abolished in the 2018 and 2023 institutional reforms
    (``rules/outdated_terms.yaml``) and suggests the current body.

    ## Why is this bad?
    An outdated name misleads citizens about which body is responsible today.

    ## Example
    ``国家工商总局``, ``环保局``. Use instead: ``国家市场监督管理总局``, ``生态环境局``.

    ## Known problems
    Old articles legitimately name the body as it was then: an article published no later than the year
    after the reform (the term's ``reform`` year + 1; local bodies were renamed within a year) is not judged
    (its template blocks still are); ``原``/``前`` before the name and 门 after it (农业部门) are skipped,
    everything else is reported at ``warn`` level.
    """
    return text_findings(page, ctx, frozenset({"TX004"}))


def statistical_typo(page: PageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """TX005 statistical-typo (疑似错别字(语言模型)).

    ## What it does
    Checks the body text of article pages for a character that a same-sound or look-alike character would
    turn into a likelier word (机智 -> 机制, 部暑 -> 部署), judged by a word-trigram language model (Debian's
    ``libime-data-language-model``) and a classifier trained on public spelling benchmarks
    (``rules/tx005_weights.json``). See :mod:`xunjian.checks.lmtypo`.

    ## Why is this bad?
    A typo that forms another real word escapes every word list, and is still a typo to an inspector.

    ## Example
    ``完善农产品上行发展机智``. Use instead: ``完善农产品上行发展机制``.

    ## Known problems
    A statistical judgement (severity ``warn``): rare but correct wording can be flagged; names the
    dictionary does not know may be. Off, with one warning, when the model or ``kenlm`` is not installed.
    """
    from xunjian.checks.lmtypo import lm_findings

    return lm_findings(page, ctx)


EXTRACTORS = ()
PAGE_CHECKS = (severe_error, typo, sensitive_word, outdated_term, statistical_typo)
SITE_CHECKS = ()
