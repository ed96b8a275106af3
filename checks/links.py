"""Link availability (LK001–LK006): one finding per (rule, target) whose target did not check out.

## What it does
Checks every link, image, attachment, script, stylesheet and iframe found on the crawled pages,
using the scan's verdict on each unique target (checked once per scan): broken targets linked from
the homepage are LK001, from other pages only LK002 (inside the site) or LK003 (outside); 2xx error
pages and deep links redirected to a homepage are LK004; links to private addresses LK005; targets
behind an anti-bot wall LK006 (listed, never scored as broken).

Granularity (rules.md, 2026-12): a target linked from many pages is **one** finding, with
``evidence.page_count`` (how many pages link it) and ``evidence.pages`` (up to 20 example page URLs,
the homepage first, then in URL order); ``page`` is the first example. Every (page, link) observation
stays in the ``links`` table; only findings are grouped. The fingerprint is rule + site + target.

## Why is this bad?
The national indicators deduct for every unusable link (链接可用性); broken homepage links weigh
most. A link to an intranet address leaks internal structure and never works for the public.

## Example
``<a href="/files/2026/notice.pdf">附件1</a>`` where the PDF answers 404 → LK002.
Use instead: fix or remove the link.

## Known problems
Favors false negatives: a target answering 403/412/429/999 or a JavaScript challenge is not called
broken (LK006), nor one asking for a login (401/407: a robot cannot tell it from a removed page), until a
real browser confirms it; soft 404s are recognised by title, heading and size.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from xunjian.checks import finding

if TYPE_CHECKING:
    from xunjian.checks.base import CheckContext, Finding
    from xunjian.records import BadLink, ScanView

KIND_ZH = {"page": "页面链接", "image": "图片", "attachment": "附件", "script": "脚本", "stylesheet": "样式表",
           "iframe": "内嵌框架"}
MAX_EXAMPLE_PAGES = 20


def rule_for(bad: BadLink, on_homepage: bool = False) -> str:
    outcome = bad.result.outcome
    if outcome == "private":
        return "LK005"
    if outcome == "blocked":
        return "LK006"
    if outcome == "wrong":
        return "LK004"
    if on_homepage or bad.page_type == "homepage":
        return "LK001"
    return "LK002" if bad.link.internal else "LK003"


def message_for(bad: BadLink, code: str, page_count: int = 1) -> str:
    what = KIND_ZH.get(bad.link.kind, "链接")
    reason = bad.result.reason or bad.result.outcome
    where = f" ({page_count} 个页面引用)" if page_count > 1 else ""
    if code == "LK005":
        return f"{what}指向公众无法访问的内网地址: {reason}{where}"
    if code == "LK006":
        why = "需要登录" if reason.startswith(("HTTP 401", "HTTP 407")) else "疑似防火墙拦截"
        return f"{what}无法核验 ({why}): {reason}{where}"
    if code == "LK004":
        return f"{what}错链: {reason}{where}"
    return f"{what}不可用: {reason}{where}"


def example_pages(observations: list[BadLink]) -> list[str]:
    """Distinct page URLs linking a target: homepage first, then in URL order (stable across scans)."""
    homes = {b.page_url for b in observations if b.page_type == "homepage"}
    others = {b.page_url for b in observations} - homes
    return sorted(homes) + sorted(others)


def _grouped(view: ScanView) -> dict[str, list[BadLink]]:
    by_target: dict[str, list[BadLink]] = {}
    for bad in view.bad_links:
        by_target.setdefault(bad.link.url, []).append(bad)
    return by_target


def target_finding(observations: list[BadLink]) -> Finding:
    """The one finding of a target from all its (page, link) observations."""
    pages = example_pages(observations)
    on_home = any(b.page_type == "homepage" for b in observations)
    first = next(b for b in observations if b.page_url == pages[0])
    code = rule_for(first, on_homepage=on_home)
    r = first.result
    evidence = {"status": r.status, "reason": r.reason, "anchor_text": first.link.anchor_text,
                "kind": first.link.kind, "outcome": r.outcome, "page_count": len(pages),
                "pages": pages[:MAX_EXAMPLE_PAGES]}
    if r.final_url and r.final_url != first.link.url:
        evidence["final_url"] = r.final_url
    if r.redirect_chain:
        evidence["redirect_chain"] = r.redirect_chain
    return finding(code, message_for(first, code, len(pages)), page=pages[0], target=first.link.url,
                   evidence=evidence, grouped=True)


def check_links(view: ScanView, ctx: CheckContext) -> Iterator[Finding]:
    for _target, observations in sorted(_grouped(view).items()):
        yield target_finding(observations)


SITE_CHECKS = [check_links]
