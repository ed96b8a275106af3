"""The web console (巡检工作台) in real Chromium, against `xunjian web` (uvicorn) on 127.0.0.1 over a database
that a real scan of the console fixture site filled (tests/fixtures/sites/console, see its PROVENANCE.md).

One module-scoped console (one scan, one server) keeps these few browser tests fast.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from crawl_helpers import register, run_worker, worker_env, write_settings
from xunjian.storage.db import session_scope, upgrade
from xunjian.storage.models import AuditEntry, Finding, Scan

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Chromium not installed")]
SITE = Path(__file__).parent / "fixtures" / "sites" / "console"
PASSWORD = "correct-horse-9"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"xunjian web exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("xunjian web did not start")


@pytest.fixture(scope="module")
def console(tmp_path_factory, request):
    from xunjian.demo.server import SiteServer
    from xunjian.storage.accounts import add_user

    tmp = tmp_path_factory.mktemp("console")
    root = tmp / "site"
    shutil.copytree(SITE, root)
    server = SiteServer(root).start()
    request.addfinalizer(server.stop)
    db_url = f"sqlite:///{tmp / 'web.db'}"
    upgrade(db_url)
    register(db_url, tmp, "county", server.url, site_code="1199000003")
    settings_path = write_settings(tmp)
    with settings_path.open("a", encoding="utf-8") as fh:
        fh.write(f"web:\n  screenshot_dir: {tmp / 'shots'}\n")
    env = worker_env(db_url, settings_path)
    proc = run_worker("county", env)
    assert proc.returncode == 0, proc.stderr
    with session_scope(db_url) as s:
        add_user(s, "insp", "inspector", PASSWORD)
        add_user(s, "view", "viewer", PASSWORD)
    port = _free_port()
    web = subprocess.Popen([sys.executable, "-m", "xunjian.cli", "web", "--host", "127.0.0.1", "--port", str(port)],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"

    def stop() -> None:
        web.terminate()
        try:
            web.wait(15)
        except subprocess.TimeoutExpired:
            web.kill()

    request.addfinalizer(stop)
    _wait_http(base, web)
    return {"base": base, "db": db_url, "root": root, "site_url": server.url}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def login(browser, base: str, user: str):
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    return page


def _finding(db_url: str, rule: str, target_end: str | None = None, last: bool = False) -> Finding:
    with session_scope(db_url) as s:
        rows = s.scalars(select(Finding).where(Finding.rule == rule).order_by(Finding.id)).all()
    matching = [r for r in rows if target_end is None or (r.target or "").endswith(target_end)]
    return matching[-1] if last else matching[0]


def test_walk_overview_site_finding_and_ignore(console, browser):
    base = console["base"]
    page = login(browser, base, "insp")
    assert page.locator("td >> text=不合格").count() + page.locator("td >> text=合格").count() >= 1
    page.click("a.site-link")
    assert page.url.endswith("/sites/county")
    assert "单项否决" in page.content() and "扣分明细" in page.content()
    mt = _finding(console["db"], "MT001")
    page.click(f"#f{mt.id} button.quick-confirm")  # HTMX: the finding is swapped in place, no navigation
    page.wait_for_selector(f"#f{mt.id} span.st-confirmed")
    assert page.url.endswith("/sites/county") and page.locator(f"#f{mt.id} button.quick-confirm").count() == 0
    target = _finding(console["db"], "TX002")
    page.click(f"a.finding-link[href='/findings/{target.id}']")
    assert page.locator("mark.hit").first.inner_text() in ("再接再励", "一股作气")  # offending words marked
    page.fill("form.ignore input[name=reason]", "历史文件原文，按原样保留")
    page.select_option("form.ignore select[name=kind]", "not_applicable")
    page.click("form.ignore button[type=submit]")
    assert page.locator("span.status").first.inner_text() == "已忽略"
    page.click("button[value=screenshot]")  # 截图: Chromium outlines the typo on its page
    page.wait_for_function("(document.querySelector('figure.shot img') || {}).naturalWidth > 300", timeout=10_000)
    page.goto(base + "/findings")  # the open list no longer has it
    assert page.locator(f"a.finding-link[href='/findings/{target.id}']").count() == 0
    page.goto(base + f"/audit?finding={target.id}")
    row = page.locator("tr.audit-row").first.inner_text()
    assert "insp" in row and "忽略" in row and "历史文件原文" in row and "已忽略" in row
    page.context.close()


def test_fixed_findings_rescanned_resolved_or_reopened(console, browser):
    base, db = console["base"], console["db"]
    a, b = _finding(db, "LK001", "/old/a.html"), _finding(db, "LK001", "/old/b.html")
    page = login(browser, base, "insp")
    for f in (a, b):
        page.goto(base + f"/findings/{f.id}")
        page.click("button[value=fix]")
        assert page.locator("span.status").first.inner_text() == "已修复待复查"
    (console["root"] / "old").mkdir()
    (console["root"] / "old" / "a.html").write_text("<html><body>已恢复</body></html>", encoding="utf-8")
    with session_scope(db) as s:
        before = s.scalar(select(Scan.id).order_by(Scan.id.desc()).limit(1))
    page.goto(base + "/sites/county")
    page.click("button.rescan")  # 立即重新扫描: through the scan launcher
    page.wait_for_url(base + "/scans")
    assert page.locator("li.running-scan").count() == 1  # live progress of the running scan
    page.wait_for_selector("#no-running", timeout=90_000)  # HTMX polling swapped it out when the scan ended
    with session_scope(db) as s:
        scan = s.scalars(select(Scan).where(Scan.id > before).order_by(Scan.id.desc())).first()
    assert scan is not None and scan.status == "complete" and scan.trigger == "web", scan
    page.goto(base + f"/findings/{a.id}")
    assert page.locator("span.status").first.inner_text() == "已整改"  # link works now: resolved
    page.goto(base + f"/findings/{b.id}")
    assert page.locator("span.status").first.inner_text() == "待处理"  # still broken: reopened
    assert "再次检查仍发现该问题" in page.content()
    with session_scope(db) as s:
        actors = {e.actor for e in s.scalars(select(AuditEntry).where(AuditEntry.object_id.in_([str(a.id), str(b.id)])))}
    assert f"scan #{scan.id}" in actors and "insp" in actors
    page.context.close()


def test_hostile_page_shown_as_text_nothing_executes(console, browser):
    base = console["base"]
    page = login(browser, base, "view")
    dialogs, errors = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    with session_scope(console["db"]) as s:
        ids = s.scalars(select(Finding.id).where(Finding.page.like("%/news/1.html"))).all()
    shown = []
    for finding_id in ids:
        page.goto(base + f"/findings/{finding_id}")
        shown.append(page.content())
        assert page.evaluate("document.querySelectorAll('script:not([src^=\"/static/\"]), img:not([src$=\"/screenshot.png\"])').length") == 0
    assert any('&lt;script&gt;alert("body"' in html for html in shown)  # the evidence, as text
    assert not any('<script>alert("body"' in html or 'onerror="alert' in html for html in shown)
    page.goto(base + "/sites/county")
    assert page.get_by_text('<script>alert("title")</script>', exact=False).count() >= 1  # the crawled title, as text
    assert page.get_by_text("=HYPERLINK", exact=False).count() >= 1
    page.goto(base + "/findings?family=TX")
    page.wait_for_timeout(300)
    assert dialogs == [] and page.evaluate("document.querySelectorAll('img[src=x]').length") == 0
    assert errors == []  # no CSP violation (nothing inline tried to run), no script error
    page.context.close()


def test_viewer_refused_and_csrf_required(console, browser):
    base, db = console["base"], console["db"]
    f = _finding(db, "MT001", None, last=True)
    page = login(browser, base, "view")
    page.goto(base + f"/findings/{f.id}")
    assert page.locator("button[value=confirm]").count() == 0  # no action buttons for viewers
    status = page.evaluate("""async (id) => {
        const token = document.querySelector('meta[name="csrf-token"]').content;
        const r = await fetch('/api/findings/' + id + '/confirm', {method: 'POST', headers: {'X-CSRF-Token': token}});
        return r.status; }""", f.id)
    assert status == 403
    page.context.close()
    page = login(browser, base, "insp")
    page.goto(base + f"/findings/{f.id}")
    no_token = page.evaluate("""async (id) => (await fetch('/findings/' + id + '/confirm', {method: 'POST',
        headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'reason=x'})).status""", f.id)
    assert no_token == 403
    with_token = page.evaluate("""async (id) => {
        const token = document.querySelector('meta[name="csrf-token"]').content;
        return (await fetch('/api/findings/' + id + '/confirm', {method: 'POST', headers: {'X-CSRF-Token': token}})).status; }""", f.id)
    assert with_token == 200
    with session_scope(db) as s:
        assert s.get(Finding, f.id).status == "confirmed"
    page.context.close()
