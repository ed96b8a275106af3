"""Quality and speed of the text checks (TX001/TX002 word lists, TX005 language model) on public test sets.

Usage (from the repository root)::

    .venv/bin/python benchmarks/text_quality.py [--json]

Measures, with the data in ``rules/`` exactly as shipped:

* sentence-level detection on the ECSpell official-document (odw) and law **test** sets, SIGHAN-15
  (simplified test) and our own corpus (``benchmarks/data/own/own_text_corpus.tsv``), for the word lists
  (TX001+TX002), TX005 alone and both together: a sentence is predicted wrong when the rule fires, it is
  wrong when its source differs from its target. Recall is given separately for the test sentences that
  appear word for word in a training split (the typo lists were mined from odw/law/med/SIGHAN train, TX005
  was trained on law/med/SIGHAN train) and for the unseen rest. "Location precision": flagged sentences where
  a flagged span covers a real error;
* false flags per 10,000 characters of correct text: the corrected side of every test set, and the body text
  of the real government pages in ``tests/fixtures/real/``;
* TX001 on ``benchmarks/data/gov_sentences.tsv`` and the proof that TX001's generated variants fire on no
  correct sentence the repository holds;
* throughput on one core: word lists (MB/s), TX005 (characters/s, cold and warm sentence cache) and the page
  checks over the real pages.
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


TRAIN_FILES = [DATA / "ecspell" / f"{d}_train.tsv" for d in ("odw", "law", "med")] + [
    DATA / "sighan15" / "sighan15_train_simplified.tsv"]
TEST_FILES = [DATA / "ecspell" / "odw_test.tsv", DATA / "ecspell" / "law_test.tsv",
              DATA / "sighan15" / "sighan15_test_simplified.tsv", DATA / "own" / "own_text_corpus.tsv"]
SYSTEMS = ("wordlists", "tx005", "both")


def train_sentences() -> set[str]:
    """Every written and corrected sentence of every training split."""
    return {x for f in TRAIN_FILES for pair in _pairs(f) for x in pair}


def lm_checker(fresh: bool = False):
    """TX005's checker with the Debian model, or None when it (or kenlm) is missing."""
    from xunjian.checks.lmtypo import DEFAULT_MODEL, LMTypoChecker, SentenceCache, checker

    lm = checker(DEFAULT_MODEL)
    if lm is None or not fresh:
        return lm
    return LMTypoChecker(lm.scorer.model, {"weights": lm.weights, "threshold": lm.threshold,
                                           "min_word_freq": lm.scorer.min_word_freq}, cache=SentenceCache())


def predict(text: str, lm) -> dict[str, list[tuple[int, int]]]:
    """Flagged spans of ``text`` per system; TX005 leaves alone what any word list matched (as in a scan)."""
    from xunjian.checks.wordlists import lexicon

    matches = lexicon().scan(text)
    words = [(m.start, m.end) for m in matches if m.code in DETECT]
    taken = {p for m in matches for p in range(m.start, m.end)}
    stat = [(h[0], h[1]) for h in lm.check(text, taken)] if lm is not None else []
    return {"wordlists": words, "tx005": stat, "both": words + stat}


def _score_rows(rows) -> dict[str, object]:
    tp = fp = fn = located = 0
    for src, tgt, spans in rows:
        errors = {i for i, (a, b) in enumerate(zip(src, tgt, strict=False)) if a != b}
        if spans and errors:
            tp += 1
            located += any(s <= i < e for s, e in spans for i in errors)
        elif spans:
            fp += 1
        elif errors:
            fn += 1
    out = _prf(tp, fp, fn)
    out["location_precision"] = round(located / (tp + fp), 3) if tp + fp else 0.0
    return out


def detection(path: Path, lm, seen: set[str]) -> dict[str, object]:
    """Sentence-level detection per system, on all sentences, the unseen part and the part seen in training."""
    pairs = _pairs(path)
    flagged = [(src, tgt, predict(src, lm)) for src, tgt in pairs]
    correct_chars = sum(len(tgt) for _s, tgt in pairs)
    false = {k: 0 for k in SYSTEMS}
    for _src, tgt in pairs:
        for k, spans in predict(tgt, lm).items():
            false[k] += len(spans)
    out: dict[str, object] = {"file": path.name, "sentences": len(pairs),
                              "wrong": sum(s != t for s, t in pairs),
                              "overlap": sum(s in seen or t in seen for s, t in pairs), "correct_chars": correct_chars}
    for k in SYSTEMS:
        parts = {"all": flagged,
                 "unseen": [r for r in flagged if r[0] not in seen and r[1] not in seen],
                 "seen": [r for r in flagged if r[0] in seen or r[1] in seen]}
        out[k] = {name: _score_rows([(s, t, p[k]) for s, t, p in rows]) for name, rows in parts.items()}
        out[k]["false_per_10k_corrected"] = round(false[k] / correct_chars * 1e4, 2)
        out[k]["false_on_corrected"] = false[k]
    return out


def real_text(real: Path = REAL) -> list[str]:
    """Body text (main segments) of the real government pages."""
    from xunjian.checks.textextract import extract_segments
    from xunjian.records import PageRecord

    texts = []
    for path in sorted(real.glob("govpages_*/*.htm*")):
        page = PageRecord(url="http://127.0.0.1/x.html", final_url="http://127.0.0.1/x.html", status=200,
                          html=path.read_text(encoding="utf-8", errors="replace"), content_type="text/html")
        texts += [seg.text for seg in extract_segments(page, "") if seg.kind == "main"]
    return texts


def real_false_flags(lm, real: Path = REAL) -> dict[str, object]:
    """Flags per system on the real pages' body text (sentence by sentence, as TX005 reads it)."""
    from xunjian.checks.lmtypo import body_sentences

    counts = {k: 0 for k in SYSTEMS}
    samples: list[str] = []
    chars = 0
    for text in real_text(real):
        chars += len(text)
        for _off, sentence in body_sentences(text):
            for k, spans in predict(sentence, lm).items():
                counts[k] += len(spans)
                if k == "tx005":
                    samples += [sentence[max(0, s - 8): e + 8] for s, e in spans]
    return {"chars": chars, "flags": counts,
            "per_10k": {k: round(v / chars * 1e4, 2) for k, v in counts.items()}, "tx005_samples": samples}


def tx001_proof(real: Path = REAL) -> dict[str, object]:
    """TX001 on every correct sentence the repository holds: corrected sides, policy titles, real pages."""
    from xunjian.checks.wordlists import lexicon

    files = [*sorted((DATA / "ecspell").glob("*.tsv")), *sorted((DATA / "sighan15").glob("*_simplified.tsv"))]
    texts = [tgt for f in files for _s, tgt in _pairs(f)]
    texts += (DATA / "zh_wordlists_ecspell" / "policy_regulation_titles.txt").read_text(encoding="utf-8").splitlines()
    texts += real_text(real)
    hits = [m.context(8) for t in texts for m in lexicon().scan(t, frozenset({"TX001"}))]
    return {"texts": len(texts), "chars": sum(map(len, texts)), "tx001_hits": len(hits), "samples": hits[:10]}


def lm_throughput(files: list[Path]) -> dict[str, float]:
    """TX005 characters per second on one core, cold cache (every sentence new) and warm (all cached)."""
    lm = lm_checker(fresh=True)
    if lm is None:
        return {}
    sentences = list(dict.fromkeys(tgt for f in files for _s, tgt in _pairs(f)))
    chars = sum(map(len, sentences))
    lm.check("预热")
    out = {"sentences": len(sentences), "chars": chars}
    for label in ("cold", "warm"):
        start = time.process_time()
        for sentence in sentences:
            lm.check(sentence)
        cpu = time.process_time() - start
        out[f"{label}_chars_per_s"] = round(chars / cpu)
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
    """Every finding of the TX and SC page checks on the real government pages (for manual review).

    Pages named ``*_article_*`` are classified as articles, so TX005 reads their body text.
    """
    from xunjian.checks.base import CheckContext
    from xunjian.checks.security import PAGE_CHECKS as SC_CHECKS
    from xunjian.checks.text import PAGE_CHECKS as TX_CHECKS
    from xunjian.records import PageRecord, SiteInfo

    out: list[dict[str, object]] = []
    pages = sorted(p for d in real.glob("govpages_*") for p in d.glob("*.htm*"))
    for path in pages:
        page = PageRecord(url="http://127.0.0.1/x.html", final_url="http://127.0.0.1/x.html", status=200,
                          html=path.read_text(encoding="utf-8", errors="replace"), content_type="text/html",
                          page_type="article" if "_article_" in path.name else "other")
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
    lm = lm_checker()
    seen = train_sentences()
    tests = TEST_FILES[:3]
    return {
        "lexicon": {"patterns": lex.counts, "build_cpu_seconds": round(build, 2)},
        "tx005_model": lm is not None,
        "detection": [detection(p, lm, seen) for p in TEST_FILES],
        "real_false_flags": real_false_flags(lm, real),
        "tx001_proof": tx001_proof(real),
        "gov_tx001": gov_set(ROOT / "benchmarks" / "data" / "gov_sentences.tsv"),
        "text_throughput": text_throughput(tests),
        "tx005_throughput": lm_throughput(tests[:2]),
        "page_throughput": page_throughput(real),
        "real_pages": real_pages(real),
        "correct_text": correct_text(data),
    }


def _markdown(res: dict[str, object]) -> str:
    lines = [("| set | system | sentences (wrong / seen in training) | precision | recall all | recall unseen | "
              "recall seen | location precision | false flags /10k corrected chars |"),
             "|---|---|---|---|---|---|---|---|---|"]
    names = {"wordlists": "TX001+TX002", "tx005": "TX005", "both": "TX001+TX002+TX005"}
    for d in res["detection"]:  # type: ignore[union-attr]
        for k in SYSTEMS:
            r = d[k]
            lines.append(f"| {d['file']} | {names[k]} | {d['sentences']} ({d['wrong']} / {d['overlap']}) | "
                         f"{r['all']['precision']} | {r['all']['recall']} | {r['unseen']['recall']} | "
                         f"{r['seen']['recall']} | {r['all']['location_precision']} | {r['false_per_10k_corrected']} |")
    f = res["real_false_flags"]
    lines.append("")
    lines.append(f"Real government body text ({f['chars']} characters, tests/fixtures/real/govpages_*): flags "
                 f"{f['flags']}, per 10,000 characters {f['per_10k']}; TX005 flags: {f['tx005_samples']}")
    p = res["tx001_proof"]
    lines.append(f"TX001 generated variants on every correct text held ({p['texts']} texts, {p['chars']} characters): "
                 f"{p['tx001_hits']} hits {p['samples']}")
    g = res["gov_tx001"]
    lines.append(f"TX001 on {g['file']}: precision {g['precision']}, recall {g['recall']} ({g['sentences']} sentences)")
    t, p, lt = res["text_throughput"], res["page_throughput"], res["tx005_throughput"]
    lines.append(f"Word-list throughput: {t['mb_per_s']} MB/s ({t['mb']} MB in {t['cpu_seconds']} s CPU, one core).")
    if lt:
        lines.append(f"TX005 throughput: {lt['cold_chars_per_s']} characters/s cold cache, {lt['warm_chars_per_s']} "
                     f"warm ({lt['sentences']} distinct sentences, {lt['chars']} characters, one core).")
    lines.append(f"Page throughput (extraction + TX001-TX004 + SC002): {p['mb_per_s']} MB/s of HTML "
                 f"({p['pages']} pages, {p['mb']} MB in {p['cpu_seconds']} s CPU).")
    c = res["correct_text"]
    lines.append(f"Correct text ({c['texts']} corrected ECSpell sentences and policy titles, "
                 f"{c['chars']} characters): word-list findings by rule {c['findings']}.")
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
