"""Every link's computed visibility in a rendered page (Chromium), for SC001 hidden-link confirmation.

The JavaScript lives in ``visibility.js`` beside this module; the renderer (:mod:`xunjian.crawler.render`)
runs it after a page loads and hands the result to the checks as ``PageRecord.link_visibility``, which
:func:`xunjian.checks.security.confirm_hidden_links` combines with the static analysis. Checks stay pure:
they never drive the browser.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any


@cache
def visibility_js() -> str:
    """The function Chromium evaluates: ``() => [{href, text, visible, reasons, width, height}, ...]``."""
    return (Path(__file__).with_name("visibility.js")).read_text(encoding="utf-8")


def collect_link_visibility(pw_page: Any) -> list[dict[str, Any]]:
    """Every link's computed visibility in a rendered Playwright page (sync API):
    ``[{"href", "text", "visible", "reasons", "width", "height"}, ...]``."""
    return pw_page.evaluate(visibility_js())


async def collect_link_visibility_async(pw_page: Any) -> list[dict[str, Any]]:
    """The same for Playwright's async API (scrapy-playwright hands out async pages)."""
    return await pw_page.evaluate(visibility_js())
