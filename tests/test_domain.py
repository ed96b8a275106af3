"""FN001 (IPv6), FN003 (non-government name), FN004 (offline site still serving): verdicts and recording.

DNS is never asked: the AAAA lookup and "does this host have IPv6" are injected.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from xunjian.checks.domain import is_gov_host, no_ipv6, non_gov_domain, offline_site_online
from xunjian.config import load_settings
from xunjian.demo.server import send
from xunjian.domain import DnsUnavailable, ipv6_findings, run_domain_checks
from xunjian.probes import probe_site, record_probe
from xunjian.storage.db import session_scope
from xunjian.storage.models import Finding, Site

PAGE = "<html><body><h1>示例县人民政府</h1><p>本网站已于2025年关停，内容仍在此展示 政务公开 通知公告</p></body></html>"


def cfg(allow="127.0.0.0/8"):
    return load_settings(env={"XUNJIAN_ALLOW_NETWORKS": allow} if allow else {})


# ------------------------------------------------------------------------------------------ FN003


@pytest.mark.parametrize(("url", "fires"), [
    ("http://www.example.gov.cn/", False),
    ("https://fgw.example.gov.cn:8443/index.html", False),
    ("http://示例.政务/", False),
    ("http://xn--fsqu00a.xn--zfr164b/", False),
    ("http://www.example.com.cn/", True),
    ("http://www.gov.cn.example.com/", True),
    ("http://203.0.113.7/", True),
    ("http://examplegov.cn/", True),
])
@pytest.mark.rule_case("FN003", fires=True, silent=True)
def test_non_gov_domain(url, fires):
    found = non_gov_domain(url)
    assert bool(found) is fires
    if fires:
        assert found[0].rule == "FN003" and found[0].severity == "warn"


def test_gov_host_suffix_must_be_a_label():
    assert is_gov_host("gov.cn") and not is_gov_host("fakegov.cn")


# ------------------------------------------------------------------------------------------ FN001


@pytest.mark.rule_case("FN001", fires=True, silent=True)
def test_no_ipv6_pure():
    assert no_ipv6("http://a.gov.cn/", [], None)[0].key == "no-aaaa"
    assert no_ipv6("http://a.gov.cn/", ["2001:db8::1"], None) == []  # untested: benefit of the doubt
    assert no_ipv6("http://a.gov.cn/", ["2001:db8::1"], True) == []
    [f] = no_ipv6("http://a.gov.cn/", ["2001:db8::1"], False, "timeout")
    assert f.key == "no-answer" and "timeout" in f.message


def test_ipv6_lookup_is_injected():
    asked = []

    def lookup(host):
        asked.append(host)
        return []

    [f] = ipv6_findings("http://www.example.gov.cn/", cfg(), lookup, lambda: True)
    assert f.rule == "FN001" and asked == ["www.example.gov.cn"]
    assert ipv6_findings("http://www.example.gov.cn/", cfg(), lambda h: ["2001:db8::1"], lambda: False) == []


def test_private_aaaa_answer_is_refused_and_fires():
    # fe80::1 is link-local: the guard refuses it (nothing is sent), so the site does not answer over IPv6.
    [f] = ipv6_findings("http://www.example.gov.cn/", cfg(), lambda h: ["fe80::1"], lambda: True)
    assert f.key == "no-answer" and "内网地址" in f.message


def test_answer_over_the_aaaa_address(site_server):
    # The "AAAA" answer is faked to 127.0.0.1 so a real local server can answer the pinned request.
    server = site_server(routes={"/": lambda h: send(h, 200, PAGE.encode())})
    url = f"http://www.example.gov.cn:{server.port}/"
    assert ipv6_findings(url, cfg(), lambda h: ["127.0.0.1"], lambda: True) == []
    down = site_server(routes={"/": lambda h: send(h, 503, b"down")})
    [f] = ipv6_findings(f"http://www.example.gov.cn:{down.port}/", cfg(), lambda h: ["127.0.0.1"], lambda: True)
    assert "HTTP 503" in f.message


def test_dns_unavailable_is_not_judged():
    def broken(host):
        raise DnsUnavailable("timeout")

    assert ipv6_findings("http://www.example.gov.cn/", cfg(), broken, lambda: True) is None


def test_domain_checks_recorded_and_resolved(db_url):
    with session_scope(db_url) as s:
        s.add(Site(id="d1", name="示例", url="http://www.example.com/"))
    with session_scope(db_url) as s:
        found = run_domain_checks(s, s.get(Site, "d1"), cfg(), lambda h: [], lambda: False)
    assert sorted(f.rule for f in found) == ["FN001", "FN003"]
    with session_scope(db_url) as s:
        rows = list(s.scalars(select(Finding)))
        assert sorted((r.rule, r.source, r.status) for r in rows) == [("FN001", "probe", "open"),
                                                                      ("FN003", "probe", "open")]
        s.get(Site, "d1").url = "http://www.example.gov.cn/"
    with session_scope(db_url) as s:  # moved to a .gov.cn name with an (untestable) AAAA record
        assert run_domain_checks(s, s.get(Site, "d1"), cfg(), lambda h: ["2001:db8::1"], lambda: False) == []
    with session_scope(db_url) as s:
        assert {r.status for r in s.scalars(select(Finding))} == {"resolved"}


def test_dns_failure_keeps_the_previous_fn001(sqlite_url):
    with session_scope(sqlite_url) as s:
        s.add(Site(id="d1", name="示例", url="http://www.example.gov.cn/"))
    with session_scope(sqlite_url) as s:
        run_domain_checks(s, s.get(Site, "d1"), cfg(), lambda h: [], lambda: False)

    def broken(host):
        raise DnsUnavailable("timeout")

    with session_scope(sqlite_url) as s:
        run_domain_checks(s, s.get(Site, "d1"), cfg(), broken, lambda: False)
    with session_scope(sqlite_url) as s:
        assert [(r.rule, r.status) for r in s.scalars(select(Finding))] == [("FN001", "open")]


# ------------------------------------------------------------------------------------------ FN004


@pytest.mark.parametrize(("status", "state", "final", "chars", "fires"), [
    ("offline", 200, "http://old.example.gov.cn/", 200, True),
    ("online", 200, "http://old.example.gov.cn/", 200, False),
    ("offline", 404, "http://old.example.gov.cn/", 200, False),
    ("offline", 200, "http://new.example.gov.cn/", 200, False),  # redirected to the successor
    ("offline", 200, "http://old.example.gov.cn/", 5, False),    # an empty page
])
@pytest.mark.rule_case("FN004", fires=True, silent=True)
def test_offline_site_online_pure(status, state, final, chars, fires):
    found = offline_site_online("http://old.example.gov.cn/", status, state, final, chars)
    assert bool(found) is fires
    if fires:
        assert found[0].rule == "FN004" and found[0].severity == "veto"


def test_offline_site_still_serving_is_recorded_by_the_probe(db_url, site_server):
    state = {"code": 200}
    server = site_server(routes={"/": lambda h: send(h, state["code"], PAGE.encode())})
    with session_scope(db_url) as s:
        s.add(Site(id="old", name="旧站", url=server.url, status="offline"))
    settings = cfg()
    for code in (200, 404):
        state["code"] = code
        with session_scope(db_url) as s:
            site = s.get(Site, "old")
            record_probe(s, site, probe_site(site, settings), settings)
    with session_scope(db_url) as s:
        rows = {r.rule: r for r in s.scalars(select(Finding))}
        assert rows["FN004"].status == "resolved"  # the second probe saw it gone
        assert rows["FN004"].source == "probe" and "AV001" not in rows  # offline: unreachable is expected
