"""The page checks run on one article outside a scan: POST /api/check and the 复查 button.

:func:`article_record` turns an article's HTML (or plain text, wrapped in a minimal page) into the
:class:`~xunjian.records.PageRecord` the crawler would have made; :func:`check_page` runs the page
type, extractors and page checks on it exactly as a scan's check process does
(:func:`xunjian.crawler.checkpool.run_checks`) and keeps the families asked for.
"""

from __future__ import annotations

import html as htmllib
from datetime import date
from typing import TYPE_CHECKING, Any

from xunjian.checks.base import CheckContext, CheckOptions
from xunjian.records import PageRecord, SiteInfo

if TYPE_CHECKING:
    from xunjian.checks.base import Finding
    from xunjian.config import Settings

CHECK_FAMILIES = ("TX", "SC", "MT")
PLACEHOLDER_URL = "https://article.invalid/article.html"


def article_record(url: str | None, html: str | None, text: str | None, title: str | None = None) -> PageRecord:
    """The page the crawler would record for this article (plain text becomes paragraphs)."""
    url = url if url and url.lower().startswith(("http://", "https://")) else PLACEHOLDER_URL
    if not html:
        paragraphs = "".join(f"<p>{htmllib.escape(line)}</p>" for line in (text or "").splitlines() if line.strip())
        head = f"<title>{htmllib.escape(title or '')}</title>" if title else ""
        html = f"<!DOCTYPE html><html><head><meta charset=\"utf-8\">{head}</head><body><article>" \
               f"{paragraphs}</article></body></html>"
    record = PageRecord(url=url, final_url=url, status=200, content_type="text/html; charset=utf-8",
                        encoding="utf-8", html=html, size=len(html.encode("utf-8")), page_type="article")
    tree = record.tree
    found = tree.findtext(".//title") if tree is not None else None
    record.title = (title or found or "").strip()[:500]
    record.__dict__["classified"] = True  # an article: the caller says so
    return record


def context_for(settings: Settings, site: Any | None, as_of: date, url: str) -> CheckContext:
    if site is not None:
        from xunjian.storage.registry import site_info

        info = site_info(site, settings.crawl.aliases.get(site.id))
        allow = set((site.extra or {}).get("allow_words", []))
    else:
        info, allow = SiteInfo(id="api-check", name="", url=url.split("/", 3)[0] + "//" + url.split("/")[2]), set()
    return CheckContext(site=info, as_of=as_of, options=CheckOptions(
        footer_sample_per_template=settings.checks.footer_sample_per_template, allow_words=frozenset(allow)))


def check_page(record: PageRecord, ctx: CheckContext, settings: Settings,
               families: tuple[str, ...] = CHECK_FAMILIES) -> tuple[list[Finding], dict[str, str]]:
    """Findings of the given families (rule prefixes) for one page, and the checks that crashed."""
    from xunjian.crawler.checkpool import run_checks

    disabled = frozenset(settings.checks.disabled)
    _facts, findings, errors, _type = run_checks(record, ctx, disabled)
    if "MT" in families:  # in a scan, page labels are judged per template at the end; here, for this page
        from xunjian.checks.labels import missing_page_labels, page_label_mismatch

        findings += [f for f in (*missing_page_labels(record, ctx), *page_label_mismatch(record, ctx))
                     if f.rule not in disabled]
    return [f for f in findings if f.rule[:2] in families], errors
