"""The one rule catalogue (checks/codes.py) against the code, the tests and docs/rules.md.

Fails when:
- an implemented code lacks a must-fire or a must-stay-silent case (a page fixture in tests/fixtures/checks/
  with the conftest.py marker grammar, or a test marked ``@pytest.mark.rule_case``);
- a code emitted anywhere in the program (string literals in the source, rule data in YAML) is not in the catalogue;
- docs/rules.md's table and the catalogue disagree (code, name, 中文, severity, status);
- an implemented code's emitter does not import as a callable, or a planned code claims one.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import load_rule_cases, rule_case_marks

from xunjian.checks.codes import INDICATORS, PROBE_RULES, RULES, catalogue

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r"^[A-Z]{2}\d{3}$")
CODE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{3}(?![0-9])")
IMPLEMENTED = sorted(c for c, r in RULES.items() if r.status == "implemented")
#: Program source: everything installed as the package, not tests or benchmarks.
NOT_PROGRAM = ("tests/", "benchmarks/", "scripts/", ".venv/", "build/")


def program_files(suffixes: tuple[str, ...]) -> list[Path]:
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [ROOT / n for n in names.decode("utf-8").split("\0")
            if n.endswith(suffixes) and not n.startswith(NOT_PROGRAM) and (ROOT / n).is_file()]


def emitted_codes() -> dict[str, set[str]]:
    """Codes the program can emit -> where they are written.

    Codes reach findings as string literals (``finding("UP005", ...)``, ``FOOTER_RULES``, ``rule_for`` in
    links.py, ``Entry("TX002", ...)`` in the word lists) or as rule data (``rule: UP003`` in rules/columns.yaml,
    the indicator profile's ``rules:``). Python is read with ``ast`` (every string constant that is exactly a
    code); YAML by a code-shaped token anywhere in its text.
    """
    where: dict[str, set[str]] = {}
    for path in program_files((".py",)):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.match(node.value):
                where.setdefault(node.value, set()).add(str(path.relative_to(ROOT)))
    for path in program_files((".yaml", ".yml")):
        for token in CODE_IN_TEXT.findall(path.read_text(encoding="utf-8")):
            where.setdefault(token, set()).add(str(path.relative_to(ROOT)))
    return where


def cases_by_code() -> dict[str, dict[str, list[str]]]:
    """code -> {"fires": [...], "silent": [...]} from the page fixtures and the rule_case markers."""
    out: dict[str, dict[str, list[str]]] = {}
    for case in load_rule_cases():
        entry = out.setdefault(case.code, {"fires": [], "silent": []})
        if case.fires:
            entry["fires"].append(f"fixture {case.id}")
        if case.silent:
            entry["silent"].append(f"fixture {case.id}")
    for mark in rule_case_marks():
        entry = out.setdefault(mark["code"], {"fires": [], "silent": []})
        for kind in ("fires", "silent"):
            if mark[kind]:
                entry[kind].append(mark["test"])
    return out


# --- (a) every implemented code has a must-fire and a must-stay-silent case -------------------------------------


@pytest.mark.parametrize("code", IMPLEMENTED)
def test_implemented_code_has_firing_and_silent_cases(code):
    cases = cases_by_code().get(code, {"fires": [], "silent": []})
    assert cases["fires"], f"{code}: no must-fire fixture or @pytest.mark.rule_case({code!r}, fires=True) test"
    assert cases["silent"], f"{code}: no must-stay-silent fixture or @pytest.mark.rule_case({code!r}, silent=True) test"


def test_rule_case_markers_name_catalogued_codes_and_mean_it():
    marks = rule_case_marks()
    assert len(marks) >= 30
    for mark in marks:
        rule = RULES.get(mark["code"])
        assert rule is not None, f"{mark['test']}: unknown code {mark['code']}"
        assert mark["fires"] or mark["silent"], f"{mark['test']}: rule_case needs fires=True and/or silent=True"
        function = (rule.emitter or "").rpartition(":")[2]
        assert mark["code"] in mark["source"] or (function and function in mark["source"]), (
            f"{mark['test']} is marked for {mark['code']} but neither names it nor calls {function}")


def test_fixture_files_are_named_by_catalogued_codes():
    for case in load_rule_cases():
        assert case.code in RULES, case.id
        assert {code for code, _ in case.expects} <= set(RULES), case.id


# --- (b) every emitted code is catalogued -------------------------------------------------------------------------


def test_every_emitted_code_is_in_the_catalogue():
    where = emitted_codes()
    assert {"UP003", "FT001", "LK005", "TX002", "AV001"} <= set(where)  # the scan sees the ways codes are written
    missing = {code: sorted(files) for code, files in where.items() if code not in RULES}
    assert not missing, f"codes emitted but not catalogued: {missing}"


def test_no_implemented_code_is_unwritten():
    """An implemented code appears in the program besides the catalogue (else nothing can emit it)."""
    where = emitted_codes()
    unwritten = [c for c in IMPLEMENTED if not (where.get(c, set()) - {"checks/codes.py"})]
    assert not unwritten, f"implemented but written nowhere outside checks/codes.py: {unwritten}"


def test_emitted_code_scan_finds_a_planted_code(tmp_path):
    tree = ast.parse('finding("ZZ999", "x")\nOTHER = "not a code"\nRULE = {"AB12": 1}')
    found = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
             and CODE.match(n.value)}
    assert found == {"ZZ999"}
    assert CODE_IN_TEXT.findall("rule: UP003  # GB2312 and ABC1234 are not codes") == ["UP003"]


# --- (c) docs/rules.md and the catalogue agree ------------------------------------------------------------------


def doc_table() -> dict[str, tuple[str, str, str, str]]:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 7 and CODE.match(cells[0]):
            rows[cells[0]] = (cells[1], cells[2], cells[4].split()[0], cells[5])
    return rows


def test_docs_rules_table_equals_the_catalogue():
    docs = doc_table()
    ours = {c: (r.name, r.zh, r.severity, r.status) for c, r in RULES.items()}
    assert set(docs) == set(ours), f"only in docs: {set(docs) - set(ours)}; only in codes.py: {set(ours) - set(docs)}"
    diff = {c: (docs[c], ours[c]) for c in ours if docs[c] != ours[c]}
    assert not diff, f"docs/rules.md vs checks/codes.py: {diff}"


def test_indicator_ids_are_documented():
    text = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    for code, r in RULES.items():
        assert r.indicator in INDICATORS, code
    for ident, zh in INDICATORS.items():
        assert f"| {ident} | {zh} |" in text, f"docs/indicators.md §0 lacks {ident}"


# --- (d) emitters resolve ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(RULES))
def test_emitter_resolves_to_a_callable(code):
    r = RULES[code]
    assert r.status in ("implemented", "planned") and r.module.startswith("xunjian.")
    if r.status == "planned":
        assert r.emitter is None, f"{code} is planned but names an emitter"
        return
    module, _, function = (r.emitter or "").partition(":")
    assert module == r.module and function, f"{code}: emitter {r.emitter!r} not in module {r.module}"
    assert callable(getattr(importlib.import_module(module), function, None)), f"{code}: {r.emitter} is not callable"


def test_probe_rules_are_catalogued():
    assert PROBE_RULES <= set(RULES)


# --- the command --------------------------------------------------------------------------------------------------


def test_rules_json_lists_every_code_with_emitter_and_status():
    proc = subprocess.run([sys.executable, "-m", "xunjian.cli", "rules", "--format", "json"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["code"] for r in rows] == list(RULES) and len(rows) >= 41
    for r in rows:
        assert {"code", "name", "zh", "severity", "status", "emitter", "indicator", "module"} <= set(r)
        assert (r["emitter"] is None) == (r["status"] == "planned")
    assert {r["code"] for r in rows if r["status"] == "planned"} >= {"IN001", "IN002", "SV001", "FN002", "TX005"} - {
        c for c in IMPLEMENTED}
    assert rows == catalogue()


def test_rules_table_has_chinese_headers():
    from typer.testing import CliRunner

    from xunjian.cli import app

    result = CliRunner().invoke(app, ["rules"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "编码" in result.output and "中文名" in result.output and "状态" in result.output
    assert "UP005" in result.output and "空白栏目" in result.output and f"共 {len(RULES)} 条规则" in result.output
