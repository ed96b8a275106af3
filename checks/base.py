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


@dataclass(frozen=True)
class Rule:
    """One rule of the catalogue (``../shared/spec/rules.md``); codes are never reused."""

    code: str
    name: str
    zh: str
    severity: Severity


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


@dataclass
class CheckContext:
    """Everything a check may consult besides the page: the site, the date, the rules data."""

    site: SiteInfo
    as_of: date
    options: dict[str, Any] = field(default_factory=dict)
    #: Per-scan scratch space for checks (e.g. hashes of template blocks already checked); not persisted.
    memo: dict[str, Any] = field(default_factory=dict)
