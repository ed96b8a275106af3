"""Site search (站内搜索): FN002 search-broken.

Extractors keep ``search_form`` (the homepage's search form: action, method, query parameter, hidden
fields) and ``headline`` (an article's title: ArticleTitle label, else its ``<h1>``). When the crawl is
idle, :mod:`xunjian.crawler.search_probe` searches the site for the newest article's headline — through
the form, else the default search URLs of common products (``rules/interaction.yaml``) — and stores
what came back as the ``search_probe`` fact of one page record (links of the results page, status,
error). :func:`check_search` judges it: FN002 when the site has no search, the search errors, or its
results do not list the article.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from xunjian.checks import finding
from xunjian.checks.interaction import interaction_rules

if TYPE_CHECKING:
    from collections.abc import Iterator

    from xunjian.checks.base import CheckContext, Finding
    from xunjian.records import PageRecord, ScanView

_PUNCT = re.compile(r"[\s\u3000\xa0.，。、：:；;！!？?“”\"'‘’（）()《》<>【】\[\]—\-_|·…]+")
_SEARCH_WORDS = ("search", "sousuo", "jsearch", "was5", "guestweb", "query", "检索", "搜索", "s.jsp")


def _words(key: str) -> tuple[str, ...]:
    return tuple(str(w) for w in interaction_rules()[key])


def normalize_title(text: str) -> str:
    return _PUNCT.sub("", text or "").lower()


def _form_facts(page: PageRecord, form: Any) -> dict[str, Any] | None:
    """A search form: a text input named like a query (or a form that says search), with its hidden fields."""
    params = {p.lower() for p in _words("query_params")}
    texts = [i for i in form.iter("input") if (i.get("type") or "text").lower() in ("text", "search") and i.get("name")]
    marker = f"{form.get('action') or ''} {form.get('id') or ''} {form.get('name') or ''} {form.get('class') or ''}"
    marker += " ".join((b.get("value") or b.text_content() or "") for b in form.xpath(".//button | .//input[@type='submit']"))
    query = next((i for i in texts if i.get("name").lower() in params), None)
    if query is None and texts and any(w in marker.lower() for w in _SEARCH_WORDS):
        query = texts[0]
    if query is None or form.find(".//textarea") is not None:
        return None
    hidden = {i.get("name"): i.get("value") or "" for i in form.iter("input")
              if (i.get("type") or "").lower() == "hidden" and i.get("name")}
    action = urljoin(page.final_url or page.url, (form.get("action") or "").strip() or page.final_url or page.url)
    charset = (form.get("accept-charset") or page.encoding or "utf-8").split()[0].lower()
    return {"action": action, "method": (form.get("method") or "get").lower(), "param": query.get("name"),
            "hidden": dict(list(hidden.items())[:10]), "charset": charset}


def extract_search_form(page: PageRecord, ctx: CheckContext) -> dict[str, Any]:
    """``search_form`` of the homepage (the first form that searches)."""
    if page.page_type != "homepage" or page.tree is None:
        return {}
    for form in page.tree.iter("form"):
        facts = _form_facts(page, form)
        if facts:
            return {"search_form": facts}
    return {}


def extract_headline(page: PageRecord, ctx: CheckContext) -> dict[str, Any]:
    """``headline`` of an article page (what a reader would type into the search box)."""
    if page.page_type != "article" or page.tree is None:
        return {}
    meta = page.tree.xpath("//meta[translate(@name,'ARTICLETITLE','articletitle')='articletitle']/@content")
    h1 = page.tree.find(".//h1")
    text = (meta[0] if meta else "") or (h1.text_content() if h1 is not None else "")
    text = " ".join(text.split())
    return {"headline": text[:80]} if 6 <= len(text) else {}


def results_list(probe: dict[str, Any]) -> bool:
    """True when the results page lists the article (by its URL, or a link text holding its title)."""
    wanted = normalize_title(probe.get("query") or "")
    article = probe.get("article")
    for text, url in probe.get("links") or ():
        norm = normalize_title(text)
        if (article and url == article) or (wanted and norm and (wanted in norm or (len(norm) >= 8 and norm in wanted))):
            return True
    return False


def check_search(view: ScanView, ctx: CheckContext) -> Iterator[Finding]:
    """FN002: the site search is missing, errors, or does not find a recent article by its title."""
    probe = next(((p.facts or {}).get("search_probe") for p in view.pages if (p.facts or {}).get("search_probe")), None)
    if not probe:
        return  # not probed (no dated article to look for, or the scan stopped first)
    evidence = {k: probe.get(k) for k in ("query", "article", "url", "status", "error", "via", "rendered")}
    evidence["tried"] = probe.get("tried") or []
    if not probe.get("found"):
        yield finding("FN002", "未找到站内搜索功能 (首页无搜索框，常用搜索地址均不可用)", evidence=evidence, key="search")
        return
    status = probe.get("status") or 0
    if probe.get("error") or not 200 <= status < 300:
        why = probe.get("error") or f"HTTP {status}"
        yield finding("FN002", f"站内搜索出错 ({why})", evidence=evidence, key="search")
        return
    if not results_list(probe):
        yield finding("FN002", f"站内搜索检索不到本站近期文章“{probe.get('query')}”",
                      evidence=evidence, key="search")


EXTRACTORS = [extract_search_form, extract_headline]
SITE_CHECKS = [check_search]

__all__ = ["EXTRACTORS", "SITE_CHECKS", "check_search", "normalize_title", "results_list"]
