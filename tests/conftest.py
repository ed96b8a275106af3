"""Shared fixtures: databases (SQLite and PostgreSQL), local sites on 127.0.0.1, a fixed as_of, and the one
rule-fixture harness (marker grammar below) that every check family uses."""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from xunjian.checks.base import CheckContext
from xunjian.demo.server import SiteServer

FIXTURES = Path(__file__).parent / "fixtures"
REAL_PAGES = FIXTURES / "real"  # real government pages, see the PROVENANCE.md in each folder
AS_OF = date(2026, 11, 22)
REAL_PAGES = FIXTURES / "real"


def real_page(name: str) -> Path:
    """A real government page of ``tests/fixtures/real/govpages_*/`` by its file name (each name is unique)."""
    [path] = REAL_PAGES.glob(f"govpages_*/{name}")
    return path
PG_ADMIN_URL = os.environ.get("XUNJIAN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except Exception as exc:  # any failure means: skip PostgreSQL tests with the reason
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"


@pytest.fixture(scope="session")
def pg_database():
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    reason = _pg_available()
    if reason:
        pytest.skip(reason)
    import psycopg

    name = f"xj_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    from xunjian.storage.db import upgrade

    upgrade(url)
    yield "postgresql+psycopg://" + url.split("://", 1)[1]
    from xunjian.storage.db import get_engine

    get_engine.cache_clear()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _truncate(url: str) -> None:
    from sqlalchemy import text

    from xunjian.storage.db import get_engine
    from xunjian.storage.models import Base

    with get_engine(url).begin() as conn:
        names = ", ".join(t.name for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """A migrated, empty database: SQLite file and PostgreSQL, each test run against both."""
    if request.param == "sqlite":
        from xunjian.storage.db import upgrade

        url = f"sqlite:///{tmp_path / 'xunjian.db'}"
        upgrade(url)
        return url
    url = request.getfixturevalue("pg_database")
    _truncate(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path):
    from xunjian.storage.db import upgrade

    url = f"sqlite:///{tmp_path / 'xunjian.db'}"
    upgrade(url)
    return url


@pytest.fixture
def site_server():
    """Factory: ``site_server(root=..., routes=...)`` starts a local site; all are stopped at the end."""
    servers: list[SiteServer] = []

    def start(root=None, routes=None) -> SiteServer:
        server = SiteServer(root, routes).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def as_of() -> date:
    return AS_OF


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    """Environment for running the CLI against a temporary SQLite database with loopback allowed."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("XUNJIAN_DATABASE_URL", url)
    monkeypatch.setenv("XUNJIAN_ALLOW_NETWORKS", "127.0.0.0/8")
    monkeypatch.delenv("XUNJIAN_CONFIG", raising=False)
    return {"XUNJIAN_DATABASE_URL": url, "XUNJIAN_ALLOW_NETWORKS": "127.0.0.0/8"}


# --- rule fixtures: one harness, one marker grammar for every family ---------------------------------
#
# A page fixture is ``tests/fixtures/checks/<CODE>[_<suffix>].html`` and tests rule CODE. Markers (HTML comments):
#
#   <!-- case: NAME key=value ... -->   starts a case (one page); a file without case markers is one case.
#                                       key=value options are given to the family runner (url, page_type, site_code).
#   <!-- expect: CODE [word ...] -->    must fire: one finding of CODE whose message, evidence, target or key
#                                       contains every word. Each marker consumes one finding.
#   <!-- ok: why -->                    must stay silent: the marked content is there to fire nothing.
#
# Within a case, every expect marker must be met and no other finding in the family runner's scope may fire
# (FT and MT: the whole family; TX and SC: the fixture's code, so an SC001 page may also carry SC002 spam).
# A case with no expect marker of its code is a must-stay-silent case.
#
# Rules that cannot be shown on one page (site checks, probes) register their tests instead:
# ``@pytest.mark.rule_case("UP002", fires=True, silent=True)`` on a test that proves the code fires (and/or stays
# silent). tests/test_catalogue.py reads these markers and asks every implemented code for both kinds of case.

RULE_FIXTURES = FIXTURES / "checks"
CASE_MARK = re.compile(r"<!--\s*case:\s*(?P<name>[\w-]+)(?P<opts>[^>]*?)-->")
EXPECT_MARK = re.compile(r"<!--\s*expect:\s*(?P<code>[A-Z]{2}\d{3})(?P<words>[^>]*?)-->")
OK_MARK = re.compile(r"<!--\s*ok:", re.I)


@dataclass
class RuleCase:
    """One page of a rule fixture file and what must (not) fire on it."""

    code: str
    file: str
    name: str
    html: str
    opts: dict[str, str] = field(default_factory=dict)
    expects: list[tuple[str, list[str]]] = field(default_factory=list)
    has_ok: bool = False

    @property
    def id(self) -> str:
        return f"{self.file}-{self.name}" if self.name != self.file else self.file

    @property
    def fires(self) -> bool:
        return any(code == self.code for code, _ in self.expects)

    @property
    def silent(self) -> bool:
        return not self.fires or self.has_ok


def _case(code: str, file: str, name: str, body: str, opts: str = "") -> RuleCase:
    return RuleCase(code=code, file=file, name=name, html=body,
                    opts=dict(item.split("=", 1) for item in opts.split() if "=" in item),
                    expects=[(m.group("code"), m.group("words").split()) for m in EXPECT_MARK.finditer(body)],
                    has_ok=bool(OK_MARK.search(body)))


def load_rule_cases(pattern: str = "*.html") -> list[RuleCase]:
    """Every case of the fixture files matching ``pattern`` (``FT*.html``...), in file order."""
    cases = []
    for path in sorted(RULE_FIXTURES.glob(pattern)):
        text = path.read_text(encoding="utf-8")
        code = path.stem.split("_", 1)[0]
        heads = list(CASE_MARK.finditer(text))
        if not heads:
            cases.append(_case(code, path.stem, path.stem, text))
        for i, head in enumerate(heads):
            body = text[head.end(): heads[i + 1].start() if i + 1 < len(heads) else len(text)]
            cases.append(_case(code, path.stem, head.group("name"), body, head.group("opts")))
    return cases


def _haystack(f) -> str:  # noqa: ANN001
    return " ".join([f.message, json.dumps(f.evidence, ensure_ascii=False, default=str), f.target or "", f.key or ""])


def match_expectations(found: list, expects: list[tuple[str, list[str]]], in_scope) -> None:  # noqa: ANN001
    """Every expectation is met by its own finding (code + words); nothing else in scope fired.

    ``in_scope`` is a family prefix ("FT") or a predicate on a finding. The most specific expectations
    (most, then longest words) are matched first so that "expect X" cannot take the finding of "expect XY".
    """
    scoped = (lambda f: f.rule.startswith(in_scope)) if isinstance(in_scope, str) else in_scope
    left = [f for f in found if scoped(f)]
    for code, words in sorted(expects, key=lambda e: (-len(e[1]), -sum(map(len, e[1])))):
        hit = next((f for f in left if f.rule == code and all(w in _haystack(f) for w in words)), None)
        assert hit is not None, f"expected {code} {words}; got {[(f.rule, f.message) for f in left]}"
        left.remove(hit)
    assert not left, f"unexpected findings: {[(f.rule, f.message) for f in left]}"


def _run_footer(case: RuleCase) -> list:
    from xunjian.checks.footer import check_footer, extract_footer
    from xunjian.records import PageRecord, PageSummary, ScanView, SiteInfo

    code = case.opts.get("site_code", "3609000002")
    site = SiteInfo(id="demo", name="示例市人民政府", url="http://www.example.gov.cn/",
                    site_code=None if code == "none" else code)
    ctx = CheckContext(site=site, as_of=AS_OF)
    url = case.opts.get("url", site.url)
    rec = PageRecord(url=url, final_url=url, status=200, content_type="text/html", html=case.html,
                     page_type="homepage")
    page = PageSummary(rec.url, rec.final_url, rec.status, rec.page_type, 0, facts=extract_footer(rec, ctx))
    json.dumps(page.facts)  # facts are stored as JSON
    return list(check_footer(ScanView(site=site, pages=[page]), ctx))


def _run_labels(case: RuleCase) -> list:
    from xunjian.checks.labels import missing_page_labels, page_label_mismatch
    from xunjian.records import PageRecord, SiteInfo

    site = SiteInfo(id="demo", name="示例", url="http://www.example.gov.cn/", site_code="3609000002")
    ctx = CheckContext(site=site, as_of=AS_OF)
    rec = PageRecord(url=case.opts["url"], final_url=case.opts["url"], status=200, content_type="text/html",
                     html=case.html, page_type=case.opts["page_type"])
    return [*missing_page_labels(rec, ctx), *page_label_mismatch(rec, ctx)]


def _run_page_text(case: RuleCase) -> list:
    from xunjian.checks.security import foreign_script_findings, hidden_link_findings, illicit_findings
    from xunjian.checks.text import text_findings
    from xunjian.records import PageRecord, SiteInfo

    ctx = CheckContext(SiteInfo("demo", "示例市人民政府", "http://127.0.0.1:8000/"), AS_OF)
    url = case.opts.get("url", "http://127.0.0.1:8000/a.html")
    page = PageRecord(url=url, final_url=url, status=200, html=case.html, content_type="text/html")
    if "page_type" in case.opts:  # a typed page gets the facts the crawl's check process gives it (its date...)
        from xunjian import checks

        page.page_type = case.opts["page_type"]
        for extractor in checks.extractors():
            page.facts.update(extractor(page, ctx) or {})
    return [*text_findings(page, ctx), *hidden_link_findings(page, ctx), *illicit_findings(page, ctx),
            *foreign_script_findings(page, ctx)]


#: family prefix -> (runner, scope: "family" or "code")
FAMILY_RUNNERS = {"FT": (_run_footer, "family"), "MT": (_run_labels, "family"),
                  "TX": (_run_page_text, "code"), "SC": (_run_page_text, "code")}


def run_rule_case(case: RuleCase) -> None:
    """Run ``case`` through its family's runner and check its markers."""
    runner, scope = FAMILY_RUNNERS[case.code[:2]]
    found = runner(case)
    match_expectations(found, case.expects, case.code[:2] if scope == "family" else (lambda f: f.rule == case.code))


def rule_case_marks(test_dir: Path = Path(__file__).parent) -> list[dict]:
    """Every ``@pytest.mark.rule_case(CODE..., fires=..., silent=...)`` in the test files (read statically,
    so the catalogue test sees all of them whichever tests run): code, fires, silent, test id, source."""
    import ast

    marks = []
    for path in sorted(test_dir.glob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for dec in node.decorator_list:
                if not (isinstance(dec, ast.Call) and ast.unparse(dec.func) == "pytest.mark.rule_case"):
                    continue
                kw = {k.arg: ast.literal_eval(k.value) for k in dec.keywords}
                for arg in dec.args:
                    marks.append({"code": ast.literal_eval(arg), "fires": bool(kw.get("fires")),
                                  "silent": bool(kw.get("silent")), "test": f"{path.name}::{node.name}",
                                  "source": "\n".join(lines[dec.lineno - 1: node.end_lineno])})
    return marks


def pytest_configure(config):  # noqa: ANN001, ANN201
    config.addinivalue_line("markers", "rule_case(*codes, fires=False, silent=False): the test proves that the "
                            "rule codes fire (fires=True) and/or stay silent (silent=True); see tests/test_catalogue.py")
