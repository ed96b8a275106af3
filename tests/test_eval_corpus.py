"""The evaluation corpus generator: committed truth matches what it generates; sites are what they claim.

The corpus itself is scored by ``python benchmarks/eval_quality.py`` (about a minute); this test only guards the
generator and the scorer's matching, cheaply.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import eval_corpus  # noqa: E402
from eval_quality import matches, norm, score_site  # noqa: E402


def test_committed_truth_is_the_generated_truth(tmp_path):
    built = eval_corpus.build_all(tmp_path)
    assert len(built) >= 4
    for key, (root, truth) in built.items():
        committed = yaml.safe_load((BENCH / "eval_corpus" / "truth" / f"{key}.yaml").read_text(encoding="utf-8"))
        assert committed == yaml.safe_load(yaml.safe_dump(truth, allow_unicode=True)), key
        assert len(truth["findings"]) >= 6 and len(truth["traps"]) >= 4, key
        # a static homepage, or (ASP.NET-style sites whose pages the site's routes serve) static assets
        assert (root / "index.html").is_file() or any(p.is_file() for p in root.rglob("*")), key


def test_gbk_and_stale_charset_sites(tmp_path):
    built = eval_corpus.build_all(tmp_path)
    hanweb = (built["hanweb_anping"][0] / "index.html").read_bytes()
    assert "安平县人民政府".encode("gbk") in hanweb and b"charset=gb2312" in hanweb
    lonsun = (built["lonsun_qingchuan"][0] / "index.html").read_bytes()
    assert "青川区人民政府".encode("utf-8") in lonsun and b"charset=gb2312" in lonsun


def test_matching_at_project_granularity():
    assert norm("http://127.0.0.1:1/zwdt/index.shtml") == norm("/zwdt/") == "/zwdt"
    truth = {"findings": [{"rule": "LK002", "target": "/a.html", "why": ""},
                          {"rule": "FT005", "pages": ["/x/1.html"], "why": ""}]}
    found = [{"rule": "LK002", "page": "http://h/p1.html", "target": "http://h/a.html", "message": "", "evidence": {}},
             {"rule": "LK002", "page": "http://h/p2.html", "target": "http://h/a.html", "message": "", "evidence": {}},
             {"rule": "FT005", "page": None, "target": None, "message": "",
              "evidence": {"pages": ["http://h/x/1.html"]}}]
    result = score_site(found, truth)
    assert result["tp"] == {"LK002": 1, "FT005": 1} and not result["missed"]
    assert [f["repeat"] for f in result["fp"]] == [True]  # the same target twice is one problem reported twice
    assert not matches(found[2], {"rule": "FT005", "pages": ["/y/1.html"]})
