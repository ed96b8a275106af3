"""Security checks (SC family): hidden links (SC001), illicit content (SC002), foreign scripts (SC003),
cloaking for spiders.

SC001 and SC002 are veto-level, so both favour false negatives over false positives: links to
government and major news hosts (``trusted_link_hosts`` in ``rules/illicit.yaml``) are never reported as
hidden links; a link hidden only the way interfaces hide things (``display:none``, ``visibility:hidden``,
``hidden``, ``opacity:0``: closed menus, tabs, analytics beacons, CMS credits) is reported only with a spam
signal (illicit words in its text or URL, or a box hiding links to several hosts); and weak illicit words
(百家乐, 六合彩 ...) only count in the anchor text of a link to
another host or in text served only to search-engine spiders, because government pages warn about
gambling and fraud in the same words.

The lead wires two things outside the crawl's page checks: :func:`confirm_hidden_links` (after a page was
rendered, with :func:`~xunjian.crawler.visibility.collect_link_visibility`) and
:func:`cloaking_findings` (the homepage fetched once with a browser and once with a spider User-Agent).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import lxml.html
import yaml

from xunjian.checks import finding
from xunjian.checks.security_hidden import (
    colour_hidden,
    element_hidden,
    is_ui_hiding,
    scripted_hidden_links,
    sheet_styles,
    stylesheet_hidden,
)
from xunjian.checks.text import CONTACT, SPAM_WINDOW, WHERE, is_ignored, page_matches
from xunjian.checks.textextract import meta_text
from xunjian.checks.wordlists import Match, lexicon
from xunjian.config import RULES_DIR
from xunjian.urls import join

if TYPE_CHECKING:
    from xunjian.checks.base import CheckContext, Finding
    from xunjian.records import PageRecord

_MEMO_SC001 = "security/hidden-targets"
_MEMO_SC002 = "security/illicit-reported"
_MEMO_OFFSITE = "security/offsite"
#: URLs whose :func:`_offsite` answer is kept (about 150 bytes each); the memo starts over when full.
OFFSITE_MEMO = 8192
#: Hidden links to this many distinct hosts in one hidden box are a link farm even without spam words.
LINK_FARM_HOSTS = 3


#: ``urljoin`` of a page's links (:func:`xunjian.urls.join`), kept for the last few thousand (SC001 and SC002 join
#: every link of a page).
urljoin = lru_cache(maxsize=2048)(join)


@cache
def trusted_hosts() -> tuple[str, ...]:
    data = yaml.safe_load((RULES_DIR / "illicit.yaml").read_text(encoding="utf-8"))
    return tuple(h.lower().strip(".") for h in data.get("trusted_link_hosts") or [])


def is_trusted(host: str) -> bool:
    host = host.lower().strip(".")
    return any(host == t or host.endswith("." + t) for t in trusted_hosts())


def _offsite(url: str, ctx: CheckContext) -> bool:
    """A web link to another host, not a trusted one; kept per URL for the scan (:data:`OFFSITE_MEMO` URLs, the
    nav and footer links of every page): the checks ask it of every link of a page, some of them twice."""
    site, known = ctx.memo.get(_MEMO_OFFSITE) or (None, {})
    if site is not ctx.site or len(known) >= OFFSITE_MEMO:
        known = {}
        ctx.memo[_MEMO_OFFSITE] = (ctx.site, known)
    found = known.get(url)
    if found is None:
        found = known[url] = _offsite_now(url, ctx)
    return found


def _offsite_now(url: str, ctx: CheckContext) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not ctx.site.is_internal(url) \
        and not is_trusted(parts.hostname or "")


def _illicit_terms(text: str) -> list[str]:
    return sorted({m.text[m.start:m.end] for m in lexicon().scan(text, frozenset({"SC002"}))})


def _page_styles(page: PageRecord) -> tuple[dict[Any, dict[str, str]], dict[Any, str]]:
    """The declarations the page's ``<style>`` rules give and the elements they hide, matched once per
    page: SC001 and SC002 both read them."""
    cached = page.__dict__.get("_style_verdicts")
    if cached is None or cached[0] is not page.tree:
        styles = sheet_styles(page.tree)
        cached = page.__dict__["_style_verdicts"] = (page.tree, styles, stylesheet_hidden(page.tree, styles))
    return cached[1], cached[2]


def _hidden_links(tree, base: str, ctx: CheckContext, styles: dict[Any, dict[str, str]],
                  sheet: dict[Any, str]) -> Iterator[tuple[str, str, str, str]]:
    """(target, anchor text, reason, signal) for each off-site link hidden by markup or styles that also
    carries a spam signal: a dark-link technique, illicit words, or a farm of links to several hosts."""
    hidden: list[tuple[str, str, str, Any]] = []
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        target = urljoin(base, href) if href and not href.startswith("#") else ""
        if target and _offsite(target, ctx):
            found = element_hidden(a, sheet, styles) or colour_hidden(a, styles)
            if found:
                hidden.append((target, " ".join(a.text_content().split())[:100], *found))
    hosts_by_box: dict[Any, set[str]] = {}
    for target, _anchor, _reason, box in hidden:
        hosts_by_box.setdefault(box, set()).add(urlsplit(target).hostname or "")
    for target, anchor, reason, box in hidden:
        signal = _signal(target, anchor, reason, len(hosts_by_box[box]))
        if signal:
            yield target, anchor, reason, signal
    for target, reason in scripted_hidden_links(tree):
        if _offsite(target, ctx):
            yield target, "", reason, "document.write"


def _signal(target: str, anchor: str, reason: str, hosts_in_box: int) -> str | None:
    """Why a hidden off-site link is a dark link rather than a closed menu, a beacon or a CMS credit."""
    if _illicit_terms(anchor + " " + target):
        return "illicit words"
    if hosts_in_box >= LINK_FARM_HOSTS:
        return f"link farm ({hosts_in_box} hosts in one hidden box)"
    if not is_ui_hiding(reason):
        return "dark-link technique"
    return None


def hidden_link_findings(page: PageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """SC001 hidden-link (暗链), from the page's markup; each target once per scan (first page seen on).

    ## What it does
    Checks for links to other hosts hidden from visitors: ``display:none``, ``visibility:hidden``,
    off-screen positioning, zero size, zero font, text coloured like its background, ``<marquee>`` tricks
    and ``document.write`` of hidden markup, from inline styles and the page's ``<style>`` rules.

    ## Why is this bad?
    Hidden links to gambling and adult sites are planted by attackers for search-engine ranking; a
    government site carrying them fails the inspection (veto).

    ## Example
    ``<div style="display:none"><a href="http://casino.example/">澳门新葡京</a></div>``

    ## Known problems
    Favors false negatives over false positives: links to government and major news hosts are never
    reported; a link hidden only the way interfaces hide things (display:none, visibility:hidden, hidden,
    opacity:0) needs a spam signal (illicit words, or a box hiding links to three or more hosts). When the
    page was rendered and ``page.link_visibility`` holds the browser's computed visibility, findings are
    confirmed or refuted with it (:func:`confirm_hidden_links`), which also catches links hidden by script.
    Text coloured like its background is judged from markup only where the page decides the colours: on
    a page with no external style sheet and no script, or along elements its ``<style>`` names; elsewhere
    the page is rendered (at most ``render.max_suspect_pages`` per scan, "hidden-link suspect") and the
    browser's computed colours decide; without a browser such a link is not reported.
    """
    tree = page.tree
    if tree is None:
        return
    where = page.final_url or page.url
    found = list(_markup_findings(tree, where, ctx, *_page_styles(page)))
    if page.link_visibility is not None:
        found = confirm_hidden_links(found, page.link_visibility, ctx, where)
    seen: set[str] = ctx.memo.setdefault(_MEMO_SC001, set())
    for f in found:
        if f.target not in seen:
            seen.add(f.target or "")
            yield f


def _markup_findings(tree, where: str, ctx: CheckContext, styles: dict[Any, dict[str, str]],
                     sheet: dict[Any, str]) -> Iterator[Finding]:
    for target, anchor, reason, signal in _hidden_links(tree, where, ctx, styles, sheet):
        terms = _illicit_terms(anchor + " " + target)
        evidence = {"reason": reason, "signal": signal, "anchor_text": anchor,
                    "host": urlsplit(target).hostname, "illicit_terms": terms, "confirmed_by": "markup"}
        msg = f"暗链：指向站外 {urlsplit(target).hostname} 的链接对访问者不可见（{reason}）"
        yield finding("SC001", msg, page=where, target=target, evidence=evidence)


def _offsite_anchor_texts(page: PageRecord, ctx: CheckContext) -> Iterator[tuple[str, str, bool]]:
    """(target, text, hidden) of the links to other hosts; ``hidden``: invisible to visitors (SC001's)."""
    tree = page.tree
    if tree is None:
        return
    base = page.final_url or page.url
    sheet: dict[Any, str] | None = None
    for a in tree.iter("a"):
        target = urljoin(base, (a.get("href") or "").strip())
        text = " ".join(a.text_content().split())
        if text and _offsite(target, ctx):
            sheet = _page_styles(page)[1] if sheet is None else sheet
            yield target, text, element_hidden(a, sheet) is not None


def illicit_findings(page: PageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """SC002 illicit-content (违法违规内容).

    ## What it does
    Checks for gambling, adult and fraud spam (``rules/illicit.yaml``): strong terms (spam brand names,
    solicitations) in the visible text, the title or the keywords/description metas (the usual targets of
    title hijacking), and weak topic words in the text of links to other hosts.

    ## Why is this bad?
    Illicit content on a government site is a 单项否决 (veto) security incident.

    ## Example
    ``澳门新葡京娱乐场欢迎您，注册送彩金``; ``<a href="http://bet.example/">百家乐在线</a>``.

    ## Known problems
    Weak gambling words (百家乐, 六合彩) in ordinary text are reported only with a solicitation (注册即送,
    首存, 日赚 ...) or a buyer's contact in the same sentence (:func:`solicited`), because government pages
    warn against gambling with them; weak fraud and adult words in ordinary text are left to TX003 (spam); spam written only into images is not seen. In a link hidden from
    visitors only strong terms count (a spam brand is illicit content wherever it is); a weak topic word
    there is the hidden-link incident alone (SC001), not a second finding.
    """
    ignored = ctx.options.ignored_phrases
    reported: set[tuple[str, str]] = ctx.memo.setdefault(_MEMO_SC002, set())
    where = page.final_url or page.url
    hits: dict[str, dict[str, Any]] = {}
    ads: set[tuple[int, int, int]] = set()  # (segment, sentence start, end) already reported: one ad, one finding
    for seg, m in page_matches(page, ctx):
        if m.code == "SC002" and m.entry.weak and m.entry.category == "gambling" and not is_ignored(m, ignored):
            sentence = _sentence(m)  # gambling only: fraud and adult ads in messages are TX003 spam
            if (id(seg), *sentence) not in ads and solicited(m, sentence):
                ads.add((id(seg), *sentence))
                hits.setdefault(m.text[m.start:m.end], _illicit_evidence(m, m.context(20), WHERE.get(seg.kind, "")))["count"] += 1
        elif m.code == "SC002" and not m.entry.weak and not is_ignored(m, ignored):
            evidence = _illicit_evidence(m, m.context(20), WHERE.get(seg.kind, ""))
            hit = hits.setdefault(m.text[m.start:m.end], evidence)
            hit["count"] += 1
            if seg.kind == "template":
                hit["template"] = True
    for m in lexicon().scan(meta_text(page), frozenset({"SC002"})):
        if not m.entry.weak and not is_ignored(m, ignored):
            ev = hits.setdefault(m.text[m.start:m.end], _illicit_evidence(m, m.context(20), "网页关键词/描述"))
            ev["count"] += 1
    for target, text, hidden in _offsite_anchor_texts(page, ctx):
        for m in lexicon().scan(text, frozenset({"SC002"})):
            if not is_ignored(m, ignored) and not (hidden and m.entry.weak):
                ev = hits.setdefault(m.text[m.start:m.end], _illicit_evidence(m, text[:60], "站外链接文字"))
                ev.setdefault("target", target)
                ev["count"] += 1
    for word, ev in hits.items():
        page_url = ctx.site.url if ev.get("template") else where
        if (page_url, word) in reported:
            continue
        reported.add((page_url, word))
        msg = f"违法违规内容：页面出现「{word}」（{ev['category']}）"
        yield finding("SC002", msg, page=page_url, target=ev.get("target"), evidence=ev, key=word)


#: What a spam advertisement says and a warning never does: a sign-up bonus, a deposit offer, quick money.
_SOLICIT = re.compile(r"(?<![“‘「『\"'])(?:注册(?:即|就)?送|首存|首充|充值(?:即|就)?送|存(?:款)?(?:即|就)?送|日赚|"
                      r"提款秒到|秒提现|返水|点击进入|立即注册|免费试玩)")  # a quoted lure is a warning's example


_SENTENCE_END = re.compile(r"[。！？!?\n]")


def _sentence(m: Match, window: int = SPAM_WINDOW) -> tuple[int, int]:
    """The sentence around a match (at most ``window`` characters either side)."""
    lo, hi = max(0, m.start - window), min(len(m.text), m.end + window)
    ends = [e.end() for e in _SENTENCE_END.finditer(m.text, lo, m.start)]
    after = _SENTENCE_END.search(m.text, m.end, hi)
    return (ends[-1] if ends else lo), (after.start() if after else hi)


def solicited(m: Match, sentence: tuple[int, int]) -> bool:
    """A weak topic word (百家乐, 网上赌场) in visible text with a solicitation or a buyer's contact in the same
    sentence: an advertisement (a police warning about gambling has neither)."""
    lo, hi = sentence
    return bool(_SOLICIT.search(m.text, lo, hi)) or bool(CONTACT.search(m.text, lo, hi))


def _illicit_evidence(m: Match, context: str, where: str) -> dict[str, Any]:
    return {"match": m.text[m.start:m.end], "category": m.entry.label or m.entry.category, "context": context,
            "where": where, "count": 0}


def confirm_hidden_links(findings: Iterable[Finding], visibility: list[dict[str, Any]],
                         ctx: CheckContext, page_url: str | None = None) -> list[Finding]:
    """Combine static SC001 findings with the browser's computed visibility of every link.

    A static finding whose target is visible somewhere on the rendered page is dropped (refuted); one that
    the browser also finds hidden is confirmed; one absent from the rendered page stays (the markup is
    still served to search engines). Off-site links the browser finds hidden that the markup analysis
    missed (hidden by script) become new findings. Other findings pass through unchanged.
    """
    by_href: dict[str, list[dict[str, Any]]] = {}
    for item in visibility:
        by_href.setdefault(item.get("href", ""), []).append(item)
    out: list[Finding] = []
    known: set[str] = set()
    for f in findings:
        if f.rule != "SC001" or not f.target:
            out.append(f)
            continue
        known.add(f.target)
        items = by_href.get(f.target, [])
        if any(i.get("visible") for i in items):
            continue
        f.evidence["confirmed_by"] = "browser" if items else "markup (not rendered)"
        if items:
            f.evidence["browser_reasons"] = items[0].get("reasons", [])
        out.append(f)
    for href, items in by_href.items():
        if href in known or not _offsite(href, ctx) or any(i.get("visible") for i in items):
            continue
        reasons = items[0].get("reasons", [])
        ui_hidden = any(r.startswith("not rendered") for r in reasons)
        if ui_hidden and not _illicit_terms(items[0].get("text", "") + " " + href):
            continue  # closed menus and tabs are not rendered either: only spam words make it a dark link
        msg = f"暗链：指向站外 {urlsplit(href).hostname} 的链接在浏览器中不可见（{'、'.join(reasons)}）"
        evidence = {"reason": "; ".join(reasons), "anchor_text": items[0].get("text", ""),
                    "host": urlsplit(href).hostname,
                    "illicit_terms": _illicit_terms(items[0].get("text", "") + " " + href),
                    "confirmed_by": "browser"}
        out.append(finding("SC001", msg, page=page_url or ctx.site.url, target=href, evidence=evidence))
    return out


def _links_and_terms(html: str, base: str, ctx: CheckContext) -> tuple[dict[str, str], set[str]]:
    try:
        tree = lxml.html.document_fromstring(html, base_url=base) if html.strip() else None
    except Exception:  # hostile markup: treat as empty
        tree = None
    if tree is None:
        return {}, set()
    links = {}
    for a in tree.iter("a"):
        target = urljoin(base, (a.get("href") or "").strip())
        if _offsite(target, ctx):
            links.setdefault(target, " ".join(a.text_content().split())[:100])
    for bad in tree.iter("script", "style", "noscript"):
        bad.drop_tree()
    text = " ".join(tree.text_content().split())
    terms = {m.text[m.start:m.end] for m in lexicon().scan(text, frozenset({"SC002"}))}
    return links, terms


#: What a search engine sends; fetch the homepage with it and with the browser's agent for cloaking_findings.
SPIDER_USER_AGENT = "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)"


def cloaking_findings(browser_html: str, spider_html: str, ctx: CheckContext,
                      url: str | None = None) -> list[Finding]:
    """SC001/SC002 for off-site links and illicit terms served only to a search-engine User-Agent."""
    page = url or ctx.site.url
    b_links, b_terms = _links_and_terms(browser_html, page, ctx)
    s_links, s_terms = _links_and_terms(spider_html, page, ctx)
    out: list[Finding] = []
    for target in sorted(set(s_links) - set(b_links)):
        evidence = {"reason": "cloaking: served only to search-engine spiders",
                    "anchor_text": s_links[target],
                    "host": urlsplit(target).hostname,
                    "illicit_terms": _illicit_terms(s_links[target] + " " + target)}
        msg = f"暗链：仅向搜索引擎爬虫展示指向站外 {urlsplit(target).hostname} 的链接"
        out.append(finding("SC001", msg, page=page, target=target, evidence=evidence))
    for word in sorted(s_terms - b_terms):
        msg = f"违法违规内容：仅向搜索引擎爬虫展示「{word}」"
        out.append(finding("SC002", msg, page=page, evidence={"match": word, "reason": "cloaking"}, key=word))
    return out


_MEMO_SC003 = "security/script-hosts"
_HIJACK = re.compile(r"document\.referrer", re.I)
_HIJACK_ENGINE = re.compile(r"baidu|sogou|so\.com|sm\.cn|bing|google|360", re.I)
_HIJACK_JUMP = re.compile(
    r"(?:window|top|self|document)\.location(?:\.href)?\s*=|location\.replace\s*\(", re.I)


@cache
def trusted_script_hosts() -> tuple[str, ...]:
    data = yaml.safe_load((RULES_DIR / "illicit.yaml").read_text(encoding="utf-8"))
    return tuple(h.lower().strip(".") for h in data.get("trusted_script_hosts") or []) + trusted_hosts()


def _script_host_ok(host: str, ctx: CheckContext) -> bool:
    allowed = {h.lower() for h in ctx.options.allowed_script_hosts}
    host = host.lower().strip(".")
    return any(host == t or host.endswith("." + t) for t in (*trusted_script_hosts(), *allowed))


def foreign_script_findings(page: PageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """SC003 foreign-script (可疑外部脚本).

    ## What it does
    Checks for scripts and iframes loaded from hosts that are not the site's, not a trusted CDN or
    statistics service (``trusted_script_hosts``) and not in the site's ``allowed_script_hosts`` option
    (once per host per scan), and for inline scripts that redirect visitors coming from a search engine.

    ## Why is this bad?
    A script from an unknown host can rewrite the page (挂马, 篡改); referrer-based redirects are the usual
    way hacked government pages send search visitors to gambling sites.

    ## Example
    ``<script src="http://js.evil-cdn.example/tj.js">``; ``if (document.referrer.indexOf("baidu")>0)
    window.location.href = "http://casino.example/"``.

    ## Known problems
    Every third-party widget the site chose on purpose is reported once (warn) until it is allowed;
    "appeared" (new since the last scan) is left to the findings lifecycle (first_seen).
    """
    tree = page.tree
    if tree is None:
        return
    where = page.final_url or page.url
    seen: set[str] = ctx.memo.setdefault(_MEMO_SC003, set())
    for el in tree.iter("script", "iframe"):
        src = (el.get("src") or "").strip()
        target = urljoin(where, src) if src else ""
        host = urlsplit(target).hostname or "" if target else ""
        if host and urlsplit(target).scheme in ("http", "https") and not ctx.site.is_internal(target) \
                and not _script_host_ok(host, ctx) and host not in seen:
            seen.add(host)
            msg = f"可疑外部脚本：页面加载了来自 {host} 的{'脚本' if el.tag == 'script' else '内嵌框架'}"
            yield finding("SC003", msg, page=where, target=target, evidence={"tag": el.tag, "host": host})
        code = el.text or "" if el.tag == "script" and not src else ""
        if code and _HIJACK.search(code) and _HIJACK_ENGINE.search(code) and _HIJACK_JUMP.search(code):
            key = "referrer-redirect"
            if key not in seen:
                seen.add(key)
                msg = "可疑脚本：按搜索引擎来源跳转页面（常见的博彩劫持手法）"
                yield finding("SC003", msg, page=where, evidence={"tag": "script", "pattern": key,
                                                                  "code": code.strip()[:200]}, key=key)


EXTRACTORS = ()
PAGE_CHECKS = (hidden_link_findings, illicit_findings, foreign_script_findings)
SITE_CHECKS = ()
