"""Check families: one module per family (links, footer, labels, text, security, columns...).

Each family module exposes ``EXTRACTORS`` (functions ``(PageRecord, CheckContext) -> dict`` whose small,
JSON-serialisable results are merged into the page's ``facts`` and kept for site checks), ``PAGE_CHECKS`` (functions ``(PageRecord, CheckContext) -> Iterable[Finding]``)
and/or ``SITE_CHECKS`` (functions ``(ScanView, CheckContext) -> Iterable[Finding]``, run once at the end
of a scan over what it stored). The rule codes themselves live in :mod:`xunjian.checks.codes`.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from xunjian.checks.base import CheckContext, Finding, Rule
from xunjian.checks.codes import RULES, rule

#: Family modules, in the order their checks run.
FAMILIES = ("pagetype", "links", "footer", "labels", "text", "security", "columns", "freshness", "domain", "guides", "interaction", "search")

PageCheck = Callable[[Any, CheckContext], Iterable[Finding]]
SiteCheck = Callable[[Any, CheckContext], Iterable[Finding]]


logger = logging.getLogger(__name__)
#: Families that failed to import, with the error (shown by the scan's stats; tests assert it is empty).
BROKEN: dict[str, str] = {}


@cache
def _families() -> tuple[Any, ...]:
    modules = []
    for name in FAMILIES:
        try:
            modules.append(importlib.import_module(f"xunjian.checks.{name}"))
        except Exception as exc:  # a broken family must not stop the other checks
            BROKEN[name] = repr(exc)
            logger.exception("检查族 %s 无法加载，已跳过", name)
    return tuple(modules)


def family(name: str) -> Any | None:
    """The loaded family module ``name`` (e.g. "columns"), or None when it is absent or failed to load."""
    return next((m for m in _families() if m.__name__ == f"xunjian.checks.{name}"), None)


def extractors() -> list[PageCheck]:
    return [fn for mod in _families() for fn in getattr(mod, "EXTRACTORS", ())]


def page_checks() -> list[PageCheck]:
    return [fn for mod in _families() for fn in getattr(mod, "PAGE_CHECKS", ())]


def site_checks() -> list[SiteCheck]:
    return [fn for mod in _families() for fn in getattr(mod, "SITE_CHECKS", ())]


def finding(code: str, message: str, **kwargs: Any) -> Finding:
    """Build a :class:`Finding` for ``code`` with the registered severity."""
    return Finding(rule=code, severity=rule(code).severity, message=message, **kwargs)


__all__ = ["CheckContext", "Finding", "Rule", "RULES", "extractors", "family", "finding", "page_checks", "rule", "site_checks"]
