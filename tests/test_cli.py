"""The CLI contract: verbs, exit codes, one-line errors (rules.md)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xunjian.cli import app

runner = CliRunner()
SPEC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"  # the rule catalogue and CLI contract


def test_help_lists_contract_verbs():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for verb in ("sites", "scan", "findings", "demo"):
        assert verb in result.output


def test_every_command_has_help_with_example():
    from typer.main import get_command

    group = get_command(app)
    for name, cmd in group.commands.items():
        assert cmd.help, name
    scan = group.commands["scan"]
    assert "Example:" in scan.help and "--as-of" in [p.opts[0] for p in scan.params if p.opts]


def test_sites_import_and_list(cli_env, tmp_path):
    reg = tmp_path / "sites.yaml"
    reg.write_text("sites:\n  - id: a\n    name: 甲市人民政府\n    url: http://127.0.0.1:1/\n    site_code: '1100000001'\n",
                   encoding="utf-8")
    result = runner.invoke(app, ["sites", "import", str(reg)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["sites", "list", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == ["a"] and rows[0]["site_code"] == "1100000001"


def test_invalid_registry_exits_6_and_writes_nothing(cli_env, tmp_path):
    reg = tmp_path / "sites.csv"
    reg.write_text("id,name,url,kind\nok,好,http://127.0.0.1:1/,portal\nbad,坏,not-a-url,portal\n", encoding="utf-8")
    result = runner.invoke(app, ["sites", "import", str(reg)])
    assert result.exit_code == 6
    assert "第 3 行" in result.output and "url" in result.output
    assert json.loads(runner.invoke(app, ["sites", "list", "--format", "json"]).stdout) == []


def test_scan_unknown_site_exits_5(cli_env):
    result = runner.invoke(app, ["scan", "nope"])
    assert result.exit_code == 5
    assert "未登记" in result.output and "Traceback" not in result.output


def test_scan_bad_as_of_is_usage_error(cli_env):
    result = runner.invoke(app, ["scan", "x", "--as-of", "2026-13-45"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_bad_config_names_the_key(cli_env, tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("crawl:\n  max_pagez: 10\n", encoding="utf-8")
    result = runner.invoke(app, ["--config", str(cfg), "sites", "list"])
    assert result.exit_code == 3
    assert "crawl.max_pagez" in result.output and "Traceback" not in result.output
    cfg.write_text("crawl:\n  timeout: soon\n", encoding="utf-8")
    result = runner.invoke(app, ["--config", str(cfg), "sites", "list"])
    assert result.exit_code == 3 and "crawl.timeout" in result.output


def test_unreachable_database_exits_4(monkeypatch):
    monkeypatch.setenv("XUNJIAN_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/none")
    result = runner.invoke(app, ["sites", "list"])
    assert result.exit_code == 4
    assert "无法连接数据库" in result.output and "Traceback" not in result.output


@pytest.mark.rule_case("LK001", "LK002", "LK003", "LK004", fires=True)
def test_demo_prints_lk_findings(tmp_path):
    """`xunjian demo` on a fresh database: serves the sample site, scans it, prints findings with LK codes."""
    env = {"XUNJIAN_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "xunjian.cli", "demo"], env=env, capture_output=True, text=True,
                          timeout=180, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert re.search(r"LK00[1-4]", out)
    assert "完成" in proc.stderr
    for code in ("LK001", "LK002", "LK003", "LK004"):
        assert code in out, code


def test_rule_registry_matches_spec():
    from xunjian.checks.codes import RULES

    rows = re.findall(r"^\| ([A-Z]{2}\d{3}) \| ([a-z0-9-]+) \| (.+?) \| .+? \| (veto|deduct|warn|info)[^|]*\| (implemented|planned) \|",
                      SPEC.read_text("utf-8"), re.M)
    spec = {code: (name, zh, sev, status) for code, name, zh, sev, status in rows}
    ours = {code: (r.name, r.zh, r.severity, r.status) for code, r in RULES.items()}
    assert len(spec) >= 41 and ours == spec


def test_scan_all_scans_every_site(tmp_path):
    """`xunjian scan --all` runs one worker per registered site and exits 0 when all completed."""
    import yaml

    from xunjian.demo.server import SiteServer, send

    broken = b"<html><body><a href='/missing'>x</a></body></html>"
    with SiteServer(routes={"/": lambda h: send(h, 200, broken)}) as one, \
            SiteServer(routes={"/": lambda h: send(h, 200, b"<html><body>ok</body></html>")}) as two:
        reg = tmp_path / "sites.yaml"
        reg.write_text(yaml.safe_dump({"sites": [{"id": "one", "name": "一", "url": one.url, "render": "never"},
                                                 {"id": "two", "name": "二", "url": two.url, "render": "never"}]},
                                      allow_unicode=True), encoding="utf-8")
        env = {"XUNJIAN_DATABASE_URL": f"sqlite:///{tmp_path / 'all.db'}", "XUNJIAN_ALLOW_NETWORKS": "127.0.0.0/8",
               "XUNJIAN_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
        assert subprocess.run([sys.executable, "-m", "xunjian.cli", "sites", "import", str(reg)], env=env).returncode == 0
        proc = subprocess.run([sys.executable, "-m", "xunjian.cli", "scan", "--all", "--as-of", "2026-11-22"], env=env,
                              capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert "one=完成" in proc.stdout and "two=完成" in proc.stdout
    assert "LK001" in proc.stdout  # one's broken homepage link is in its summary
