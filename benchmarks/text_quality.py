"""Quality and speed of the text checks (TX001/TX002 detection) on public test sets.

Usage (from the repository root)::

    .venv/bin/python benchmarks/text_quality.py [--json]

Measures, with the word lists in ``rules/`` exactly as shipped:

* sentence-level detection on the ECSpell official-document (odw) and law **test** sets and on SIGHAN-15
  (simplified test): a sentence is predicted wrong when TX001 or TX002 fires; it is wrong when its source
  differs from its target. Precision, recall, F1, plus "location precision": the share of flagged
  sentences where a flagged span covers a real error position;
* TX001 on ``benchmarks/data/gov_sentences.tsv`` (labelled government sentences, correct protected terms in
  long contexts and planted severe errors): precision and recall;
* throughput on one core: MB (UTF-8, 10^6 bytes) of text per second through one scan of every list, over
  page-sized chunks of the test sentences; and MB of HTML per second through the full page text checks
  (extraction + TX + SC002) over the real government pages in ``tests/fixtures/real/govpages_*``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DETECT = frozenset({"TX001", "TX002"})
DATA = ROOT / "benchmarks" / "data"          # ecspell/, sighan15/, zh_wordlists_ecspell/ (copies, PROVENANCE.md)
REAL = ROOT / "tests" / "fixtures" / "real"   # govpages_*/ real government pages


def _pairs(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            rows.append((parts[1], parts[2]))
    return rows


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp, "fn": fn}


def detection(path: Path) -> dict[str, object]:
    """Sentence-level detection of TX001/TX002 on one CSC test file."""
    from xunjian.checks.wordlists import lexicon

    lex = lexicon()
    tp = fp = fn = located = 0
    pairs = _pairs(path)
    for src, tgt in pairs:
        wrong = src != tgt
        matches = lex.scan(src, DETECT)
        if matches and wrong:
            tp += 1
            errors = {i for i, (a, b) in enumerate(zip(src, tgt, strict=False)) if a != b}
            located += any(m.start <= i < m.end for m in matches for i in errors)
        elif matches:
            fp += 1
        elif wrong:
            fn += 1
    out: dict[str, object] = {"file": path.name, "sentences": len(pairs), **_prf(tp, fp, fn)}
    out["location_precision"] = round(located / (tp + fp), 3) if tp + fp else 0.0
    return out


def gov_set(path: Path) -> dict[str, object]:
    """TX001 on the labelled government sentences."""
    from xunjian.checks.wordlists import lexicon

    lex = lexicon()
    tp = fp = fn = 0
    false_pos: list[str] = []
    missed: list[str] = []
    n = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        label, _code, wrong, sentence, _src = line.split("\t")
        n += 1
        found = [m for m in lex.scan(sentence, frozenset({"TX001"}))]
        pos = sentence.find(wrong) if label == "1" else -1
        on_error = [m for m in found if pos >= 0 and m.start < pos + len(wrong) and pos < m.end]
        stray = [m.text[m.start:m.end] for m in found if m not in on_error]
        tp += bool(on_error)
        fn += label == "1" and not on_error
        if label == "1" and not on_error:
            missed.append(wrong)
        fp += len(stray)
        false_pos.extend(stray)
    return {"file": path.name, "sentences": n, **_prf(tp, fp, fn), "false_positives": false_pos,
            "missed": missed}


def text_throughput(files: list[Path], target_mb: float = 8.0) -> dict[str, float]:
    """MB/s of text through one scan of every list (page-sized chunks, one core)."""
    from xunjian.checks.wordlists import lexicon

    lex = lexicon()
    sentences = [s for f in files for pair in _pairs(f) for s in pair]
    chunks, buf, size = [], [], 0
    while size < target_mb * 1e6:
        for s in sentences:
            buf.append(s)
            if sum(map(len, buf)) >= 3000:
                chunk = "".join(buf)
                chunks.append(chunk)
                size += len(chunk.encode("utf-8"))
                buf = []
    lex.scan(chunks[0])
    start = time.process_time()
    found = sum(len(lex.scan(c)) for c in chunks)
    cpu = time.process_time() - start
    return {"mb": round(size / 1e6, 2), "cpu_seconds": round(cpu, 2), "mb_per_s": round(size / 1e6 / cpu, 2),
            "matches": found}


def page_throughput(real: Path = REAL, rounds: int = 20) -> dict[str, float]:
    """MB/s of real government HTML through extraction + TX + SC002 page checks (one core)."""
    from xunjian.checks.base import CheckContext
    from xunjian.checks.security import illicit_findings
    from xunjian.checks.text import text_findings
    from xunjian.records import PageRecord, SiteInfo

    pages = sorted(p for d in real.glob("govpages_*") for p in d.glob("*.htm*"))
    htmls = [p.read_text(encoding="utf-8", errors="replace") for p in pages]
    site = SiteInfo("bench", "示例市人民政府", "http://127.0.0.1/")
    size = findings = 0
    start = time.process_time()
    for r in range(rounds):
        ctx = CheckContext(site, date(2026, 11, 22))
        for i, html in enumerate(htmls):
            url = f"http://127.0.0.1/{r}/{i}.html"
            page = PageRecord(url=url, final_url=url, status=200, html=html, content_type="text/html")
            findings += len(list(text_findings(page, ctx))) + len(list(illicit_findings(page, ctx)))
            size += len(html.encode("utf-8"))
    cpu = time.process_time() - start
    return {"pages": len(pages) * rounds, "mb": round(size / 1e6, 2), "cpu_seconds": round(cpu, 2),
            "mb_per_s": round(size / 1e6 / cpu, 2), "findings": findings}


def real_pages(real: Path = REAL) -> dict[str, object]:
    """Every finding of the TX and SC page checks on the real government pages (for manual review)."""
    from xunjian.checks.base import CheckContext
    from xunjian.checks.security import PAGE_CHECKS as SC_CHECKS
    from xunjian.checks.text import PAGE_CHECKS as TX_CHECKS
    from xunjian.records import PageRecord, SiteInfo

    out: list[dict[str, object]] = []
    pages = sorted(p for d in real.glob("govpages_*") for p in d.glob("*.htm*"))
    for path in pages:
        page = PageRecord(url="http://127.0.0.1/x.html", final_url="http://127.0.0.1/x.html", status=200,
                          html=path.read_text(encoding="utf-8", errors="replace"), content_type="text/html")
        host = re.split(r"_(?:article|list|homepage)", path.name)[0].replace("_", ".")
        hosts = frozenset({host, "www." + host, "en." + host, "127.0.0.1"})
        ctx = CheckContext(SiteInfo("bench", "", f"http://{host}/", hosts=hosts), date(2026, 11, 22))
        for check in (*TX_CHECKS, *SC_CHECKS):
            for f in check(page, ctx):
                what = f.evidence.get("match") or f.target or f.key
                out.append({"page": path.name, "rule": f.rule, "what": what})
    by_rule: dict[str, int] = {}
    for f in out:
        by_rule[str(f["rule"])] = by_rule.get(str(f["rule"]), 0) + 1
    return {"pages": len(pages), "by_rule": by_rule, "findings": out}


def correct_text(data: Path = DATA) -> dict[str, object]:
    """Findings per code on correct text: the corrected side of every ECSpell sentence plus policy titles.

    Every TX001 here is a false alarm. (The corrected sentences are not all perfect: a few TX002 hits are
    real typos left in the targets; TX004 hits are old documents naming bodies that existed then.)
    """
    from xunjian.checks.wordlists import lexicon

    texts = [tgt for f in sorted((data / "ecspell").glob("*.tsv")) for _src, tgt in _pairs(f)]
    titles = data / "zh_wordlists_ecspell" / "policy_regulation_titles.txt"
    texts += titles.read_text(encoding="utf-8").splitlines()
    counts: dict[str, int] = {}
    samples: dict[str, list[str]] = {}
    for text in texts:
        for m in lexicon().scan(text):
            counts[m.code] = counts.get(m.code, 0) + 1
            samples.setdefault(m.code, []).append(m.context(8))
    return {"texts": len(texts), "chars": sum(map(len, texts)), "findings": counts,
            "samples": {k: v[:5] for k, v in samples.items()}}


def run(data: Path = DATA, real: Path = REAL) -> dict[str, object]:
    from xunjian.checks.wordlists import lexicon

    start = time.process_time()
    lex = lexicon()
    build = time.process_time() - start
    tests = [data / "ecspell" / "odw_test.tsv", data / "ecspell" / "law_test.tsv",
             data / "sighan15" / "sighan15_test_simplified.tsv"]
    return {
        "lexicon": {"patterns": lex.counts, "build_cpu_seconds": round(build, 2)},
        "detection": [detection(p) for p in tests],
        "gov_tx001": gov_set(ROOT / "benchmarks" / "data" / "gov_sentences.tsv"),
        "text_throughput": text_throughput(tests),
        "page_throughput": page_throughput(real),
        "real_pages": real_pages(real),
        "correct_text": correct_text(data),
    }


def _markdown(res: dict[str, object]) -> str:
    lines = ["| set | sentences | precision | recall | F1 | location precision |",
             "|---|---|---|---|---|---|"]
    for d in res["detection"]:  # type: ignore[union-attr]
        lines.append(f"| {d['file']} | {d['sentences']} | {d['precision']} | {d['recall']} | {d['f1']} | "
                     f"{d['location_precision']} |")
    g = res["gov_tx001"]
    lines.append(f"| {g['file']} (TX001 only) | {g['sentences']} | {g['precision']} | {g['recall']} | "
                 f"{g['f1']} | - |")
    t, p = res["text_throughput"], res["page_throughput"]
    lines.append("")
    lines.append(f"Text throughput: {t['mb_per_s']} MB/s ({t['mb']} MB in {t['cpu_seconds']} s CPU, "
                 "one core).")
    lines.append(f"Page throughput (extraction + TX + SC002): {p['mb_per_s']} MB/s of HTML "
                 f"({p['pages']} pages, {p['mb']} MB in {p['cpu_seconds']} s CPU).")
    c = res["correct_text"]
    lines.append(f"Correct text ({c['texts']} corrected ECSpell sentences and policy titles, "
                 f"{c['chars']} characters): findings by rule {c['findings']}.")
    r = res["real_pages"]
    lines.append(f"Real government pages ({r['pages']}, tests/fixtures/real/govpages_*): "
                 f"findings by rule {r['by_rule']}:")
    lines.extend(f"- {f['page']}: {f['rule']} {f['what']}" for f in r["findings"])
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a Markdown table")
    args = parser.parse_args()
    res = run()
    text = json.dumps(res, ensure_ascii=False, indent=2) if args.json else _markdown(res)
    sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
