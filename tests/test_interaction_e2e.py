"""Issue 14 end to end: the interaction fixture sites give exactly the planted IN001, IN002, SV001 and FN002 findings.

Three sites (tests/fixtures/sites/interaction, see expected.yaml) are served on 127.0.0.1 with their search
routes and scanned by the real worker on SQLite and PostgreSQL: ``trs`` (TRS-like message table, guides
in table and text layouts, a working search), ``hanweb`` (Hanweb/Lonsun-like list and detail pages, a
"我要写信" link to a missing page, a search that finds nothing) and ``plain`` (no channel, no search).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from crawl_helpers import findings, latest_scan, register, run_worker, worker_env, write_settings
from xunjian.demo.server import send

SITES = Path(__file__).parent / "fixtures" / "sites" / "interaction"
EXPECTED = yaml.safe_load((SITES / "expected.yaml").read_text(encoding="utf-8"))
CODES = ("IN001", "IN002", "SV001", "FN002")


def _titles(root: Path) -> dict[str, str]:
    """Article headline -> path, read from the fixture's own article pages (what a search index holds)."""
    import re

    out = {}
    for page in root.rglob("*.html"):
        m = re.search(r'name="ArticleTitle" content="([^"]+)"', page.read_text(encoding="utf-8"))
        if m:
            out[m.group(1)] = "/" + page.relative_to(root).as_posix()
    return out


def working_search(root: Path):
    index = _titles(root)

    def handler(h):
        q = parse_qs(urlsplit(h.path).query).get("q", [""])[0]
        hits = [(t, p) for t, p in index.items() if q and q in t]
        items = "".join(f'<li><a href="{p}"><em>{escape(t)}</em></a></li>' for t, p in hits) or "<p>没有找到相关结果</p>"
        body = (f'<html><head><title>搜索结果</title></head><body><form action="/search"><input name="q" '
                f'value="{escape(q)}"></form><p>您搜索的是：{escape(q)}</p><ul>{items}</ul></body></html>')
        send(h, 200, body.encode("utf-8"))
    return handler


def empty_search(h):
    q = parse_qs(urlsplit(h.path).query).get("q", [""])[0]
    body = (f"<html><head><title>检索结果</title></head><body><p>关键词：{escape(q)}</p>"
            "<p>没有找到相关结果，请更换关键词</p></body></html>")
    send(h, 200, body.encode("utf-8"))


ROUTES = {"trs": lambda root: {"/search": working_search(root)},
          "hanweb": lambda root: {"/jsearch/search.do": empty_search},
          "plain": lambda root: {}}


def scan_site(db_url, tmp_path, site_server, name):
    root = SITES / name
    server = site_server(root=root, routes=ROUTES[name](root))
    register(db_url, tmp_path, name, server.url, site_code="1199000009")
    proc = run_worker(name, worker_env(db_url, write_settings(tmp_path)), as_of=str(EXPECTED["as_of"]))
    assert proc.returncode == 0, proc.stderr
    scan = latest_scan(db_url, name)
    assert scan.status == "complete" and scan.stats["check_errors"] == {}, scan.stats.get("check_errors")
    return server, findings(db_url, name)


def _planted(found, code):
    return sorted((urlsplit(f.page).path if f.page else None) for f in found if f.rule == code)


@pytest.mark.parametrize("name", ["trs", "hanweb", "plain"])
@pytest.mark.rule_case("IN001", "IN002", "SV001", "FN002", fires=True, silent=True)
def test_interaction_sites_report_exactly_the_planted_findings(db_url, tmp_path, site_server, name):
    server, found = scan_site(db_url, tmp_path, site_server, name)
    expected = EXPECTED["sites"][name]
    for code in CODES:
        want = sorted(expected[code], key=lambda p: p or "")
        assert _planted(found, code) == want, (code, [(f.rule, f.page, f.message) for f in found if f.rule in CODES])
    if name == "trs":
        assert any(h.startswith("/search?") for h in server.hits)  # the probe searched through the form
        guide = next(f for f in found if f.rule == "SV001")
        assert guide.evidence["missing"] == ["设定依据", "收费标准", "办理地点(未精确到街道门牌号)"]
        late = {f.evidence["title"]: f.evidence["submitted"] for f in found if f.rule == "IN001"}
        assert late == {"关于小区停车难的问题": "2026-06-10", "学区划分咨询": "2026-07-15"}
        assert all(f.severity == "veto" for f in found if f.rule == "IN001")
    if name == "hanweb":
        guide = next(f for f in found if f.rule == "SV001")
        assert guide.evidence["missing"] == ["办理时限", "咨询电话", "办理时间"]  # the footer's phone is not the guide's
        search = next(f for f in found if f.rule == "FN002")
        assert search.evidence["query"] == "测试县开展森林防火专项检查" and search.evidence["via"] == "form"
        assert "检索不到" in search.message
        channel = next(f for f in found if f.rule == "IN002")
        assert channel.evidence["reason"] == "broken"
    if name == "plain":
        assert "未找到站内搜索" in next(f for f in found if f.rule == "FN002").message
        assert any(h.startswith("/was5/web/search") for h in server.hits)  # the default search URLs were tried
