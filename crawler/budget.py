"""The page budget: a scan that stops at ``crawl.max_pages`` (or a site's ``max_pages``) is ``partial``.

A partial scan stores its pages and findings like a complete one, but it is never taken for a whole-site
inspection: it resolves no finding it did not see again (:func:`xunjian.storage.findings.resolve_unseen`
acts on complete scans only), it gets no score (scores are recorded for complete scans only and computed
from the latest complete scan), and ``scan``, ``findings`` and the reports say it is partial.
"""

from __future__ import annotations

from typing import Any

PARTIAL = "partial"


def partial_message(stats: Any) -> str:
    """The scan message of a partial scan, from the spider's ``budget/*`` stats."""
    budget = stats.get_value("budget/max_pages")
    skipped = stats.get_value("budget/pages_not_crawled") or 0
    return (f"部分扫描: 达到页面上限 {budget} 页，另有 {skipped} 个站内页面未抓取 (只核验了链接)，"
            "结果不代表全站，不计分，也不据此判定问题已整改")


def partial_note(scan: Any) -> str | None:
    """A line for views (findings, reports) when the scan shown is partial, else None."""
    if scan is None or scan.status != PARTIAL:
        return None
    return f"注意: 最近一次扫描 #{scan.id} 为部分扫描 — {scan.message or '达到页面上限'}"
