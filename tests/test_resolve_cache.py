"""crawler/extract.resolve is cached by what its answer depends on: the same answers as resolving with the whole
page URL, and a menu link repeated on every page is one cache entry, not one per page."""

from __future__ import annotations

import pytest

from xunjian.crawler import extract
from xunjian.crawler.extract import resolve

BASES = ["http://a.example/x/y/z.html?q=1", "https://a.example:8443/", "http://a.example", "http://u@a.example/p/",
         "http://a.example?only=query", "https://a.example/d/#frag"]
RAWS = ["/p/1.html", "/../a", "/a/./b/../c?x=1#f", "http://b.example/z", "HTTPS://B.example", "//c.example/x",
        "/\\evil.example/", "/\t/evil.example", "rel.html", "../up", "?q", "#f", "http:/x", "http://", "https://[::1]/",
        "http://a b/", "javascript:void(0)", "/\n", " /lead", "http:\\\\d.example/"]


@pytest.mark.parametrize("base", BASES)
def test_same_answers_as_with_the_whole_page_url(base):
    for raw in RAWS:
        assert resolve(base, raw) == extract._resolve.__wrapped__(base, raw, frozenset()), raw


def test_a_menu_link_on_every_page_is_one_cache_entry():
    extract._resolve.cache_clear()
    for i in range(200):
        assert resolve(f"http://a.example/p/{i}.html", "/zwgk/") == "http://a.example/zwgk/"
        resolve(f"http://a.example/p/{i}.html", "https://www.gov.cn/")
    info = extract._resolve.cache_info()
    assert (info.currsize, info.hits) == (2, 398)
