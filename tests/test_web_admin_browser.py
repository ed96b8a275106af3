"""管理 in real Chromium: an admin renames a registered site in the form and sees the new name on 总览 and the
change in 审计日志 (the console fixture of tests/test_web_browser.py: one real scan, `xunjian web` on 127.0.0.1)."""

from __future__ import annotations

import pytest

from xunjian.storage.accounts import add_user
from xunjian.storage.db import session_scope
from xunjian.storage.models import Site

from test_web_browser import PASSWORD, browser, console, login  # noqa: F401 - the module's fixtures

pytestmark = [pytest.mark.browser]


def test_admin_renames_site_seen_on_overview_and_in_audit(console, browser):  # noqa: F811
    base = console["base"]
    with session_scope(console["db"]) as s:
        add_user(s, "chief", "admin", PASSWORD)
        old = s.get(Site, "county").name
    page = login(browser, base, "chief")
    page.click("header nav a[href='/admin']")
    page.click("a.site-edit[href='/admin/sites/county']")
    assert page.input_value("#f-name") == old
    page.fill("#f-name", "示例县人民政府门户网站")
    page.fill("#f-max_pages", "0")  # invalid first: refused per field, nothing saved
    page.click("form.site-form button[type=submit]")
    assert "不能小于 1" in page.locator("span.field-error[data-field=max_pages]").inner_text()
    page.fill("#f-max_pages", "")
    page.click("form.site-form button[type=submit]")
    page.wait_for_selector("p.saved")
    page.click("header nav a[href='/']")
    assert page.locator("a.site-link", has_text="示例县人民政府门户网站").count() == 1
    assert page.locator(f"text={old}").count() == 0
    page.click("header nav a[href='/audit']")
    row = page.locator("tr.audit-row").first.inner_text()
    assert "chief" in row and "修改站点" in row and "示例县人民政府门户网站" in row and old in row
    with session_scope(console["db"]) as s:
        assert s.get(Site, "county").name == "示例县人民政府门户网站"
    page.context.close()
