"""Footer identifiers (底部功能区): FT001-FT009.

The extractor (:mod:`xunjian.checks.footer_facts`) keeps a small ``facts["footer"]`` and
``facts["template"]`` per page. The site check :func:`check_footer` then judges the homepage and a
sample of inner pages per (page type, template) (``ctx.options.footer_sample_per_template``, default 3),
because integrated sub-sites and special templates often lose their badges: one finding per rule for the
homepage, and one per (rule, page type, template) for inner pages, keyed by page type and template signature,
with ``evidence.pages`` (the failing pages, up to 20) and ``evidence.page_count``.
Each rule below is a pure function of one page's footer facts.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from xunjian.checks import finding
from xunjian.checks.footer_facts import extract_footer, footer_rules

if TYPE_CHECKING:
    from xunjian.checks.base import CheckContext, Finding
    from xunjian.records import PageSummary, ScanView

    FooterOf = Callable[[PageSummary], list[dict[str, Any]]]

__all__ = ["EXTRACTORS", "FOOTER_RULES", "SITE_CHECKS", "check_footer", "extract_footer",
           "sample_pages"]

# --- rules: each takes a page's footer facts and says what is wrong (or None) -----------------------

Problem = tuple[str, dict[str, Any]] | None


def missing_conac_badge(facts: dict[str, Any], ctx: CheckContext) -> Problem:
    """FT001 missing-conac-badge (缺少党政机关网站标识).

    ## What it does
    Checks for the 党政机关网站标识: the ``_ideConac`` script from ``dcs.conac.cn/js/``, a link to
    ``bszs.conac.cn/sitename?method=show&id=…`` or the ``dcs.conac.cn/image/red.png`` badge image.

    ## Why is this bad?
    The badge shows the site is a registered Party or government site; the Guide requires it in the footer.

    ## Example
    A footer without the badge. Use instead:
    ``document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript src='//dcs.conac.cn/js/…'…"))``.

    ## Known problems
    A badge drawn only as a local image without the bszs.conac.cn link is not recognised.
    """
    if facts.get("conac"):
        return None
    return "缺少党政机关网站标识", {"looked_for": "_ideConac、dcs.conac.cn/js、bszs.conac.cn 链接"}


def missing_site_code(facts: dict[str, Any], ctx: CheckContext) -> Problem:
    """FT002 missing-site-code (缺少网站标识码).

    ## What it does
    Checks for the text ``网站标识码`` followed by a 10-digit or ``bm`` + 8-digit code.

    ## Why is this bad?
    The code identifies the site in the national registry and in error reports.

    ## Example
    A footer without it. Use instead: ``网站标识码：3609000002``.
    """
    return None if facts.get("site_code") else ("缺少网站标识码", {"looked_for": "网站标识码：10 位数字或 bm+8 位数字"})


def site_code_mismatch(facts: dict[str, Any], ctx: CheckContext) -> Problem:
    """FT003 site-code-mismatch (网站标识码不一致).

    ## What it does
    Checks that the footer's 网站标识码 and the 找错 ``sitecode`` equal the registered code; without a
    registered code, that the footer code, the 找错 ``sitecode`` and the ``SiteIDCode`` meta agree.

    ## Why is this bad?
    A copied template often carries another site's code, so error reports go to the wrong site.

    ## Example
    ``网站标识码：3609000001`` on a site registered as 3609000002. Use instead the registered code.

    ## Known problems
    A wrong ``SiteIDCode`` meta alone is reported as MT002 when a code is registered.
    """
    found = {
        "footer": (facts.get("site_code") or {}).get("value"),
        "jiucuo": (facts.get("jiucuo") or {}).get("sitecode"),
        "meta": facts.get("meta_site_code"),
    }
    found = {k: v for k, v in found.items() if v}
    expected = (ctx.site.site_code or "").strip()
    if expected:
        wrong = {k: v for k, v in found.items() if k != "meta" and v.lower() != expected.lower()}
        if wrong:
            shown = "，".join(f"{_SOURCE_ZH[k]} {v}" for k, v in wrong.items())
            return f"网站标识码与登记的 {expected} 不一致（{shown}）", {"expected": expected, "found": found}
        return None
    if len({v.lower() for v in found.values()}) > 1:
        shown = "，".join(f"{_SOURCE_ZH[k]} {v}" for k, v in found.items())
        return f"页面中的网站标识码互不一致（{shown}）", {"expected": None, "found": found}
    return None


_SOURCE_ZH = {"footer": "页脚", "jiucuo": "找错入口 sitecode", "meta": "SiteIDCode 标签"}


def missing_icp(facts: dict[str, Any], ctx: CheckContext) -> Problem:
    """FT004 missing-icp (缺少ICP备案编号).

    ## What it does
    Checks for an ICP filing number: province abbreviation + ``ICP备`` + digits + ``号`` (``-N`` optional).

    ## Why is this bad?
    Every site served in China must show its ICP filing number; the Guide lists it in the footer.

    ## Example
    A footer without it. Use instead: ``<a href="https://beian.miit.gov.cn/">赣ICP备06000141号</a>``.

    ## Known problems
    Only the format is checked, not whether the number is valid.
    """
    return None if facts.get("icp") else ("缺少ICP备案编号", {"looked_for": "X ICP备 NNNNNNNN 号"})


def missing_police_record(facts: dict[str, Any], ctx: CheckContext) -> Problem:
    """FT005 missing-police-record (缺少公安机关备案标识).

    ## What it does
    Checks for the 公安机关备案 number (``X公网安备 14 digits 号`` or the beian.gov.cn link) and that the
    ``recordcode`` of the link equals the number in the text.

    ## Why is this bad?
    The filing mark is required in the footer; a link to another number points visitors to another site.

    ## Example
    A footer without it. Use instead:
    ``<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=36090202000004">``
    ``赣公网安备 36090202000004号</a>``.
    """
    police = facts.get("police")
    if not police:
        return "缺少公安机关备案标识", {"looked_for": "X公网安备 14 位数字号 或 beian.gov.cn 备案链接"}
    if police.get("value") and police.get("link") and police["value"] != police["link"]:
        return (f"公安机关备案链接编号 {police['link']} 与页面文字编号 {police['value']} 不一致",
                {"text_number": police["value"], "link_number": police["link"]})
    return None


def missing_jiucuo(facts: dict[str, Any], ctx: CheckContext) -> Problem:
    """FT006 missing-jiucuo (缺少"我为政府网站找错"入口).

    ## What it does
    Checks for the entry to the national error-reporting platform: the ``_jiucuo_`` script, a
    ``/exposure/jiucuo.(js|html)`` link, or a link reading 我为政府网站找错. An entry that only points
    to the retired platform (pucha.kaipuyun.cn, 121.43.68.40) is reported too, unless
    ``legacy_counts_as_present`` is set in ``rules/footer.yaml``.

    ## Why is this bad?
    The 2019 indicators require every government site to link the 我为政府网站找错 platform.

    ## Example
    ``<script id="_jiucuo_" sitecode="1400000045" src="http://pucha.kaipuyun.cn/exposure/jiucuo.js">``.
    Use instead: ``src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"``.
    """
    jiucuo = facts.get("jiucuo")
    if not jiucuo:
        return '缺少"我为政府网站找错"入口', {"looked_for": "_jiucuo_ 脚本、/exposure/jiucuo 链接"}
    if jiucuo.get("legacy") and not footer_rules()["legacy_counts_as_present"]:
        hosts = "、".join(jiucuo["hosts"])
        return f'"我为政府网站找错"入口指向已停用的旧平台地址 {hosts}', {"legacy_hosts": jiucuo["hosts"]}
    return None


def missing_sponsor(facts: dict[str, Any], ctx: CheckContext) -> Problem:
    """FT007 missing-sponsor (缺少网站主办单位).

    ## What it does
    Checks the footer for ``主办单位：…`` (or 主办/主办方). 承办单位 alone is not a sponsor.

    ## Why is this bad?
    Visitors must be able to see which body is responsible for the site.

    ## Example
    ``承办：宜春市人民政府办公室`` alone. Use instead: ``主办：宜春市人民政府　承办：宜春市人民政府办公室``.
    """
    if facts.get("sponsor"):
        return None
    evidence: dict[str, Any] = {"looked_for": "主办单位：…"}
    if ctx.site.sponsor:
        evidence["registered_sponsor"] = ctx.site.sponsor
    if facts.get("undertaker"):
        evidence["undertaker"] = facts["undertaker"]
        return "页脚只有承办单位，缺少网站主办单位", evidence
    return "缺少网站主办单位", evidence


def missing_contact(facts: dict[str, Any], ctx: CheckContext) -> Problem:
    """FT008 missing-contact (缺少联系方式).

    ## What it does
    Checks the footer for a phone number (area code + number, 400/800, mobile, ``电话：…``) or an
    e-mail address (text or ``mailto:`` link).

    ## Why is this bad?
    The Guide asks the footer to give the sponsor's contact details.

    ## Example
    A footer with only a "联系我们" link. Use instead: ``电话：0795-3999000  邮箱：ycszfb@yichun.gov.cn``.

    ## Known problems
    Contact details kept only on a separate "联系我们" page are not followed.
    """
    contact = facts.get("contact") or {}
    if contact.get("phone") or contact.get("email"):
        return None
    evidence = {"looked_for": "电话号码、电子邮箱"}
    if contact.get("contact_page"):
        evidence["contact_page"] = contact["contact_page"]
    return "页脚缺少联系方式（电话或电子邮箱）", evidence


def missing_sitemap(facts: dict[str, Any], ctx: CheckContext) -> Problem:
    """FT009 missing-sitemap (缺少网站地图).

    ## What it does
    Checks for a link whose text reads 网站地图 (or 站点地图, site map).

    ## Why is this bad?
    A site map helps visitors find columns; the Guide lists it among the page's common elements.

    ## Example
    No such link. Use instead: ``<a href="/wzdt/">网站地图</a>``.
    """
    return None if facts.get("sitemap") else ("缺少网站地图链接", {"looked_for": "文字为“网站地图”的链接"})


FOOTER_RULES: tuple[tuple[str, Callable[[dict[str, Any], CheckContext], Problem]], ...] = (
    ("FT001", missing_conac_badge),
    ("FT002", missing_site_code),
    ("FT003", site_code_mismatch),
    ("FT004", missing_icp),
    ("FT005", missing_police_record),
    ("FT006", missing_jiucuo),
    ("FT007", missing_sponsor),
    ("FT008", missing_contact),
    ("FT009", missing_sitemap),
)


# --- the site check ---------------------------------------------------------------------------------


def framed_urls(view: ScanView) -> set[str]:
    """Pages other pages show in a frame (a footer include): judged as part of those pages, not on their own."""
    return {u for p in view.pages for u in (((p.facts or {}).get("footer") or {}).get("frames") or ())}


def sample_pages(view: ScanView, per_template: int, skip: set[str] | frozenset[str] = frozenset()
                 ) -> dict[str, list[PageSummary]]:
    """Inner pages with footer facts (not in ``skip``) grouped by ``"<page type>/template=<signature>"``, the
    first ``per_template`` of each group by (depth, URL). One pass; at most ``per_template`` pages kept per group."""
    if per_template <= 0:
        return {}
    groups: dict[str, list[tuple[tuple[int, int, str], int, PageSummary]]] = defaultdict(list)
    for seq, page in enumerate(view.pages):
        facts = page.facts or {}
        if page.url in skip or (page.final_url or page.url) in skip:
            continue
        if page.page_type != "homepage" and facts.get("footer") is not None and facts.get("template"):
            kept = groups[f"{page.page_type}/template={facts['template']}"]
            entry = ((page.depth, len(page.url), page.url), seq, page)
            if len(kept) < per_template or entry[:2] < kept[-1][:2]:
                bisect.insort(kept, entry, key=lambda e: e[:2])  # stable: equal keys keep the crawl order
                del kept[per_template:]
    return {sig: [page for *_, page in kept] for sig, kept in sorted(groups.items())}


def framed_footers(view: ScanView, framed: set[str]) -> FooterOf:
    """A page's footer facts and those of the same-site pages it shows in frames (``framed``, from
    :func:`framed_urls`): a footer in an ``<iframe src="/footer.html">`` is what the visitor sees at the bottom
    of the page. Only the framed include pages' footers are kept, not every page's."""
    by_url: dict[str, dict[str, Any]] = {}
    for page in view.pages if framed else ():
        footer = (page.facts or {}).get("footer")
        if footer is not None and (page.url in framed or (page.final_url or page.url) in framed):
            by_url.setdefault(page.url, footer)
            by_url.setdefault(page.final_url or page.url, footer)

    def footer_of(page: PageSummary) -> list[dict[str, Any]]:
        own = page.facts["footer"]
        return [own, *(by_url[u] for u in own.get("frames") or () if u in by_url and u != page.url)]
    return footer_of


def _judge(judge: Callable[..., Problem], footers: list[dict[str, Any]], ctx: CheckContext) -> Problem:
    """The page's problem unless the page itself or one of its framed footers passes the rule."""
    first = judge(footers[0], ctx)
    if first is None or any(judge(f, ctx) is None for f in footers[1:]):
        return None
    return first


def _homepage_findings(page: PageSummary, ctx: CheckContext, footer_of: FooterOf) -> Iterator[Finding]:
    footers = footer_of(page)
    for code, judge in FOOTER_RULES:
        problem = _judge(judge, footers, ctx)
        if problem:
            message, evidence = problem
            url = page.final_url or page.url
            yield finding(code, f"首页{message}", page=url,
                          evidence={**evidence, "page_type": "homepage", "pages": [url], "page_count": 1})


def _template_findings(group: str, pages: list[PageSummary], ctx: CheckContext,
                       footer_of: FooterOf) -> Iterator[Finding]:
    sampled = [p.final_url or p.url for p in pages]
    kind, _, sig = group.partition("/template=")
    footers = [footer_of(p) for p in pages]
    for code, judge in FOOTER_RULES:
        problems = [(url, _judge(judge, f, ctx)) for url, f in zip(sampled, footers, strict=True)]
        failing = [(url, problem) for url, problem in problems if problem]
        if not failing:
            continue
        first_url, (message, evidence) = failing[0]
        urls = [u for u, _ in failing]
        yield finding(
            code,
            f"{_KIND_ZH.get(kind, '内页')}模板 {sig}（抽查 {len(pages)} 页，{len(failing)} 页有此问题，如 {first_url}）{message}",
            evidence={**evidence, "template": sig, "page_type": kind, "sampled": sampled, "failing": urls,
                      "pages": urls[:20], "page_count": len(urls)},
            key=group,
        )


_KIND_ZH = {"column": "栏目页", "article": "内容页", "other": "其他页面"}


def check_footer(view: ScanView, ctx: CheckContext) -> Iterator[Finding]:
    """FT001-FT009 on the homepage and on sampled inner pages of each template (one per rule and template)."""
    homepage = view.homepage
    framed = framed_urls(view)  # one pass over the stored pages, shared by the two below
    footer_of = framed_footers(view, framed)
    if homepage is not None and (homepage.facts or {}).get("footer") is not None:
        yield from _homepage_findings(homepage, ctx, footer_of)
    per_template = ctx.options.footer_sample_per_template
    for group, pages in sample_pages(view, per_template, framed).items():
        yield from _template_findings(group, pages, ctx, footer_of)


EXTRACTORS = (extract_footer,)
SITE_CHECKS = (check_footer,)
