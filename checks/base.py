"""What every check shares: the rule record, the finding, and the context a check runs in.

Checks are pure: a :class:`~xunjian.records.PageRecord` (or the scan's stored data, for site checks),
a :class:`CheckContext` and the data in ``rules/`` go in; :class:`Finding` objects come out. A check
never fetches, never writes and never reads the wall clock (dates come from ``ctx.as_of``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from xunjian.records import SiteInfo

Severity = Literal["veto", "deduct", "warn", "info"]


Status = Literal["implemented", "planned"]


@dataclass(frozen=True)
class Rule:
    """One rule of the catalogue (``docs/rules.md``, data in :mod:`xunjian.checks.codes`); codes are never reused.

    ``indicator`` is the short id of the national indicator the rule serves (``docs/indicators.md`` §0),
    ``module`` the family module (dotted, under ``xunjian.``), ``emitter`` the function that decides the
    finding (``module:function``; None while ``status`` is ``planned``).
    """

    code: str
    name: str
    zh: str
    severity: Severity
    indicator: str = ""
    module: str = ""
    emitter: str | None = None
    status: Status = "implemented"


@dataclass
class Finding:
    """One problem found: the contract's finding JSON without the lifecycle fields.

    ``key`` holds the evidence that identifies the problem across scans (for the fingerprint);
    ``None`` means page + target identify it. A ``grouped`` finding (one problem seen on many pages, with
    ``evidence.page_count`` and ``evidence.pages``) is identified without its page: ``page`` is only the first
    example, which may change from scan to scan.
    """

    rule: str
    severity: Severity
    message: str
    page: str | None = None
    target: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    key: str | None = None
    grouped: bool = False

    def fingerprint(self, site_id: str) -> str:
        from xunjian.urls import fingerprint_url

        parts = [
            self.rule,
            site_id,
            fingerprint_url(self.page) if self.page and not self.grouped else "",
            fingerprint_url(self.target) if self.target else "",
            self.key or "",
        ]
        return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "page": self.page,
            "target": self.target,
            "message": self.message,
            "evidence": json.loads(json.dumps(self.evidence, ensure_ascii=False, default=str)),
        }


def _checks_default(name: str) -> Any:
    from xunjian.config import ChecksSettings

    return ChecksSettings.model_fields[name].default


@dataclass(frozen=True)
class CheckOptions:
    """The options of one scan a check may read (typed; built by :func:`xunjian.scanning.start_scan`).

    Defaults of settings come from :class:`xunjian.config.ChecksSettings` (one home: ``settings.yaml``);
    the site options come from the site's registry entry and its ignore list.
    """

    #: inner pages per page template whose footer is checked (``checks.footer_sample_per_template``)
    footer_sample_per_template: int = field(default_factory=lambda: _checks_default("footer_sample_per_template"))
    #: phrases never reported on this site (``xunjian findings ignore --phrase``)
    ignored_phrases: frozenset[str] = frozenset()
    allow_words: frozenset[str] = frozenset()
    #: script hosts this site trusts besides ``rules/illicit.yaml`` (registry ``allowed_script_hosts``)
    allowed_script_hosts: frozenset[str] = frozenset()
    #: column dates through the htmldate library (off: only the page's own date patterns)
    htmldate: bool = True
    #: this site's page budget from the registry (``max_pages``); None: ``crawl.max_pages``
    max_pages: int | None = None
    #: TX005's settings (``text_lm``: model path, cache, first-scan window); None: the module's defaults
    text_lm: Any = None
    #: this is the site's first complete scan (TX005 then checks recent articles only)
    first_scan: bool = False
    #: TX005 checks every article, also on a first scan (on request)
    tx005_all_pages: bool = False
    #: folder of the word lists' build cache (``checks.cache_dir``; None: the default, see checks/lexcache.py)
    cache_dir: str | None = None


@dataclass
class CheckContext:
    """Everything a check may consult besides the page: the site, the date, the options, the rules data."""

    site: SiteInfo
    as_of: date
    options: CheckOptions = field(default_factory=CheckOptions)
    #: Per-scan scratch space for checks (e.g. hashes of template blocks already checked); not persisted.
    memo: dict[str, Any] = field(default_factory=dict)
