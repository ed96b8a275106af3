"""Reports: the workbook opens, the HTML parses, screenshots are PNGs with a red outline, hostile text is inert."""

from __future__ import annotations

import csv
import struct
import zlib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import lxml.html
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from xunjian.checks import finding
from xunjian.config import load_settings
from xunjian.reports.build import write_reports
from xunjian.reports.screenshots import MISSING_CHROMIUM, plan
from xunjian.reports.tabular import neutralise
from xunjian.storage.db import session_scope
from xunjian.storage.findings import merge_findings, resolve_unseen
from xunjian.storage.models import Page, Scan, Site

CHROMIUM = Path("/usr/bin/chromium")
NOW = datetime(2026, 11, 22, 3, 0, tzinfo=timezone.utc)
XSS = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example/","点我")'

INDEX = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{XSS}</title></head>
<body style="font-family:sans-serif">
<div id="nav"><a href="/zwgk/">政务公开</a> <a href="/missing.pdf">2026年工作要点(附件)</a></div>
<div style="height:900px"><p>示例市人民政府门户网站</p><p>认真贯彻落实工作部署，扎实推进各项工作。</p></div>
<div id="footer">主办单位：示例市人民政府办公厅 联系电话：010-12345678</div>
</body></html>"""
ZWGK = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>政务公开</title></head>
<body><a href="/gone.html">通知公告</a><a style="display:none" href="http://casino.example/">娱乐城</a></body></html>"""


@pytest.fixture
def site(tmp_path, site_server, sqlite_url):
    """A local site with a hostile title, a complete scan with findings, and one fixed finding."""
    root = tmp_path / "site"
    (root / "zwgk").mkdir(parents=True)
    (root / "index.html").write_text(INDEX, encoding="utf-8")
    (root / "zwgk" / "index.html").write_text(ZWGK, encoding="utf-8")
    server = site_server(root=root)
    home, zwgk = server.url, server.url + "zwgk/"
    with session_scope(sqlite_url) as s:
        s.add(Site(id="demo-gov", name="示例市人民政府", url=home, site_code="1100000001"))
        old = Scan(site_id="demo-gov", status="complete", as_of=date(2026, 11, 1))
        s.add(old)
        s.flush()
        merge_findings(s, "demo-gov", [finding("LK002", "页面返回 HTTP 404", page=zwgk, target=home + "old.html")],
                       old.id, now=NOW - timedelta(days=21))
        scan = Scan(site_id="demo-gov", status="complete", as_of=date(2026, 11, 22))
        s.add(scan)
        s.flush()
        s.add_all([Page(scan_id=scan.id, url=home, title=XSS, page_type="homepage"),
                   Page(scan_id=scan.id, url=zwgk, title=FORMULA, page_type="column")])
        merge_findings(s, "demo-gov", [
            finding("LK001", "附件返回 HTTP 404", page=home, target=home + "missing.pdf",
                    evidence={"status": 404, "anchor_text": XSS}),
            finding("FT001", "页脚缺少党政机关网站标识", page=home),
            finding("TX002", "疑似错别字", page=home, evidence={"word": "工作部署"}),
            finding("LK002", FORMULA, page=zwgk, target=home + "gone.html", evidence={"anchor_text": FORMULA}),
            finding("SC001", "暗链指向站外", page=zwgk, target="http://casino.example/"),
            finding("LK003", "站外链接失效", page="http://other.example/a.html", target="http://other.example/b"),
        ], scan.id, now=NOW)
        resolve_unseen(s, "demo-gov", scan, now=NOW)
    return {"url": sqlite_url, "server": server}


def settings(**report):
    cfg = load_settings(env={})
    for key, value in report.items():
        setattr(cfg.report, key, value)
    return cfg


def red_pixels(png: bytes) -> int:
    """Count pure-red pixels of an 8-bit RGB/RGBA PNG (Chromium's screenshots), no imaging library."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        data = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", data[:10])
            assert depth == 8 and ctype in (2, 6)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    raw, stride, prev, count, i = zlib.decompress(idat), width * bpp, bytearray(width * bpp), 0, 0
    for _ in range(height):
        ftype, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        count += sum(1 for x in range(0, stride, bpp) if line[x] > 240 and line[x + 1] < 20 and line[x + 2] < 20)
        prev = line
    return count


def _assert_inert(out: Path) -> None:
    html = (out / "demo-gov.html").read_text(encoding="utf-8")
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    doc = lxml.html.document_fromstring(html)
    assert doc.xpath("//script") == []
    assert all(h.startswith(("http://", "https://")) for h in doc.xpath("//a/@href"))
    assert "=HYPERLINK(" in doc.text_content()  # shown, as text
    wb = load_workbook(out / "demo-gov.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                assert not (isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")))
    with (out / "demo-gov-findings.csv").open(encoding="utf-8-sig") as fh:
        for row in csv.reader(fh):
            assert not any(v.startswith(("=", "+", "-", "@")) for v in row)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian Chromium (/usr/bin/chromium) not installed")
def test_report_files_open_with_outlined_screenshots(site, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with session_scope(site["url"]) as s:
        written, warnings = write_reports(s, settings(), out, ["demo-gov"], screenshots=True, now=NOW)
    assert warnings == []
    shots = sorted((out / "screenshots" / "demo-gov").glob("*.png"))
    assert len(shots) >= 3  # LK001 link, FT001 footer, TX002 text (+ SC001, LK002 on the column page)
    for shot in shots:
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert red_pixels(shot.read_bytes()) > 100, f"no red outline in {shot.name}"
    assert not any("other.example" in str(p) for p in written)
    html = (out / "demo-gov.html").read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == len(shots)
    _assert_inert(out)


def test_workbook_sheets_and_content(site, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with session_scope(site["url"]) as s:
        write_reports(s, settings(), out, ["demo-gov"], screenshots=False, now=NOW)
    wb = load_workbook(out / "demo-gov.xlsx")
    assert wb.sheetnames == ["汇总", "问题清单", "已整改"]
    summary = [[c.value for c in row] for row in wb["汇总"].iter_rows()]
    assert summary[0][:7] == ["站点编号", "站点名称", "网址", "结论", "得分", "分档", "单项否决项"]
    assert summary[1][0] == "demo-gov" and summary[1][3] == "不合格" and "V1" in summary[1][6]
    assert "首页链接可用性" in summary[0]
    ws = wb["问题清单"]
    header = [c.value for c in ws[1]]
    rules = [row[header.index("规则")].value for row in ws.iter_rows(min_row=2)]
    assert sorted(rules) == ["FT001", "LK001", "LK002", "LK003", "SC001", "TX002"]
    lk = next(row for row in ws.iter_rows(min_row=2) if row[header.index("规则")].value == "LK001")
    assert lk[header.index("问题类型")].value == "首页不可用链接"
    assert lk[header.index("页面")].hyperlink.target == site["server"].url
    assert lk[header.index("页面标题")].value == XSS  # a string cell: harmless in a spreadsheet
    fixed = [[c.value for c in row] for row in wb["已整改"].iter_rows(min_row=2)]
    assert len(fixed) == 1 and fixed[0][2] == "LK002" and fixed[0][-1]
    html = (out / "demo-gov.html").read_text(encoding="utf-8")
    assert lxml.html.document_fromstring(html).xpath("//h1")[0].text_content().startswith("示例市人民政府")
    _assert_inert(out)
    import json

    items = json.loads((out / "demo-gov-findings.json").read_text(encoding="utf-8"))
    assert {i["rule"] for i in items} >= {"LK001", "SC001"} and all(i["site"] == "demo-gov" for i in items)


def test_fixed_sheet_lists_only_what_was_fixed_since_previous_report(site, tmp_path):
    with session_scope(site["url"]) as s:
        write_reports(s, settings(), tmp_path, ["demo-gov"], screenshots=False, now=NOW)
    with session_scope(site["url"]) as s:
        write_reports(s, settings(), tmp_path, ["demo-gov"], screenshots=False, now=NOW + timedelta(days=1))
    wb = load_workbook(tmp_path / "demo-gov.xlsx")
    assert wb["已整改"].max_row == 1  # header only: nothing fixed since the first report


def test_missing_chromium_warns_and_writes_report(site, tmp_path):
    cfg = settings()
    cfg.render.executable_path = str(tmp_path / "no-chromium")
    with session_scope(site["url"]) as s:
        written, warnings = write_reports(s, cfg, tmp_path, ["demo-gov"], screenshots=True, now=NOW)
    assert len(set(warnings)) == 1 and "apt-get install -y chromium fonts-noto-cjk" in warnings[0]
    assert (tmp_path / "demo-gov.html").exists() and not (tmp_path / "screenshots").exists()
    assert "data:image/png" not in (tmp_path / "demo-gov.html").read_text(encoding="utf-8")


def test_screenshot_plan_only_own_pages_and_bounded():
    cfg = settings(screenshot_max_pages=2, screenshot_max_shots=3).report
    site = {"url": "http://127.0.0.1:8080/", "aliases": []}
    fs = [{"id": i, "rule": "LK002", "page": f"http://127.0.0.1:8080/p{i}.html", "target": None} for i in range(5)]
    fs += [{"id": 9, "rule": "LK003", "page": "http://other.example/", "target": None},
           {"id": 10, "rule": "MT001", "page": "http://127.0.0.1:8080/p0.html", "target": None}]
    got = plan(fs, site, cfg)
    assert list(got) == ["http://127.0.0.1:8080/p0.html", "http://127.0.0.1:8080/p1.html"]
    assert [f["id"] for items in got.values() for f in items] == [0, 1]
    assert MISSING_CHROMIUM.format(path="x").endswith("apt-get install -y chromium fonts-noto-cjk")


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+86 10", "'+86 10"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=x", "'\t=x"),
    ("正常文本", "正常文本"), (-5, -5), (None, None),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_report_cli(site, tmp_path, monkeypatch):
    from xunjian.cli import app

    monkeypatch.setenv("XUNJIAN_DATABASE_URL", site["url"])
    monkeypatch.delenv("XUNJIAN_CONFIG", raising=False)
    out = tmp_path / "cli-out"
    result = CliRunner().invoke(app, ["report", "--all", "--out", str(out), "--no-screenshots"])
    assert result.exit_code == 0, result.output
    assert (out / "xunjian-report.xlsx").exists() and (out / "demo-gov.html").exists()
    assert CliRunner().invoke(app, ["report", "nope", "--out", str(out)]).exit_code == 5
    assert CliRunner().invoke(app, ["report", "--out", str(out)]).exit_code == 2
