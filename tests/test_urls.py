"""urls.join: the fast path for root-relative links gives what urljoin gives."""

from __future__ import annotations

import itertools
from urllib.parse import urljoin

from xunjian.urls import join

BASES = ["http://www.example.gov.cn/", "http://www.example.gov.cn", "https://example.gov.cn:8443/a/b/c.html",
         "http://127.0.0.1:8000/p/1.html?page=2#top", "http://h.gov.cn?x=1", "http://h.gov.cn#frag",
         "http://user@h.gov.cn/a/", "HTTP://H.gov.cn/x", "ftp://h.gov.cn/a/"]
HREFS = ["/", "/xxgk/index.html", "/a/b?x=1&y=2#f", "/a/../b.html", "/./a.html", "/a/.", "//other.gov.cn/x",
         "/中文/路径.html", "/a b.html", "/a\\b.html", "/?q=1", "/#top", "rel.html", "../up.html", "?q", "#f", "",
         "http://x.gov.cn/", "/a/.hidden/b.html"]


def test_join_equals_urljoin():
    for base, href in itertools.product(BASES, HREFS):
        assert join(base, href) == urljoin(base, href), (base, href)
