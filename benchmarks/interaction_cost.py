"""Cost of the interaction, search and guide families (issue 14) per page, over every fixture HTML page.

Run from the repository root: ``.venv/bin/python benchmarks/interaction_cost.py`` (pages parsed and classified
once, outside the timing; two rounds, the second is reported).
"""
import re, time
from datetime import date
from pathlib import Path
from xunjian.records import PageRecord, SiteInfo
from xunjian.checks.base import CheckContext
from xunjian.checks import guides, interaction, search
from xunjian.checks.pagetype import classify
ctx = CheckContext(site=SiteInfo(id="x", name="x", url="http://127.0.0.1/"), as_of=date(2026, 11, 22))
recs = []
for p in sorted(Path("tests/fixtures").rglob("*.htm*")):
    raw = p.read_bytes()
    try: html = raw.decode("utf-8")
    except UnicodeDecodeError: html = raw.decode("gbk", "replace")
    m = re.search(r"<title>(.*?)</title>", html, re.S)
    r = PageRecord(url=f"http://127.0.0.1/{p.name}", final_url=f"http://127.0.0.1/{p.name}", status=200, html=html, title=(m.group(1) if m else ""))
    r.tree; r.page_type = classify(r, ctx); recs.append(r)
fns = [*interaction.EXTRACTORS, *search.EXTRACTORS, *guides.PAGE_CHECKS]
for rounds in range(2):
    t = time.perf_counter()
    for r in recs:
        for f in fns:
            out = f(r, ctx); list(out) if not isinstance(out, dict) else out
    el = time.perf_counter() - t
print(f"{len(recs)} pages, {el / len(recs) * 1000:.2f} ms/page for the issue-14 extractors + SV001")
