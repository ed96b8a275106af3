"""Site checks read the scan's pages back from the database in chunks (storage/summaries.StoredPages), and keep
only what they need of them: the same findings as over a list, never a list of every page."""

from __future__ import annotations

import random
from datetime import date

from xunjian.checks.base import CheckContext, CheckOptions
from xunjian.checks.footer import check_footer, sample_pages
from xunjian.checks.labels import grouped_label_findings
from xunjian.crawler.pipeline import CrawlReport
from xunjian.records import PageRecord, PageSummary, ScanView, SiteInfo
from xunjian.storage import scans as store
from xunjian.storage.db import session_scope
from xunjian.storage.models import Site
from xunjian.storage.summaries import StoredPages

SITE = SiteInfo(id="rb", name="读回站点", url="http://rb.example/", site_code="3609000002")
CTX = CheckContext(site=SITE, as_of=date(2026, 11, 22), options=CheckOptions(footer_sample_per_template=3))
FOOTER = {"conac": None, "site_code": {"value": "3609000002"}, "icp": {"value": "赣ICP备06000141号"},
          "police": None, "jiucuo": None, "sponsor": {"value": "示例市人民政府"}, "undertaker": None,
          "contact": {"phone": ["0795-3999000"], "email": []}, "sitemap": None, "meta_site_code": None}


def _record(i: int) -> PageRecord:
    kind = "homepage" if i == 5 else ("article" if i % 3 else "column")
    labels = {"missing": ["SiteName"] if i % 4 == 0 else [], "empty": [], "any": True,
              "wrong": [["SiteIDCode", "123", "网页标签 SiteIDCode 与网站标识码不一致"]] if i % 5 == 0 else []}
    return PageRecord(url=f"http://rb.example/p/{i}.html", final_url=f"http://rb.example/p/{i}.html", status=200,
                      depth=i % 3 + (kind != "homepage"), title=f"页面{i}_示例", page_type=kind,  # type: ignore[arg-type]
                      facts={"footer": FOOTER, "template": f"t{i % 2}", "labels": labels})


def _store(db_url: str, records: list[PageRecord]) -> int:
    with session_scope(db_url) as s:
        s.add(Site(id="rb", name="读回站点", url=SITE.url))
        s.flush()
        other = store.create_scan(s, "rb", date(2026, 11, 22), "test", None)
        store.insert_pages(s, other.id, [PageRecord(url="http://rb.example/other.html", final_url="", status=200,
                                                    page_type="homepage")])
        scan = store.create_scan(s, "rb", date(2026, 11, 22), "test", None)
        for start in range(0, len(records), 7):  # stored in batches, as the pipeline does
            store.insert_pages(s, scan.id, records[start:start + 7])
        return scan.id


def test_stored_pages_read_back_in_chunks_in_stored_order(db_url):
    records = [_record(i) for i in range(23)]
    scan_id = _store(db_url, records)
    pages = StoredPages(db_url, scan_id, chunk=4)
    first, again = list(pages), list(pages)
    assert [p.url for p in first] == [r.url for r in records]  # this scan's pages only, in the stored order
    assert [p.url for p in again] == [p.url for p in first]  # re-iterable: every site check reads it again
    assert len(pages) == 23 and bool(pages) and not StoredPages(db_url, scan_id + 100)
    assert first[7].facts == records[7].facts and first[7].title == "页面7_示例" and first[7].depth == records[7].depth
    view = ScanView(site=SITE, pages=pages)
    assert view.homepage is not None and view.homepage.url == "http://rb.example/p/5.html"
    summaries = [PageSummary(url=r.url, final_url=r.final_url, status=r.status, page_type=r.page_type, depth=r.depth,
                             title=r.title, facts=r.facts) for r in records]
    listed = ScanView(site=SITE, pages=summaries)
    for check in (check_footer, grouped_label_findings):  # the same findings from the database as from a list
        stored = [(f.rule, f.message, f.evidence) for f in check(view, CTX)]
        assert stored == [(f.rule, f.message, f.evidence) for f in check(listed, CTX)]
        assert stored, check.__name__  # the fixture has footer and label problems


def test_footer_sample_is_the_first_per_template_of_a_sorted_list():
    rng = random.Random(7)
    pages = [PageSummary(f"http://rb.example/{rng.choice('abc')}/{rng.randint(1, 40)}.html", "", 200, "article",
                         rng.randint(1, 4), facts={"footer": FOOTER, "template": f"t{rng.randint(0, 4)}"})
             for _ in range(400)]  # repeated URLs: ties keep the crawl order, as sorted() does
    got = sample_pages(ScanView(site=SITE, pages=iter(pages)), 3)  # one pass over a one-shot iterator
    groups: dict[str, list[PageSummary]] = {}
    for p in pages:
        groups.setdefault(f"article/template={p.facts['template']}", []).append(p)
    want = {k: sorted(v, key=lambda p: (p.depth, len(p.url), p.url))[:3] for k, v in sorted(groups.items())}
    assert list(got) == list(want)
    assert all([id(p) for p in got[k]] == [id(p) for p in want[k]] for k in want)


def test_crawl_report_keeps_nothing_per_page():
    assert not hasattr(CrawlReport(), "summaries")  # the site checks read the stored pages back
