"""Train TX005's logistic regression on the **train** splits and write ``rules/tx005_weights.json``.

Usage (from the repository root; needs the Debian language model and numpy)::

    .venv/bin/pip install numpy          # build-time only, not a runtime dependency
    .venv/bin/python benchmarks/train_tx005.py [--model /usr/lib/x86_64-linux-gnu/libime/zh_CN.lm]

Training data: ECSpell law and medical train splits and the SIGHAN-15 train split (``benchmarks/data/``).
The official-document (odw) split is NOT used, train or test, so the odw test set measures an unseen domain;
no test split is read. Every candidate of :class:`xunjian.checks.lmscore.Scorer` on the written side of a
train sentence is an example: positive when it restores the corrected character, negative otherwise; the
candidates on the corrected side are negatives too. The decision threshold is the lowest at which the
training data give at most ``--max-false-per-10k`` false flags per 10,000 characters of corrected text and a
candidate precision of at least ``--min-precision``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
OUT = ROOT / "rules" / "tx005_weights.json"
TRAIN = [("ecspell", "law_train.tsv"), ("ecspell", "med_train.tsv"), ("sighan15", "sighan15_train_simplified.tsv")]


def pairs(path: Path) -> list[tuple[str, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and len(parts[1]) == len(parts[2]):
            out.append((parts[1], parts[2]))
    return out


def examples(scorer, rows: list[tuple[str, str]]):
    """(features, label, side) for every candidate of both sides; side 0 = written, 1 = corrected."""
    xs, ys, sides, sent_ids = [], [], [], []
    chars = 0
    for k, (src, tgt) in enumerate(rows):
        for side, text in ((0, src), (1, tgt)):
            if side == 1 and src == tgt:
                continue
            if side == 1 or src == tgt:
                chars += len(text)
            for c in scorer.candidates(text):
                label = side == 0 and src[c.pos] != tgt[c.pos] and c.word[c.pos - c.start] == tgt[c.pos]
                xs.append(c.x)
                ys.append(int(label))
                sides.append(int(side == 1 or src == tgt))
                sent_ids.append(k * 2 + side)
    return xs, ys, sides, sent_ids, chars


def fit(np, x, y, l2: float = 1e-3, steps: int = 400, lr: float = 0.5):
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    mean[-1], std[-1] = 0.0, 1.0  # the bias column stays 1
    z = (x - mean) / std
    pos_w = (len(y) - y.sum()) / max(1, y.sum())
    sw = np.where(y == 1, min(pos_w, 20.0), 1.0)
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w)))
        grad = z.T @ ((p - y) * sw) / sw.sum() + l2 * w
        w -= lr * grad
    raw = w / std  # weights on the unscaled features
    raw[-1] = w[-1] - float((w / std * mean)[:-1].sum())
    return raw


def choose_threshold(np, p, y, sides, chars: int, max_per_10k: float, min_precision: float) -> dict:
    best = None
    for t in np.arange(0.50, 0.995, 0.005):
        flag = p >= t
        tp = int((flag & (y == 1)).sum())
        fp = int((flag & (y == 0)).sum())
        fp_correct = int((flag & (sides == 1)).sum())
        per_10k = fp_correct / chars * 1e4
        prec = tp / (tp + fp) if tp + fp else 0.0
        if per_10k <= max_per_10k and prec >= min_precision:
            best = {"threshold": round(float(t), 3), "train_tp": tp, "train_fp": fp,
                    "train_precision": round(prec, 3), "train_false_per_10k": round(per_10k, 3)}
            break
    return best or {"threshold": 0.995}


def main() -> None:
    import kenlm
    import numpy as np

    from xunjian.checks.lmscore import FEATURES, MIN_WORD_FREQ, Scorer, load_confusions

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="/usr/lib/x86_64-linux-gnu/libime/zh_CN.lm")
    ap.add_argument("--max-false-per-10k", type=float, default=1.0)
    ap.add_argument("--min-precision", type=float, default=0.9)
    args = ap.parse_args()
    scorer = Scorer(kenlm.Model(args.model), load_confusions())
    rows = [row for folder, name in TRAIN for row in pairs(DATA / folder / name)]
    start = time.process_time()
    xs, ys, sides, _ids, chars = examples(scorer, rows)
    print(f"{len(rows)} sentences, {len(xs)} candidates, {sum(ys)} positive, "
          f"{time.process_time() - start:.0f} s CPU", file=sys.stderr)
    x, y, sides_a = np.array(xs, dtype=float), np.array(ys, dtype=float), np.array(sides)
    w = fit(np, x, y)
    p = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
    chosen = choose_threshold(np, p, y, sides_a, chars, args.max_false_per_10k, args.min_precision)
    out = {
        "_provenance": (
            "Logistic regression of TX005 (checks/lmscore.py features), trained by benchmarks/train_tx005.py on "
            f"{date.today().isoformat()} on the TRAIN splits only: ECSpell law_train + med_train (MIT, "
            "github.com/aopolin-lv/ECSpell) and SIGHAN-15 train (research data bundled there), with Debian's "
            "libime-data-language-model zh_CN.lm (LGPL-2.1+). No test split and no odw data were read."),
        "trained_on": [f"{a}/{b}" for a, b in TRAIN],
        "features": list(FEATURES),
        "weights": [round(float(v), 6) for v in w],
        "min_word_freq": MIN_WORD_FREQ,
        "correct_chars": chars,
        "examples": len(xs),
        "positives": int(sum(ys)),
        **chosen,
    }
    OUT.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(chosen), file=sys.stderr)


if __name__ == "__main__":
    main()
