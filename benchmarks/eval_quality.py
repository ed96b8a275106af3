"""Finding quality on the independent evaluation corpus and on the real-page regression set.

    python benchmarks/eval_quality.py [--sites trs_hengan,...] [--write-truth] [--json out.json]

1. Corpus (``benchmarks/eval_corpus``): every synthetic site is generated into a temporary folder, served on
   127.0.0.1 (:class:`xunjian.demo.server.SiteServer`), registered in a temporary SQLite database and scanned
   by ``python -m xunjian.worker`` (what ``xunjian scan`` runs) with ``XUNJIAN_ALLOW_NETWORKS=127.0.0.0/8`` and
   ``XUNJIAN_OFFLINE=1`` at as_of 2026-11-22. The findings are matched against the site's truth at the
   project's granularity (see ``eval_corpus/common.py``): a finding that matches no expected entry, or matches
   one already matched (a repeat), is a false positive; an expected entry no finding matched is a miss.
2. Real pages (``tests/fixtures/real/truth.yaml``): the fields the checks read from each page (page type,
   publication date, footer identifiers, page labels) against hand-checked values.

Prints per-rule and per-family recall / precision, veto-rule precision (TX001, SC001, SC002, UP001) and the
real-page field accuracy. Takes about a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import eval_corpus  # noqa: E402
from eval_corpus.realpages import field_accuracy  # noqa: E402

FAMILIES = ("LK", "UP", "FT", "MT", "TX", "SC")
VETO = ("TX001", "SC001", "SC002", "UP001")
_INDEX = re.compile(r"/(?:index|default)\.s?html?$")


def norm(url: str | None) -> str:
    """A URL's path (+ query) without host, index file or trailing slash."""
    if not url:
        return ""
    parts = urlsplit(url)
    path = _INDEX.sub("/", unquote(parts.path) or "/")
    path = path.rstrip("/") or "/"
    return path + (f"?{parts.query}" if parts.query else "")


def finding_pages(f: dict[str, Any]) -> set[str]:
    ev = f.get("evidence") or {}
    urls = [f.get("page"), *(ev.get("pages") or []), *(ev.get("failing") or [])]
    return {norm(u) for u in urls if u}


def matches(f: dict[str, Any], want: dict[str, Any]) -> bool:
    if f["rule"] != want["rule"]:
        return False
    if "page" in want and norm(want["page"]) not in finding_pages(f):
        return False
    if "pages" in want and not {norm(p) for p in want["pages"]} & finding_pages(f):
        return False
    if "target" in want:
        t, got = want["target"], f.get("target") or ""
        if t.startswith("/"):
            if norm(got) != norm(t):
                return False
        elif t not in got:
            return False
    if "word" in want:
        blob = f"{f.get('message', '')} {f.get('key') or ''} {json.dumps(f.get('evidence'), ensure_ascii=False)}"
        if want["word"] not in blob:
            return False
    return True


def score_site(found: list[dict[str, Any]], truth: dict[str, Any]) -> dict[str, Any]:
    """Match one site's findings to its truth: per-rule counts and the unmatched items."""
    expected = truth["findings"]
    allowed = truth.get("allowed") or []
    hit = [False] * len(expected)
    tp: dict[str, int] = defaultdict(int)
    fp: list[dict[str, Any]] = []
    for f in sorted(found, key=lambda x: (x["rule"], x.get("page") or "", x.get("target") or "")):
        if not f["rule"].startswith(FAMILIES):
            continue
        idx = next((i for i, w in enumerate(expected) if not hit[i] and matches(f, w)), None)
        if idx is not None:
            hit[idx] = True
            tp[f["rule"]] += 1
        elif any(matches(f, w) for w in allowed):
            continue
        else:
            repeat = any(matches(f, w) for w in expected)
            fp.append({**f, "repeat": repeat})
    missed = [w for w, h in zip(expected, hit, strict=True) if not h]
    return {"tp": dict(tp), "fp": fp, "missed": missed}


# ---------------------------------------------------------------------------- scanning


def _settings(tmp: Path, key: str, domain: str) -> Path:
    """Test crawl settings; the site's public domain is an alias of 127.0.0.1 (its SiteDomain label names it)."""
    path = tmp / f"settings-{key}.yaml"
    crawl = {"timeout": 3, "retry_times": 0, "concurrency_per_site": 8, "autothrottle": False,
             "aliases": {key: [domain]} if domain else {}}
    path.write_text(yaml.safe_dump({"crawl": crawl}), encoding="utf-8")
    return path


def scan_site(key: str, root: Path, truth: dict[str, Any], tmp: Path, db_url: str,
              render: str = "never", routes: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Serve ``root``, scan it with the worker, return the scan's findings as dicts."""
    from sqlalchemy import select

    from xunjian.demo.server import SiteServer
    from xunjian.storage.db import session_scope
    from xunjian.storage.models import Finding, Scan
    from xunjian.storage.registry import parse_registry, upsert_sites

    with SiteServer(root, routes=routes) as server:
        entry = {"id": key, "name": truth["name"], "url": server.url, "render": render, **truth["register"]}
        reg = tmp / f"{key}.yaml"
        reg.write_text(yaml.safe_dump({"sites": [entry]}, allow_unicode=True), encoding="utf-8")
        with session_scope(db_url) as s:
            upsert_sites(s, parse_registry(reg))
        env = {k: v for k, v in os.environ.items() if not k.startswith("XUNJIAN_")}
        env.update(XUNJIAN_DATABASE_URL=db_url, XUNJIAN_CONFIG=str(_settings(tmp, key, truth.get("domain", ""))),
                   XUNJIAN_ALLOW_NETWORKS="127.0.0.0/8", XUNJIAN_OFFLINE="1")
        proc = subprocess.run([sys.executable, "-m", "xunjian.worker", key, "--as-of", truth["as_of"]],
                              env=env, capture_output=True, text=True, timeout=170)
        if proc.returncode != 0:
            print(f"[{key}] worker exit {proc.returncode}: {proc.stderr[-800:]}", file=sys.stderr)
    with session_scope(db_url) as s:
        scan = s.scalars(select(Scan).where(Scan.site_id == key).order_by(Scan.id.desc())).first()
        rows = s.scalars(select(Finding).where(Finding.site_id == key, Finding.last_scan_id == scan.id))
        return [{"rule": r.rule, "page": r.page, "target": r.target, "message": r.message,
                 "evidence": r.evidence or {}} for r in rows]


# ---------------------------------------------------------------------------- report


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "  -  "


def report(results: dict[str, dict[str, Any]], truths: dict[str, dict[str, Any]]) -> dict[str, Any]:
    per_rule: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, expected
    for key, res in results.items():
        for w in truths[key]["findings"]:
            per_rule[w["rule"]][2] += 1
        for rule, n in res["tp"].items():
            per_rule[rule][0] += n
        for f in res["fp"]:
            per_rule[f["rule"]][1] += 1
    print("\nrule    expected  found-right  false+   recall  precision")
    for rule in sorted(per_rule):
        tp, fp, exp = per_rule[rule]
        print(f"{rule:7} {exp:8} {tp:12} {fp:7}   {_ratio(tp, exp)}   {_ratio(tp, tp + fp)}")
    fam: dict[str, list[int]] = {}
    for rule, (tp, fp, exp) in per_rule.items():
        acc = fam.setdefault(rule[:2], [0, 0, 0])
        acc[0] += tp
        acc[1] += fp
        acc[2] += exp
    print("\nfamily  expected  found-right  false+   recall  precision")
    total = [0, 0, 0]
    for name in FAMILIES:
        tp, fp, exp = fam.get(name, [0, 0, 0])
        total = [total[0] + tp, total[1] + fp, total[2] + exp]
        print(f"{name:7} {exp:8} {tp:12} {fp:7}   {_ratio(tp, exp)}   {_ratio(tp, tp + fp)}")
    print(f"{'all':7} {total[2]:8} {total[0]:12} {total[1]:7}   {_ratio(total[0], total[2])}   "
          f"{_ratio(total[0], total[0] + total[1])}")
    vt = sum(per_rule[r][0] for r in VETO if r in per_rule)
    vf = sum(per_rule[r][1] for r in VETO if r in per_rule)
    print(f"\nveto rules {'+'.join(VETO)}: precision {_ratio(vt, vt + vf)} ({vt} right, {vf} false)")
    return {"per_rule": {k: dict(zip(("tp", "fp", "expected"), v, strict=True)) for k, v in per_rule.items()},
            "families": {k: dict(zip(("tp", "fp", "expected"), v, strict=True)) for k, v in fam.items()}}


def group_tables(results: dict[str, dict[str, Any]], truths: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Family recall / precision per group of sites (the earlier sites, the held-out ones)."""
    out = {}
    for name, keys in (("earlier sites", [k for k in results if k not in eval_corpus.HELD_OUT]),
                       ("held-out sites", [k for k in results if k in eval_corpus.HELD_OUT])):
        if not keys:
            continue
        fam: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for key in keys:
            for w in truths[key]["findings"]:
                fam[w["rule"][:2]][2] += 1
            for rule, n in results[key]["tp"].items():
                fam[rule[:2]][0] += n
            for f in results[key]["fp"]:
                fam[f["rule"][:2]][1] += 1
        cells = [f"{n} {_ratio(fam[n][0], fam[n][2])}/{_ratio(fam[n][0], fam[n][0] + fam[n][1])}" for n in FAMILIES]
        print(f"{name:15} ({', '.join(keys)}): " + "  ".join(cells))
        out[name] = {k: dict(zip(("tp", "fp", "expected"), v, strict=True)) for k, v in fam.items()}
    return out


def details(results: dict[str, dict[str, Any]]) -> None:
    for key, res in results.items():
        for w in res["missed"]:
            print(f"  MISS  {key:18} {w['rule']} {w.get('page') or w.get('target') or ''} — {w['why']}")
        for f in res["fp"]:
            tag = "REPEAT" if f["repeat"] else "FALSE "
            where = norm(f.get("target")) if f.get("target") else norm(f.get("page")) or f.get("evidence", {}).get("template")
            print(f"  {tag} {key:18} {f['rule']} {where} — {f['message'][:90]}")


def real_pages(quiet: bool) -> int:
    """Print the real-page field accuracy alone (the same lines the full run ends with)."""
    right, total, wrong = field_accuracy()
    print(f"real pages (tests/fixtures/real/truth.yaml): fields read right {right}/{total} "
          f"({100 * right / max(total, 1):.1f} %)")
    if not quiet:
        for line in wrong:
            print(f"  WRONG {line}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sites", help="comma-separated site keys (default: all)")
    ap.add_argument("--write-truth", action="store_true", help="also write the truth files to eval_corpus/truth/")
    ap.add_argument("--quiet", action="store_true", help="no list of misses and false positives")
    ap.add_argument("--real-only", action="store_true", help="only the real-page field accuracy (seconds, no scans)")
    ap.add_argument("--json", help="write the figures to this file")
    ap.add_argument("--render", default="auto", choices=("never", "auto", "always"),
                    help="the sites' render mode, default auto as in the registry (never: no browser; always: every page in Chromium, slower)")
    args = ap.parse_args(argv)
    if args.real_only:
        return real_pages(args.quiet)
    from xunjian.storage.db import upgrade

    from xunjian.demo.server import SiteServer

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="xj-eval-") as tmpname, \
            SiteServer(routes=eval_corpus.ext_routes()) as other_host:
        tmp = Path(tmpname)
        built = eval_corpus.build_sites(tmp / "sites", other_host.url.rstrip("/"))
        wanted = set(args.sites.split(",")) if args.sites else set(built)
        if args.write_truth:
            out = HERE / "eval_corpus" / "truth"
            out.mkdir(exist_ok=True)
            for key, (_root, truth, _site) in built.items():
                (out / f"{key}.yaml").write_text(yaml.safe_dump(truth, allow_unicode=True, sort_keys=False),
                                                 encoding="utf-8")
        db_url = f"sqlite:///{tmp / 'eval.db'}"
        upgrade(db_url)
        results, truths = {}, {}
        for key, (root, truth, site) in built.items():
            if key not in wanted:
                continue
            found = scan_site(key, root, truth, tmp, db_url, args.render, site.routes)
            results[key], truths[key] = score_site(found, truth), truth
            print(f"[{key}] {truth['cms']}: {len(found)} findings, {len(truth['findings'])} expected")
    figures = report(results, truths)
    print("\nper group, recall/precision:")
    figures["groups"] = group_tables(results, truths)
    if not args.quiet:
        print("\nmisses and false positives:")
        details(results)
    right, total, wrong = field_accuracy()
    print(f"\nreal pages (tests/fixtures/real/truth.yaml): fields read right {right}/{total} "
          f"({100 * right / max(total, 1):.1f} %)")
    if not args.quiet:
        for line in wrong:
            print(f"  WRONG {line}")
    print(f"\n({time.monotonic() - started:.0f} s)")
    if args.json:
        figures["real_pages"] = {"right": right, "total": total}
        Path(args.json).write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
