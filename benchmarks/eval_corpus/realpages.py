"""Field accuracy on the real-page regression set: ``tests/fixtures/real/truth.yaml``.

Each real page (saved byte for byte) is decoded the way the crawler decodes it (Scrapy's ``HtmlResponse``),
classified, and run through the extractors the checks use; the fields read are compared with the
hand-checked truth. Fields: ``page_type``, ``pubdate`` (article publication date or null), the footer
identifiers ``site_code``, ``icp``, ``police`` (the 14-digit or old-form number, text or link), ``sponsor`` (a
part of the sponsor's name, or null), ``conac``, ``jiucuo``, ``phone`` (booleans), and ``labels_missing``
(the required page labels the page lacks, for its page type).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

REAL = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "real"
AS_OF = date(2026, 11, 22)
FIELDS = ("page_type", "pubdate", "site_code", "icp", "police", "sponsor", "conac", "jiucuo", "phone",
          "labels_missing")


def load_record(path: Path, url: str, page_type: str | None) -> Any:
    """The page as the crawler would hold it (decoded by Scrapy, classified unless the type is given)."""
    from scrapy.http import HtmlResponse

    from xunjian.records import PageRecord

    from xunjian.crawler.bounds import response_text

    response = HtmlResponse(url=url, body=path.read_bytes(), headers={"Content-Type": "text/html"})
    html = response_text(response)[0]
    return PageRecord(url=url, final_url=url, status=200, content_type="text/html", html=html,
                      page_type=page_type or "other")


def read_fields(path: Path, url: str, homepage: bool) -> dict[str, Any]:
    """What the checks read from one real page."""
    from xunjian.checks.base import CheckContext
    from xunjian.checks.dates import article_pubdate
    from xunjian.checks.footer_facts import extract_footer
    from xunjian.checks.labels import label_rules, page_labels
    from xunjian.checks.pagetype import classify
    from xunjian.records import SiteInfo

    rec = load_record(path, url, "homepage" if homepage else None)
    ctx = CheckContext(site=SiteInfo(id="real", name="real", url=url), as_of=AS_OF)
    if not homepage:
        rec.page_type = classify(rec, ctx)
    out: dict[str, Any] = {"page_type": rec.page_type}
    pub = None
    if rec.page_type == "article" and rec.tree is not None:
        pub = article_pubdate(rec.tree, rec.html, AS_OF)[0]
    out["pubdate"] = pub.isoformat() if pub else None
    facts = (extract_footer(rec, ctx) or {}).get("footer") or {}
    out["site_code"] = (facts.get("site_code") or {}).get("value")
    out["icp"] = (facts.get("icp") or {}).get("value")
    police = facts.get("police") or {}
    out["police"] = police.get("value") or police.get("link")
    out["sponsor"] = (facts.get("sponsor") or {}).get("value")
    out["conac"] = bool(facts.get("conac"))
    out["jiucuo"] = bool(facts.get("jiucuo")) and not (facts.get("jiucuo") or {}).get("legacy")
    contact = facts.get("contact") or {}
    out["phone"] = bool(contact.get("phone"))
    labels = page_labels(rec)
    spec = label_rules().get(rec.page_type) if rec.page_type in ("homepage", "column", "article") else None
    out["labels_missing"] = sorted(n for n in (spec or {}).get("required", []) if not labels.get(n.lower()))
    return out


def _same(field: str, want: Any, got: Any) -> bool:
    if field == "sponsor":
        return (want is None and got is None) or (want is not None and got is not None and want in got)
    if field == "labels_missing":
        return sorted(want or []) == sorted(got or [])
    if field == "icp" and want and got:
        return want.replace(" ", "") == got.replace(" ", "")
    return want == got


def field_accuracy(truth_path: Path | None = None) -> tuple[int, int, list[str]]:
    """(fields read right, fields checked, one line per wrong field)."""
    path = truth_path or REAL / "truth.yaml"
    if not path.exists():
        return 0, 0, []
    truth = yaml.safe_load(path.read_text(encoding="utf-8"))
    right = total = 0
    wrong: list[str] = []
    for name, want in truth["pages"].items():
        got = read_fields(REAL / name, want["url"], want.get("page_type") == "homepage")
        for field in FIELDS:
            if field not in want:
                continue
            total += 1
            if _same(field, want[field], got[field]):
                right += 1
            else:
                wrong.append(f"{name} {field}: expected {want[field]!r}, read {got[field]!r}")
    return right, total, wrong
