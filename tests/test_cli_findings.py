"""The findings, score and history verbs through the CLI (CliRunner on a temporary SQLite database)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from xunjian.checks import finding
from xunjian.cli import app
from xunjian.scoring import record_score
from xunjian.storage.db import session_scope, upgrade
from xunjian.storage.findings import merge_findings, resolve_unseen
from xunjian.storage.models import Scan, Site

HOME = "http://127.0.0.1:9/"
HOSTILE = "[red]<script>alert(1)</script>"


@pytest.fixture
def db(cli_env):
    url = cli_env["XUNJIAN_DATABASE_URL"]
    upgrade(url)
    with session_scope(url) as s:
        s.add(Site(id="demo-gov", name="示例市人民政府", url=HOME))
        s.add(Site(id="clean-gov", name="示例县人民政府", url="http://127.0.0.1:10/", kind="department"))
        s.flush()
        for status, found in (("complete", 7), ("interrupted", 2), ("complete", 5)):
            scan = Scan(site_id="demo-gov", status=status, as_of=date(2026, 11, 22))
            s.add(scan)
            s.flush()
            items = [finding("UP002", f"栏目 {i} 超过两周未更新", page=HOME, target=f"{HOME}col{i}/") for i in range(found)]
            items.append(finding("LK001", HOSTILE, page=HOME, target=HOME + "x.pdf"))
            merge_findings(s, "demo-gov", items, scan.id)
            resolve_unseen(s, "demo-gov", scan)
            if status == "complete":
                record_score(s, "demo-gov", scan.id)
    return url


def run(*args):
    return CliRunner().invoke(app, list(args))


def test_findings_json_is_the_contract_array(db):
    result = run("findings", "demo-gov", "--format", "json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)  # stdout holds the JSON array and nothing else
    assert sorted(i["rule"] for i in items) == ["LK001"] + ["UP002"] * 5
    keys = {"rule", "severity", "site", "page", "target", "message", "evidence", "first_seen", "last_seen", "status"}
    assert all(keys <= set(i) and i["status"] == "open" and i["first_seen"].endswith("Z") for i in items)


def test_findings_status_filter(db):
    resolved = json.loads(run("findings", "demo-gov", "-f", "json", "--status", "resolved").stdout)
    assert sorted(i["target"] for i in resolved) == [f"{HOME}col5/", f"{HOME}col6/"]
    assert run("findings", "demo-gov", "--status", "bogus").exit_code == 2


def test_findings_table_does_not_interpret_markup(db):
    result = run("findings", "demo-gov")
    assert result.exit_code == 0
    assert "[red]<scr" in result.stdout and "首页不可用" in result.stdout


def test_unknown_site_exits_5_with_one_line(db):
    result = run("findings", "nope", "--format", "json")
    assert result.exit_code == 5
    assert result.stdout == "" and "未登记" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_ignore_keeps_finding_ignored(db):
    items = json.loads(run("findings", "demo-gov", "-f", "json").stdout)
    lk = next(i for i in items if i["rule"] == "LK001")
    result = run("findings", "ignore", str(lk["id"]), "--reason", "附件已按规定撤下")
    assert result.exit_code == 0, result.output
    open_ = json.loads(run("findings", "demo-gov", "-f", "json").stdout)
    assert lk["id"] not in [i["id"] for i in open_]
    ignored = json.loads(run("findings", "demo-gov", "-f", "json", "--status", "ignored").stdout)
    assert [i["id"] for i in ignored] == [lk["id"]]
    with session_scope(db) as s:  # the next scan sees it again: still ignored
        scan = Scan(site_id="demo-gov", status="complete", as_of=date(2026, 11, 23))
        s.add(scan)
        s.flush()
        merge_findings(s, "demo-gov", [finding("LK001", "again", page=HOME, target=HOME + "x.pdf")], scan.id)
        resolve_unseen(s, "demo-gov", scan)
    assert json.loads(run("findings", "demo-gov", "-f", "json", "-s", "ignored").stdout)[0]["id"] == lk["id"]
    assert run("findings", "ignore", "99999", "--reason", "x").exit_code == 5
    assert run("findings", "ignore", str(lk["id"])).exit_code == 2  # --reason is required


def test_ignore_phrase(db):
    from xunjian.storage.findings import ignored_phrases

    result = run("findings", "ignore-phrase", "demo-gov", "国土资源局", "--reason", "历史文件原文", "--rule", "TX004")
    assert result.exit_code == 0, result.output
    with session_scope(db) as s:
        assert ignored_phrases(s, "demo-gov") == ["国土资源局"]
    assert run("findings", "ignore-phrase", "nope", "x", "--reason", "y").exit_code == 5


def test_history_lists_score_per_scan(db):
    result = run("findings", "history", "demo-gov", "--format", "json")
    assert result.exit_code == 0, result.output
    history = json.loads(result.stdout)
    assert [h["verdict"] for h in history] == ["fail", "fail"]
    assert [h["veto"] for h in history] == [["V4a"], ["V4a"]]
    assert all(h["scan_status"] == "complete" for h in history)
    assert run("findings", "history", "demo-gov").exit_code == 0


def test_score_json_and_ranking(db):
    result = run("score", "demo-gov", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"site", "verdict", "score", "veto", "deductions", "bonus"} <= set(data)
    assert data["verdict"] == "fail" and data["veto"][0]["id"] == "V4a" and len(data["veto"][0]["findings"]) == 5
    ranking = json.loads(run("score", "--all", "-f", "json").stdout)
    assert [r["site"] for r in ranking] == ["clean-gov", "demo-gov"]
    assert ranking[0]["verdict"] == "pass" and ranking[0]["score"] == 100
    table = run("score", "--all")
    assert table.exit_code == 0 and "clean-gov" in table.stdout and "不合格" in table.stdout
    assert run("score", "demo-gov").exit_code == 0
    assert run("score", "nope").exit_code == 5
    assert run("score").exit_code == 2


def test_findings_help_lists_subcommands(db):
    result = run("findings", "--help")
    assert result.exit_code == 0
    for name in ("ignore", "ignore-phrase", "history"):
        assert name in result.stdout
