"""``xunjian bulletin``: the fixture sites' bulletin opens with python-docx, has the sections and tables of a real
通报, the official page layout, and the same verdicts and scores as ``xunjian score --all``; a PDF with LibreOffice."""

from __future__ import annotations

import json
import shutil

import pytest
from docx import Document
from docx.oxml.ns import qn
from typer.testing import CliRunner

from crawl_helpers import register, run_worker, worker_env, write_settings
from test_interaction_e2e import EXPECTED, ROUTES, SITES
from xunjian.cli import app

NAMES = {"trs": ("测试市人民政府", "portal"), "hanweb": ("测试县人民政府", "portal"), "plain": ("测试市统计局", "department")}
CATEGORIES = ["站点无法访问", "首页不更新", "栏目不更新", "空白栏目", "严重表述错误", "错别字", "链接不可用",
              "互动回应差", "办事指南", "网站标识"]


def scan_all(db_url, tmp_path, site_server, monkeypatch):
    for sid, (name, kind) in NAMES.items():
        root = SITES / sid
        server = site_server(root=root, routes=ROUTES[sid](root))
        register(db_url, tmp_path, sid, server.url, name=name, kind=kind)
        proc = run_worker(sid, worker_env(db_url, write_settings(tmp_path)), as_of=str(EXPECTED["as_of"]))
        assert proc.returncode == 0, proc.stderr
    monkeypatch.setenv("XUNJIAN_DATABASE_URL", db_url)
    monkeypatch.delenv("XUNJIAN_CONFIG", raising=False)
    return db_url


@pytest.fixture
def scanned(db_url, tmp_path, site_server, monkeypatch):
    return scan_all(db_url, tmp_path, site_server, monkeypatch)


@pytest.fixture
def scanned_sqlite(sqlite_url, tmp_path, site_server, monkeypatch):
    return scan_all(sqlite_url, tmp_path, site_server, monkeypatch)


def _cells(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_bulletin_sections_tables_layout_and_scores_equal_score_all(scanned, tmp_path):
    runner = CliRunner()
    out = tmp_path / "通报.docx"
    result = runner.invoke(app, ["bulletin", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(out), "--no-pdf"])
    assert result.exit_code == 0, result.output
    scores = {r["site"]: r for r in json.loads(runner.invoke(app, ["score", "--all", "--format", "json"]).stdout)}
    doc = Document(str(out))
    text = [p.text for p in doc.paragraphs]
    assert text[0] == "关于2026年11月政府网站检查情况的通报"
    for heading in ("一、总体情况", "二、存在问题", "三、下一步工作要求", "附件1", "不合格网站名单", "附件2", "得分情况"):
        assert heading in text, heading
    assert [next(t for t in text if t.startswith(f"（{n}）{c}")) for n, c in zip("一二三四五六七八九十", CATEGORIES)]

    passed = sorted(sid for sid, r in scores.items() if r["verdict"] == "pass")
    overview = _cells(doc.tables[0])
    assert overview[0] == ["网站类型", "检查数", "合格数", "合格率"]
    assert overview[-1][:3] == ["合计", str(len(scores)), str(len(passed))]
    assert overview[1][:3] == ["门户网站", "2", str(sum(scores[s]["verdict"] == "pass" for s in ("trs", "hanweb")))]
    interaction = next(t for t in text if t.startswith("（八）互动回应差"))
    assert "测试市人民政府（2处）" in interaction and "测试县人民政府（3处）" in interaction  # IN001 ×2 (+ IN002)
    assert "测试市统计局（1处）" in interaction  # IN002: no channel
    guides = next(t for t in text if t.startswith("（九）办事指南"))
    assert "共 2 个网站" in guides

    failed = _cells(doc.tables[1])[1:]
    assert sorted(r[1] for r in failed) == sorted(NAMES[s][0] for s, r in scores.items() if r["verdict"] != "pass")
    assert all(row[5] == "V5" for row in failed)  # 互动回应差 veto from IN001
    full = {row[1]: row for row in _cells(doc.tables[3])[1:]}
    for sid, r in scores.items():
        row = full[NAMES[sid][0]]
        assert (row[3], row[4], row[5]) == (f"{r['score']:.2f}", r["band"], "合格" if r["verdict"] == "pass" else "不合格")
    bands = {row[0]: int(row[1]) for row in _cells(doc.tables[2])[1:]}
    assert sum(bands.values()) == len(scores) and bands[scores["plain"]["band"]] >= 1

    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)] == [37, 35, 28, 26]
    body = doc.paragraphs[3].runs[0]
    assert body.font.size.pt == 16 and body._element.rPr.rFonts.get(qn("w:eastAsia"))
    _only_named_sites_and_empty_period(runner, tmp_path)


def _only_named_sites_and_empty_period(runner, tmp_path):
    out = tmp_path / "b.docx"
    result = runner.invoke(app, ["bulletin", "--from", "2026-11-01", "--to", "2026-11-30", "--sites", "plain",
                                 "--out", str(out), "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert _cells(Document(str(out)).tables[0])[-1][:3] == ["合计", "1", "1"]
    empty = runner.invoke(app, ["bulletin", "--from", "2025-01-01", "--to", "2025-01-31", "--out", str(out)])
    assert empty.exit_code == 5 and "没有完成检查的站点" in empty.output
    unknown = runner.invoke(app, ["bulletin", "--from", "2026-11-01", "--to", "2026-11-30", "--sites", "nope"])
    assert unknown.exit_code == 5 and "nope" in unknown.output


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed (apt-get install -y libreoffice-writer-nogui)")
def test_bulletin_pdf_beside_the_docx(scanned_sqlite, tmp_path):
    out = tmp_path / "通报.docx"
    result = CliRunner().invoke(app, ["bulletin", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(out)])
    assert result.exit_code == 0, result.output
    pdf = out.with_suffix(".pdf")
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_missing_libreoffice_is_one_clear_warning(tmp_path, monkeypatch):
    from xunjian.reports import bulletin_docx

    monkeypatch.setattr(bulletin_docx.shutil, "which", lambda name: None)
    path, problem = bulletin_docx.convert_pdf(tmp_path / "x.docx")
    assert path is None and "未安装 LibreOffice" in problem and "apt-get install" in problem
