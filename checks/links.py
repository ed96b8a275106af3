"""Link availability (LK001–LK006): one finding per (page, target) whose target did not check out.

## What it does
Checks every link, image, attachment, script, stylesheet and iframe found on the crawled pages,
using the scan's verdict on each unique target (checked once per scan): broken targets on the
homepage are LK001, on other pages LK002 (inside the site) or LK003 (outside); 2xx error pages and
deep links redirected to a homepage are LK004; links to private addresses LK005; targets behind an
anti-bot wall LK006 (listed, never scored as broken).

## Why is this bad?
The national indicators deduct for every unusable link (链接可用性); broken homepage links weigh
most. A link to an intranet address leaks internal structure and never works for the public.

## Example
``<a href="/files/2026/notice.pdf">附件1</a>`` where the PDF answers 404 → LK002.
Use instead: fix or remove the link.

## Known problems
Favors false negatives: a target answering 403/412/429 or a JavaScript challenge is not called
broken (LK006) until a real browser confirms it; soft 404s are recognised by title and size.
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


def rule_for(bad: BadLink) -> str:
    outcome = bad.result.outcome
    if outcome == "private":
        return "LK005"
    if outcome == "blocked":
        return "LK006"
    if outcome == "wrong":
        return "LK004"
    if bad.page_type == "homepage":
        return "LK001"
    return "LK002" if bad.link.internal else "LK003"


def message_for(bad: BadLink, code: str) -> str:
    what = KIND_ZH.get(bad.link.kind, "链接")
    reason = bad.result.reason or bad.result.outcome
    if code == "LK005":
        return f"{what}指向公众无法访问的内网地址: {reason}"
    if code == "LK006":
        return f"{what}无法核验 (疑似防火墙拦截): {reason}"
    if code == "LK004":
        return f"{what}错链: {reason}"
    return f"{what}不可用: {reason}"


def check_links(view: ScanView, ctx: CheckContext) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()
    for bad in view.bad_links:
        pair = (bad.page_url, bad.link.url)
        if pair in seen:
            continue
        seen.add(pair)
        code = rule_for(bad)
        r = bad.result
        evidence = {"status": r.status, "reason": r.reason, "anchor_text": bad.link.anchor_text,
                    "kind": bad.link.kind, "outcome": r.outcome}
        if r.final_url and r.final_url != bad.link.url:
            evidence["final_url"] = r.final_url
        if r.redirect_chain:
            evidence["redirect_chain"] = r.redirect_chain
        yield finding(code, message_for(bad, code), page=bad.page_url, target=bad.link.url, evidence=evidence)


SITE_CHECKS = [check_links]
