"""Scoring by the national indicators: vetoes named with their findings, capped deductions, bonus, 4/3."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import yaml

from xunjian.checks import finding
from xunjian.scoring import (
    ProbeStats, ProfileError, SiteFacts, compute_score, compute_site_score, indicator_for, load_profile,
    ranking, record_score, score_history,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
HOST = "http://gov.example"


@pytest.fixture(scope="module")
def profile():
    return load_profile()


def f(code, n=0, **kw):
    fd = finding(code, f"{code} #{n}", page=kw.pop("page", f"{HOST}/p{n}.html"),
                 target=kw.pop("target", f"{HOST}/t{n}"), **kw).to_dict()
    fd["id"] = n
    return fd


def test_clean_site_passes_with_full_score(profile):
    result = compute_score([], ProbeStats(total=300, failed=0), profile, SiteFacts("clean"))
    assert result.verdict == "pass"
    assert result.score == 100.0
    assert result.veto == [] and result.deductions == []


def test_five_stale_key_columns_fail_with_veto_named(profile):
    findings = [f("UP002", i) for i in range(3)] + [f("UP003", 10 + i) for i in range(2)]
    result = compute_score(findings, None, profile, SiteFacts("stale"))
    assert result.verdict == "fail"
    veto = {v["id"]: v for v in result.veto}
    assert "V4a" in veto
    assert "栏目不更新" in veto["V4a"]["name"]
    assert sorted(x["id"] for x in veto["V4a"]["findings"]) == [0, 1, 2, 10, 11]
    assert result.to_json()["veto"][0]["findings"]


def test_four_stale_key_columns_do_not_veto(profile):
    findings = [f("UP002", i) for i in range(4)]
    result = compute_score(findings, None, profile, SiteFacts("four"))
    assert not any(v["id"] == "V4a" for v in result.veto)
    assert result.verdict == "pass"
    assert result.score < 100


def test_second_level_notice_columns_do_not_count_for_v4a(profile):
    findings = [f("UP002", i) for i in range(4)] + [f("UP003", 9, evidence={"level": 2})]
    result = compute_score(findings, None, profile, SiteFacts("lvl"))
    assert not any(v["id"] == "V4a" for v in result.veto)


def test_five_blank_columns_veto(profile):
    result = compute_score([f("UP005", i) for i in range(5)], None, profile, SiteFacts("blank"))
    assert [v["id"] for v in result.veto] == ["V4c"]


def test_severity_veto_findings_fail_the_site(profile):
    result = compute_score([f("SC001", 1)], None, profile, SiteFacts("dark"))
    assert result.verdict == "fail" and result.score == 0
    assert result.veto[0]["id"] == "V1" and result.veto[0]["findings"][0]["rule"] == "SC001"


def test_availability_veto_needs_ratio_and_enough_probes(profile):
    enough = compute_score([], ProbeStats(total=200, failed=10), profile, SiteFacts("a"))
    assert [v["id"] for v in enough.veto] == ["V2"]
    below = compute_score([], ProbeStats(total=200, failed=9), profile, SiteFacts("a"))
    assert below.veto == []
    too_few = compute_score([], ProbeStats(total=40, failed=20), profile, SiteFacts("a"))
    assert too_few.veto == []


def test_deductions_respect_indicator_caps(profile):
    findings = [f("LK001", i) for i in range(30)]  # 1 point each, cap 5 in the default profile
    result = compute_score(findings, None, profile, SiteFacts("links"))
    (ded,) = result.deductions
    assert ded["indicator"] == "links_home"
    assert ded["raw_points"] == 30 and ded["points"] == ded["cap"] == 5
    assert len(ded["findings"]) == 30
    assert result.score == 95


def test_once_rules_deduct_once(profile):
    result = compute_score([f("FT001", 1), f("FT001", 2)], None, profile, SiteFacts("ft"))
    assert result.deductions[0]["points"] == 1


def test_no_double_penalty_for_one_column(profile):
    col = f"{HOST}/zwdt/"
    result = compute_score([f("UP005", 1, target=col), f("UP002", 2, target=col)], None, profile, SiteFacts("c"))
    rules = [x["rule"] for d in result.deductions for x in d["findings"]]
    assert rules == ["UP005"]


def test_warn_and_info_are_not_scored(profile):
    result = compute_score([f("FT009", 1), f("LK006", 2)], None, profile, SiteFacts("w"))
    assert result.score == 100 and result.deductions == []


def test_below_sixty_fails(profile, tmp_path):
    data = dict(profile)
    data["indicators"] = [dict(i) for i in profile["indicators"]]
    for ind in data["indicators"]:
        ind["cap"] = 50
    findings = [f("LK001", i) for i in range(45)]
    result = compute_score(findings, None, data, SiteFacts("bad"))
    assert result.deduction_score == 55 and result.verdict == "fail"


def test_bonus_only_for_portals_above_eighty(profile):
    site = SiteFacts("p", kind="portal", bonus={"innovation": 50, "intensive": 5})
    result = compute_score([], None, profile, site)
    assert result.bonus == 15 and result.score == 115 and result.band.startswith("110")
    dept = compute_score([], None, profile, SiteFacts("d", kind="department", bonus={"innovation": 5}))
    assert dept.bonus == 0


def test_four_thirds_scaling_without_services(profile):
    findings = [f("SV001", 1), f("LK001", 2)]  # service indicator skipped; 1 point under links
    with_services = compute_score(findings, None, profile, SiteFacts("s"))
    without = compute_score(findings, None, profile, SiteFacts("n", has_services=False))
    assert with_services.score == 100 - 2 - 1
    assert without.score == round((75 - 1) * 4 / 3, 2)


def test_unknown_codes_fall_back_to_family_indicator(profile):
    ind, points, once = indicator_for("LK099", profile)
    assert ind["id"] == "links_other" and points == profile["default_points"]
    ind, _, _ = indicator_for("ZZ001", profile)
    assert ind["id"] == profile["fallback_indicator"]
    fd = {"id": 1, "rule": "LK099", "severity": "deduct", "page": None, "target": None, "message": "new", "evidence": {}}
    result = compute_score([fd], None, profile, SiteFacts("n"))
    assert result.deductions[0]["indicator"] == "links_other"


def test_city_profile_selected_in_settings(tmp_path, profile):
    city = dict(profile, id="city", pass_threshold=99.5)
    path = tmp_path / "city.yaml"
    path.write_text(yaml.safe_dump(city, allow_unicode=True), encoding="utf-8")
    from xunjian.config import load_settings

    cfg = tmp_path / "settings.yaml"
    cfg.write_text(f"scoring:\n  profile: {path}\n", encoding="utf-8")
    settings = load_settings(cfg, env={})
    loaded = load_profile(settings)
    assert loaded["id"] == "city"
    assert compute_score([f("LK001", 1)], None, loaded, SiteFacts("x")).verdict == "fail"


def test_invalid_profile_names_the_key(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("base_points: 100\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="pass_threshold"):
        load_profile(path=path)


def _site(s, site_id="demo-gov", **kw):
    from xunjian.storage.models import Site

    s.add(Site(id=site_id, name="示例市人民政府", url="http://127.0.0.1:9/", **kw))
    s.flush()


def test_record_score_with_probes_and_history(db_url):
    from xunjian.storage.db import session_scope
    from xunjian.storage.findings import merge_findings, resolve_unseen
    from xunjian.storage.models import Probe, Scan

    with session_scope(db_url) as s:
        _site(s)
        scan = Scan(site_id="demo-gov", status="complete", as_of=date(2026, 11, 22))
        s.add(scan)
        s.flush()
        merge_findings(s, "demo-gov", [finding("LK001", "首页链接 404", page="http://127.0.0.1:9/",
                                               target="http://127.0.0.1:9/x.pdf")], scan.id, now=NOW)
        resolve_unseen(s, "demo-gov", scan, now=NOW)
        for i in range(150):  # 150 probes in the week, 8 down (5.3 %)
            s.add(Probe(site_id="demo-gov", at=NOW - timedelta(hours=i), outcome="down" if i < 8 else "up"))
        s.add(Probe(site_id="demo-gov", at=NOW - timedelta(days=9), outcome="down"))  # outside the window
        s.flush()
        row = record_score(s, "demo-gov", scan.id, None, now=NOW)
        assert row.verdict == "fail"
        assert row.details["availability"] == {"probes": 150, "failed": 8, "ratio": 8 / 150}
        assert [v["id"] for v in row.details["veto"]] == ["V2"]
        assert row.details["deductions"][0]["findings"][0]["rule"] == "LK001"
        scan_id = scan.id
    with session_scope(db_url) as s:
        history = score_history(s, "demo-gov")
        assert [(h["scan_id"], h["verdict"], h["veto"]) for h in history] == [(scan_id, "fail", ["V2"])]
        result = compute_site_score(s, "demo-gov", now=NOW + timedelta(days=30))  # probes aged out
        assert result.verdict == "pass" and result.score == 99
        assert [r.site for r in ranking(s, now=NOW)] == ["demo-gov"]


def test_unknown_site_raises_lookup(sqlite_url):
    from xunjian.storage.db import session_scope

    with session_scope(sqlite_url) as s, pytest.raises(LookupError):
        compute_site_score(s, "nope", now=NOW)


def test_every_weight_in_the_default_profile_carries_its_status():
    import re

    from xunjian.config import RULES_DIR

    weight = re.compile(r"^\s*(-\s*)?(\w+|\{id: \w+.*cap: \d+\}):\s*[\d.]+|^\s*[A-Z]{2}\d{3}: [{\d]")
    for n, line in enumerate((RULES_DIR / "indicators.yaml").read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("#") or not weight.search(line) or line.strip().startswith(("id:", "- id:")):
            continue
        assert re.search(r"#.*\b(C1|C2|D|unconfirmed)\b", line), f"line {n} has no status tag: {line}"
