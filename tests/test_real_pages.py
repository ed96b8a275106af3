"""The real-page regression set: fields the checks read from real government pages, against hand-checked truth.

tests/fixtures/real/truth.yaml holds, per page (saved byte for byte under tests/fixtures/real/govpages_*/), its
page type, publication date, footer identifiers and missing required labels. The reader is the one
``python benchmarks/eval_quality.py`` prints the accuracy of.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from eval_corpus.realpages import FIELDS, REAL, field_accuracy  # noqa: E402


def test_at_least_98_percent_of_the_fields_are_read_right():
    right, total, wrong = field_accuracy()
    assert total >= 150, "the truth file lost pages"
    assert right / total >= 0.98, "\n".join(wrong)


def test_every_truth_page_exists_and_every_field_is_known():
    import yaml

    truth = yaml.safe_load((REAL / "truth.yaml").read_text(encoding="utf-8"))
    for name, fields in truth["pages"].items():
        assert (REAL / name).is_file(), name
        assert set(fields) - {"url", "note"} <= set(FIELDS), name
