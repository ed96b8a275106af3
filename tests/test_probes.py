"""Availability probes: I/O against local servers, the private-address guard, storage, weekly verdict, CLI."""

from __future__ import annotations

import socket
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from xunjian.config import load_settings
from xunjian.demo.server import send
from xunjian.probes import (
    ProbeRefused,
    ProbeResult,
    availability_findings,
    fetch_homepage,
    probe_outcome,
    record_probe,
    weekly_availability,
    weekly_verdict,
)
from xunjian.storage.db import session_scope
from xunjian.storage.models import Finding, Probe, Site

LOOPBACK = ["127.0.0.0/8"]
PAGE = "<html><body><h1>示例市人民政府</h1><p>政务公开 政务服务 互动交流 走进示例</p></body></html>".encode()


def home(h):
    send(h, 200, PAGE)


def settings(**probe):
    s = load_settings(env={"XUNJIAN_ALLOW_NETWORKS": "127.0.0.0/8"})
    for key, value in probe.items():
        setattr(s.probe, key, value)
    return s


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------------------------------- I/O


@pytest.mark.rule_case("AV001", "AV002", silent=True)
def test_up_probe_reads_the_homepage(site_server):
    server = site_server(routes={"/": home})
    result = fetch_homepage(server.url, 5, LOOPBACK)
    assert result.status == 200 and result.error_class is None
    assert result.text_chars > 20
    assert probe_outcome(result, 5.0) == "up"
    assert availability_findings(result, 5.0) == []


@pytest.mark.rule_case("AV001", fires=True)
def test_http_error_is_av001(site_server):
    server = site_server()
    result = fetch_homepage(server.url + "_status/503", 5, LOOPBACK)
    [f] = availability_findings(result, 5.0)
    assert f.rule == "AV001" and "HTTP 503" in f.message
    assert f.key == result.at.strftime("%Y-%m-%d")


@pytest.mark.rule_case("AV002", fires=True)
def test_slow_answer_is_av002_not_av001(site_server):
    server = site_server()
    result = fetch_homepage(server.url + "_delay/0.6", 5, LOOPBACK)
    assert probe_outcome(result, 0.3) == "slow"
    [f] = availability_findings(result, 0.3)
    assert f.rule == "AV002" and f.severity == "warn"


def test_timeout_is_bounded_and_fails(site_server):
    server = site_server()
    start = time.monotonic()
    result = fetch_homepage(server.url + "_delay/3", 0.5, LOOPBACK)
    assert time.monotonic() - start < 2
    assert result.error_class == "timeout"
    assert probe_outcome(result, 5.0) == "down"


def test_refused_and_dropped_connections_fail(site_server):
    refused = fetch_homepage(f"http://127.0.0.1:{free_port()}/", 2, LOOPBACK)
    assert refused.error_class == "refused"
    server = site_server()
    dropped = fetch_homepage(server.url + "_drop", 2, LOOPBACK)
    assert dropped.error_class == "connection" and probe_outcome(dropped, 5) == "down"


def test_redirects_are_followed(site_server):
    server = site_server(routes={"/index.html": home})
    result = fetch_homepage(server.url + "_redirect?to=/index.html", 5, LOOPBACK)
    assert result.status == 200 and result.final_url == server.url + "index.html"


# ------------------------------------------------------------------------------------------ guard


def test_loopback_refused_unless_allowed(site_server):
    server = site_server(routes={"/": home})
    with pytest.raises(ProbeRefused, match="内网地址"):
        fetch_homepage(server.url, 2, [])
    assert server.hits == []  # nothing was sent


def test_private_dns_answer_refused_without_connecting():
    calls = []

    def resolver(host):
        calls.append(host)
        return ["10.20.30.40"]

    with pytest.raises(ProbeRefused, match="10.20.30.40"):
        fetch_homepage("http://oa.example.gov.cn/", 2, LOOPBACK, resolver=resolver)
    assert calls == ["oa.example.gov.cn"]


def test_injected_resolver_pins_the_address_and_keeps_the_host(site_server):
    seen = []

    def route(h):
        seen.append(h.headers["Host"])
        home(h)

    server = site_server(routes={"/": route})
    result = fetch_homepage(f"http://www.example.gov.cn:{server.port}/", 5, LOOPBACK,
                            resolver=lambda host: ["127.0.0.1"])
    assert result.status == 200 and result.address == "127.0.0.1"
    assert seen == [f"www.example.gov.cn:{server.port}"]


def test_redirect_to_a_private_address_is_a_failure(site_server):
    server = site_server()
    names = {"www.example.gov.cn": ["127.0.0.1"], "oa.example.gov.cn": ["192.168.1.10"]}
    url = f"http://www.example.gov.cn:{server.port}/_redirect?to=http://oa.example.gov.cn/"
    result = fetch_homepage(url, 5, LOOPBACK, resolver=names.__getitem__)
    assert result.error_class == "private" and "192.168.1.10" in result.error
    assert probe_outcome(result, 5) == "down"


# ---------------------------------------------------------------------------------------- storage


def add_site(url, site_id="s1", site_url="http://127.0.0.1:9/", status="online"):
    with session_scope(url) as s:
        s.add(Site(id=site_id, name="示例市人民政府", url=site_url, status=status))


def test_a_day_of_failures_is_one_finding(db_url):
    add_site(db_url)
    day = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
    cfg = settings()
    for at in (day, day + timedelta(minutes=30), day + timedelta(days=1)):
        result = ProbeResult(url="http://127.0.0.1:9/", at=at, error_class="refused", error="refused", elapsed=0.01)
        with session_scope(db_url) as s:
            record_probe(s, s.get(Site, "s1"), result, cfg)
    with session_scope(db_url) as s:
        probes = list(s.scalars(select(Probe)))
        rows = list(s.scalars(select(Finding).order_by(Finding.first_seen)))
        assert [p.outcome for p in probes] == ["down"] * 3
        assert [(r.rule, r.source) for r in rows] == [("AV001", "probe"), ("AV001", "probe")]
        assert rows[0].evidence["failures_that_day"] == 2 and rows[0].evidence["date"] == "2026-11-20"
        assert rows[1].evidence["failures_that_day"] == 1


def _fill(url, now, per_day, failures_per_day):
    with session_scope(url) as s:
        for d in range(7):
            for i in range(per_day[d]):
                at = now - timedelta(days=6 - d, hours=23) + timedelta(minutes=30 * i)
                outcome = "down" if i < failures_per_day[d] else "up"
                s.add(Probe(site_id="s1", at=at, outcome=outcome, status=200 if outcome == "up" else None))


def test_weekly_availability_pass_fail_and_insufficient(db_url):
    add_site(db_url)
    now = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
    with session_scope(db_url) as s:
        assert weekly_availability(s, "s1", now)["verdict"] == "no-data"
    _fill(db_url, now, [24] * 7, [1] * 7)  # 7/168 = 4.2 %
    with session_scope(db_url) as s:
        week = weekly_availability(s, "s1", now)
    assert week["probes_per_day"] == [24] * 7
    assert (week["probes"], week["failures"], week["verdict"]) == (168, 7, "pass")
    assert "7/168" in week["summary"] and "通过" in week["summary"]
    _fill(db_url, now, [0, 0, 0, 0, 0, 0, 2], [0, 0, 0, 0, 0, 0, 2])  # 9/170 = 5.3 %
    with session_scope(db_url) as s:
        week = weekly_availability(s, "s1", now)
    assert week["verdict"] == "fail" and "否决" in week["summary"]
    with session_scope(db_url) as s:  # probes older than 7 days do not count
        assert weekly_availability(s, "s1", now + timedelta(days=8))["verdict"] == "no-data"


@pytest.mark.parametrize(("per_day", "verdict"), [
    ([(20, 1)] * 7, "fail"),          # exactly 5 %
    ([(21, 1)] * 7, "pass"),          # 4.8 %, 21 a day
    ([(40, 0)] * 6 + [(19, 0)], "insufficient"),
    ([(0, 0)] * 6 + [(1, 1)], "failing"),   # one failed probe is not a week of monitoring
    ([(40, 4)] * 6 + [(19, 1)], "failing"),  # 5 % but one day short of 20 probes
    ([(0, 0)] * 7, "no-data"),
])
def test_weekly_verdict_boundaries(per_day, verdict):
    assert weekly_verdict(per_day)["verdict"] == verdict


# -------------------------------------------------------------------------------------------- CLI


def test_cli_probe_records_failures_and_sites_list_shows_the_week(cli_env, site_server, tmp_path):
    from xunjian.cli import app

    server = site_server(routes={"/": home})
    registry = tmp_path / "sites.yaml"
    registry.write_text(f"sites:\n  - id: up\n    name: 甲市\n    url: {server.url}\n"
                        f"  - id: gone\n    name: 乙市\n    url: http://127.0.0.1:{free_port()}/\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["sites", "import", str(registry)]).exit_code == 0
    result = runner.invoke(app, ["probe", "gone", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"outcome": "down"' in result.stdout and '"AV001"' in result.stdout
    result = runner.invoke(app, ["probe", "--all"])
    assert result.exit_code == 0 and "正常" in result.stdout and "失败" in result.stdout
    listing = runner.invoke(app, ["sites", "list", "--format", "json"])
    assert '"failures": 2' in listing.stdout and "探测次数不足" in listing.stdout
    assert runner.invoke(app, ["probe", "nosuch"]).exit_code == 5
    assert runner.invoke(app, ["probe"]).exit_code == 2
