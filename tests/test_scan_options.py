"""The options a scan hands its checks (scanning.start_scan): TX005's first-scan window and its override,
the site's page budget, the language-model settings."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from crawl_helpers import register
from xunjian.config import load_settings
from xunjian.scanning import finish, start_scan
from xunjian.storage.db import session_scope
from xunjian.storage.models import Scan


def test_first_scan_window_and_its_override(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.delenv("XUNJIAN_TX005_ALL_PAGES", raising=False)
    settings = load_settings(env={"XUNJIAN_DATABASE_URL": sqlite_url})
    register(sqlite_url, tmp_path, "opt", "http://127.0.0.1:9/", max_pages=1234)

    first = start_scan(settings, "opt", date(2026, 11, 22), "cli")
    options = first.ctx.options
    assert options.first_scan and not options.tx005_all_pages
    assert options.max_pages == 1234 and options.text_lm == settings.text_lm
    with session_scope(sqlite_url) as s:  # the first scan completed
        s.execute(update(Scan).where(Scan.id == first.scan_id).values(status="complete"))
    finish(first)

    monkeypatch.setenv("XUNJIAN_TX005_ALL_PAGES", "1")  # what `xunjian scan --all-articles` sets for its worker
    second = start_scan(settings, "opt", date(2026, 11, 23), "cli")
    assert not second.ctx.options.first_scan and second.ctx.options.tx005_all_pages
    finish(second)
