"""Held-out TX002 measurement on public 常见错别字 / 成语 mis-writing pairs that our word lists never saw.

Usage (from the repository root)::

    .venv/bin/python benchmarks/heldout_typos.py [--json]
    .venv/bin/python benchmarks/heldout_typos.py --split   # once: collected.tsv -> heldout.tsv + candidates.tsv

``benchmarks/data/public_typos/collected.tsv`` holds the (wrong, right) pairs collected from public
repositories (provenance per source in that folder's PROVENANCE.md). ``--split`` kept only the pairs whose
wrong form was in none of ``rules/typos*.txt`` and occurs in no correct text the repository holds (corrected
sides of ECSpell/SIGHAN-15, policy titles, the real pages), then split them by a hash of the wrong form: half
into ``heldout.tsv`` (measurement only, never added to ``rules/``), half into ``candidates.tsv`` (added to
``rules/typos_extra.txt``). It was run once, before any rule change; running it again after the candidates
were added would move pairs, so the split files are committed.

The measurement embeds every held-out pair in three government sentences (templates), and counts:

* recall: sentences where TX001/TX002 (and, separately, TX005) flag a span overlapping the wrong form;
* false flags on the same sentences with the right form, per 10,000 characters;
* false flags per 10,000 characters of correct text: the corrected sides of the ECSpell odw/law and SIGHAN-15
  test sets and our own corpus (``text_quality.detection``) and the body text of the real pages
  (``text_quality.real_false_flags``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import text_quality as tq  # noqa: E402

ROOT = tq.ROOT
HERE = ROOT / "benchmarks" / "data" / "public_typos"
TEMPLATES = (
    "据区政府办公室通报，{w}的问题已列入本年度整改清单。",
    "会议要求，各乡镇各部门在工作中要做到{w}，确保各项任务按期完成。",
    "县信访局收到群众来信，反映{w}等情况，已转交有关单位办理并答复。",
)


def read_pairs(path: Path) -> list[tuple[str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        wrong, right, source = line.split("\t")[:3]
        rows.append((wrong, right, source))
    return rows


def _known_wrong() -> set[str]:
    out = set()
    for name in ("typos.txt", "typos_extra.txt"):
        for wrong, _r, _s in (line.split("\t")[:3] for line in
                              (ROOT / "rules" / name).read_text(encoding="utf-8").splitlines()
                              if line.strip() and not line.startswith("#")):
            out.add(wrong)
    return out


def correct_corpus() -> str:
    """Every correct sentence the repository holds, joined (for the wrong-form-never-occurs filter)."""
    files = [*sorted((tq.DATA / "ecspell").glob("*.tsv")), *sorted((tq.DATA / "sighan15").glob("*_simplified.tsv"))]
    texts = [tgt for f in files for _s, tgt in tq._pairs(f)]
    texts += (tq.DATA / "zh_wordlists_ecspell" / "policy_regulation_titles.txt").read_text(encoding="utf-8").splitlines()
    texts += tq.real_text()
    return "\n".join(texts)


def split() -> dict[str, int]:
    rows = read_pairs(HERE / "collected.tsv")
    known, corpus = _known_wrong(), correct_corpus()
    kept, dropped = [], {"in_rules": 0, "in_correct_text": 0}
    for wrong, right, source in rows:
        if wrong in known:
            dropped["in_rules"] += 1
        elif wrong in corpus:
            dropped["in_correct_text"] += 1
        else:
            kept.append((wrong, right, source))
    half = {0: [], 1: []}
    for row in kept:
        half[hashlib.sha1(row[0].encode("utf-8")).digest()[0] % 2].append(row)
    head = "# wrong<TAB>right<TAB>source (see PROVENANCE.md); split by benchmarks/heldout_typos.py --split\n"
    for name, part in (("heldout.tsv", half[0]), ("candidates.tsv", half[1])):
        (HERE / name).write_text(head + "".join("\t".join(r) + "\n" for r in part), encoding="utf-8")
    return {"collected": len(rows), **dropped, "heldout": len(half[0]), "candidates": len(half[1])}


def measure(lm) -> dict[str, object]:
    pairs = read_pairs(HERE / "heldout.tsv")
    hits = {k: 0 for k in tq.SYSTEMS}
    false = {k: 0 for k in tq.SYSTEMS}
    missed: list[str] = []
    chars = n = 0
    for i, (wrong, right, _src) in enumerate(pairs):
        for t in TEMPLATES:
            n += 1
            bad, good = t.format(w=wrong), t.format(w=right)
            pos = bad.index(wrong)
            found = tq.predict(bad, lm)
            for k, spans in found.items():
                hits[k] += any(s < pos + len(wrong) and pos < e for s, e in spans)
            if not any(s < pos + len(wrong) and pos < e for s, e in found["wordlists"]) and t is TEMPLATES[0]:
                missed.append(f"{wrong}→{right}")
            chars += len(good)
            for k, spans in tq.predict(good, lm).items():
                false[k] += len(spans)
    out: dict[str, object] = {"pairs": len(pairs), "sentences": n, "correct_chars": chars,
                              "recall": {k: round(v / n, 3) for k, v in hits.items()},
                              "false_on_right": false,
                              "false_per_10k_right": {k: round(v / chars * 1e4, 2) for k, v in false.items()},
                              "missed_wordlists": missed}
    return out


def run(with_lm: bool) -> dict[str, object]:
    lm = tq.lm_checker() if with_lm else None
    seen = tq.train_sentences()
    res = {"tx005_model": lm is not None, "heldout": measure(lm)}
    res["test_sets"] = []
    for path in tq.TEST_FILES:
        d = tq.detection(path, lm, seen)
        res["test_sets"].append({"file": d["file"], "correct_chars": d["correct_chars"],
                                 **{k: {"false_per_10k": d[k]["false_per_10k_corrected"],
                                        "precision": d[k]["all"]["precision"], "recall": d[k]["all"]["recall"]}
                                    for k in tq.SYSTEMS}})
    real = tq.real_false_flags(lm)
    res["real_pages"] = {"chars": real["chars"], "flags": real["flags"], "per_10k": real["per_10k"]}
    return res


def _markdown(res: dict[str, object]) -> str:
    h = res["heldout"]
    names = {"wordlists": "TX001+TX002", "tx005": "TX005", "both": "TX001+TX002+TX005"}
    lines = [f"Held-out public pairs: {h['pairs']} pairs in {h['sentences']} sentences "
             f"({h['correct_chars']} characters on the right side); TX005 model: {res['tx005_model']}",
             "", "| system | held-out recall | false flags on the right sentences (/10k) |", "|---|---|---|"]
    for k in tq.SYSTEMS:
        lines.append(f"| {names[k]} | {h['recall'][k]} | {h['false_on_right'][k]} ({h['false_per_10k_right'][k]}) |")
    lines += ["", "| correct text | characters | TX001+TX002 false /10k | precision | recall | "
              "TX001+TX002+TX005 false /10k |", "|---|---|---|---|---|---|"]
    for d in res["test_sets"]:
        lines.append(f"| {d['file']} | {d['correct_chars']} | {d['wordlists']['false_per_10k']} | "
                     f"{d['wordlists']['precision']} | {d['wordlists']['recall']} | {d['both']['false_per_10k']} |")
    r = res["real_pages"]
    lines.append(f"| real pages (body text) | {r['chars']} | {r['per_10k']['wordlists']} | – | – | "
                 f"{r['per_10k']['both']} |")
    lines += ["", f"Missed by the word lists ({len(h['missed_wordlists'])}): " + " ".join(h["missed_wordlists"])]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    parser.add_argument("--split", action="store_true", help="(once) split collected.tsv into held-out/candidates")
    parser.add_argument("--no-lm", action="store_true", help="word lists only (skip TX005, faster)")
    args = parser.parse_args()
    if args.split:
        print(json.dumps(split(), ensure_ascii=False))
        return
    res = run(not args.no_lm)
    sys.stdout.write((json.dumps(res, ensure_ascii=False, indent=2) if args.json else _markdown(res)) + "\n")


if __name__ == "__main__":
    main()
