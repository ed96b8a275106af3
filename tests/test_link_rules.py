"""LK001-LK006 as decided by checks/links.py: which code a bad link gets, and that every other LK code stays silent.

The crawl tests (test_crawl_e2e.py) prove the verdicts on a real local site; these cases pin the rule boundaries
(homepage vs other page, inside vs outside the site, broken vs wrong vs private vs unverified) without a crawl.
"""

from __future__ import annotations

from datetime import date

import pytest

from xunjian.checks.base import CheckContext
from xunjian.checks.links import check_links
from xunjian.records import BadLink, LinkRef, LinkResult, ScanView, SiteInfo

SITE = SiteInfo("demo", "示例市人民政府", "http://www.example.gov.cn/")
CTX = CheckContext(SITE, date(2026, 11, 22))
LK = {"LK001", "LK002", "LK003", "LK004", "LK005", "LK006"}


def bad(page_type: str, internal: bool, outcome: str, status: int | None = 404, page: str = "zwgk/1.html",
        target: str = "http://www.example.gov.cn/files/a.pdf") -> BadLink:
    return BadLink(page_url=SITE.url + page, page_type=page_type,
                   link=LinkRef(url=target, kind="attachment", tag="a", anchor_text="附件1", internal=internal),
                   result=LinkResult(target=target, outcome=outcome, status=status, reason=f"HTTP {status}"))


@pytest.mark.rule_case("LK001", "LK002", "LK003", "LK004", "LK005", "LK006", fires=True, silent=True)
@pytest.mark.parametrize(("page_type", "internal", "outcome", "status", "code"), [
    ("homepage", True, "broken", 404, "LK001"),
    ("homepage", False, "broken", None, "LK001"),   # a dead external link on the homepage is a homepage link
    ("article", True, "broken", 404, "LK002"),
    ("column", False, "broken", 500, "LK003"),
    ("article", True, "wrong", 200, "LK004"),       # soft 404: answers 200 with an error page
    ("homepage", True, "wrong", 200, "LK004"),
    ("article", False, "private", None, "LK005"),
    ("homepage", False, "private", None, "LK005"),
    ("article", False, "blocked", 412, "LK006"),    # anti-bot wall: listed, never scored as broken
    ("homepage", True, "blocked", 429, "LK006"),
])
def test_one_code_per_bad_link_and_the_others_silent(page_type, internal, outcome, status, code):
    found = list(check_links(ScanView(site=SITE, bad_links=[bad(page_type, internal, outcome, status)]), CTX))
    assert [f.rule for f in found] == [code]
    assert not {f.rule for f in found} & (LK - {code})
    f = found[0]
    assert f.target == "http://www.example.gov.cn/files/a.pdf" and f.evidence["anchor_text"] == "附件1"
    assert f.severity == ("info" if code == "LK006" else "deduct")


@pytest.mark.rule_case("LK001", "LK002", silent=True)
def test_no_bad_links_no_findings_and_one_finding_per_page_and_target():
    assert list(check_links(ScanView(site=SITE), CTX)) == []
    twice = [bad("article", True, "broken"), bad("article", True, "broken")]
    assert [f.rule for f in check_links(ScanView(site=SITE, bad_links=twice), CTX)] == ["LK002"]
