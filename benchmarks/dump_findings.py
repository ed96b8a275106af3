"""Every finding and extracted fact of the page checks, one JSON line per page, to diff before/after a change.

    .venv/bin/python benchmarks/dump_findings.py > /tmp/before.jsonl   # real pages and the eval corpus pages
    .venv/bin/python benchmarks/dump_findings.py --corpus real > /tmp/real.jsonl

Runs ``xunjian.crawler.checkpool.run_checks`` (what the check process runs) on the real pages in
``tests/fixtures/real`` and on the static pages of every generated eval-corpus site, with one context (and so
one per-scan memo) per corpus, as in a scan. A speed-up of the checks must leave this output byte-identical.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))



def folder_pages(folder: Path, limit: int) -> list[tuple[str, str]]:
    """Every ``.htm``/``.html``/``.shtml`` page under ``folder`` (UTF-8, else GB18030)."""
    out = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix in (".htm", ".html", ".shtml"))[:limit]:
        raw = path.read_bytes()
        for enc in ("utf-8", "gb18030"):
            try:
                out.append((f"http://127.0.0.1:8000/{path.relative_to(folder).as_posix()}", raw.decode(enc)))
                break
            except UnicodeDecodeError:
                continue
    return out


def dump(name: str, pages: list[tuple[str, str]], out) -> None:
    from xunjian.checks.base import CheckContext
    from xunjian.crawler.checkpool import run_checks
    from xunjian.records import PageRecord, SiteInfo

    ctx = CheckContext(SiteInfo("bench", "示例市人民政府", "http://127.0.0.1:8000/", site_code="1199000001"),
                       date(2026, 11, 22))
    for url, html in pages:
        rec = PageRecord(url=url, final_url=url, status=200, content_type="text/html", html=html)
        facts, findings, errors, page_type = run_checks(rec, ctx, frozenset())
        row = {"corpus": name, "url": url, "page_type": page_type, "errors": errors, "facts": facts,
               "findings": sorted((f.to_dict() for f in findings),
                                  key=lambda d: json.dumps(d, sort_keys=True, default=str))}
        out.write(json.dumps(row, ensure_ascii=False, sort_keys=True, default=str) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["real", "eval", "all"], default="all")
    args = parser.parse_args()
    if args.corpus in ("real", "all"):
        dump("real", folder_pages(ROOT / "tests" / "fixtures" / "real", 1000), sys.stdout)
    if args.corpus in ("eval", "all"):
        import eval_corpus

        with tempfile.TemporaryDirectory() as tmp:
            for key, (root, _truth) in eval_corpus.build_all(Path(tmp)).items():
                dump(f"eval:{key}", folder_pages(root, 100_000), sys.stdout)


if __name__ == "__main__":
    main()
