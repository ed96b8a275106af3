"""Crawler pieces as plain functions: URL normalisation, link extraction, verdicts, trap limits."""

from __future__ import annotations

import pytest

from xunjian.crawler.extract import extract_links
from xunjian.crawler.verdict import is_challenge, judge_response, redirected_to_homepage
from xunjian.records import PageRecord, SiteInfo, site_key
from xunjian.urls import classify_href, fingerprint_url, normalize

SITE = SiteInfo(id="s", name="s", url="http://www.example.gov.cn/", hosts=frozenset({"example.gov.cn"}))


@pytest.mark.parametrize("raw,expected", [
    ("http://WWW.Example.gov.cn:80/a/b.html#top", "http://www.example.gov.cn/a/b.html"),
    ("http://www.example.gov.cn/list.jsp?b=2&a=1&jsessionid=XYZ", "http://www.example.gov.cn/list.jsp?a=1&b=2"),
    ("http://www.example.gov.cn/a.jsp;jsessionid=ABC?x=1", "http://www.example.gov.cn/a.jsp?x=1"),
    ("https://www.example.gov.cn:443", "https://www.example.gov.cn/"),
    ("http://www.example.gov.cn/政务公开/", "http://www.example.gov.cn/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/"),
])
def test_normalize(raw, expected):
    assert normalize(raw, frozenset({"jsessionid"})) == expected


def test_fingerprint_url_ignores_scheme_and_index_page():
    assert fingerprint_url("http://a.gov.cn/index.html") == fingerprint_url("https://a.gov.cn/")
    assert fingerprint_url("http://a.gov.cn/x.html") != fingerprint_url("http://a.gov.cn/y.html")


@pytest.mark.parametrize("url,kind", [("/a/b.pdf", "attachment"), ("/f.DOCX", "attachment"), ("/x.ofd", "attachment"),
                                      ("/p.png", "image"), ("/a/", "page"), ("/a.shtml", "page")])
def test_classify_href(url, kind):
    assert classify_href("http://h" + url) == kind


def test_site_key_separates_ports_not_schemes():
    assert site_key("http://h:8080/") != site_key("http://h:8081/")
    assert site_key("http://h/") == site_key("https://h/")
    assert SITE.is_internal("https://example.gov.cn/x") and not SITE.is_internal("http://www.gov.cn/")


def test_extract_links_kinds_base_and_skips():
    html = """<html><head><base href="http://www.example.gov.cn/zwgk/"><link rel="stylesheet" href="/s.css">
    <link rel="alternate" href="/feed"><script src="app.js"></script></head><body>
    <a href="doc.pdf">附件一</a><a href="../news/1.html"> 新闻 <b>一</b> </a><a href="#top">顶部</a>
    <a href="javascript:void(0)">x</a><a href="mailto:a@b.cn">信</a><img src="p.jpg" alt="图">
    <iframe src="http://video.example.org/v"></iframe><a href="doc.pdf">again</a></body></html>"""
    rec = PageRecord(url=SITE.url, final_url=SITE.url, status=200, html=html)
    links = extract_links(rec.tree, rec.final_url, SITE)
    got = [(l.url, l.kind, l.anchor_text, l.internal) for l in links]
    assert got == [
        ("http://www.example.gov.cn/s.css", "stylesheet", "", True),
        ("http://www.example.gov.cn/zwgk/app.js", "script", "", True),
        ("http://www.example.gov.cn/zwgk/doc.pdf", "attachment", "附件一", True),
        ("http://www.example.gov.cn/news/1.html", "page", "新闻 一", True),
        ("http://www.example.gov.cn/zwgk/p.jpg", "image", "图", True),
        ("http://video.example.org/v", "iframe", "", False),
    ]


def test_extract_links_is_bounded_on_hostile_pages():
    html = "<html><body>" + "".join(f'<a href="/p{i}">x</a>' for i in range(5000)) + "</body></html>"
    rec = PageRecord(url=SITE.url, final_url=SITE.url, status=200, html=html)
    assert len(extract_links(rec.tree, rec.final_url, SITE)) == 3000


def test_verdicts():
    assert judge_response(404, "http://h/a", "http://h/a")[0] == "broken"
    assert judge_response(403, "http://h/a", "http://h/a")[0] == "blocked"
    assert judge_response(200, "http://h/a/b.html", "http://h/")[0] == "wrong"
    assert judge_response(200, "http://h/", "http://h/index.html")[0] == "ok"
    assert judge_response(200, "http://h/a", "http://h/a", title="404 页面不存在", text_length=100)[0] == "wrong"
    assert judge_response(200, "http://h/a", "http://h/a", title="关于404项目的通知", text_length=9000)[0] == "ok"
    assert is_challenge(202, "<script>document.cookie='acw_sc__v2=1';location.reload()</script>")
    assert not is_challenge(200, "<html>" + "正文" * 20000 + "acw_sc__v2</html>")
    assert redirected_to_homepage("http://h/news/1.html", "http://h/index.html")
    assert not redirected_to_homepage("http://h/news/", "http://h/news/index.html")


def test_script_bounce_pages_are_error_pages_and_scripted_pages_are_not():
    """``alert('…不存在');history.back()`` stubs (older CMS error pages) answer 200: a wrong link; a page with
    content of its own, or a message box that only announces a move, is not one."""
    from xunjian.crawler.verdict import is_script_bounce, judge_response

    bounce = "<html><head><script>alert('该信息不存在或已删除！');history.back();</script></head><body></body></html>"
    assert judge_response(200, "http://h/show.asp?id=9", "http://h/show.asp?id=9", body=bounce)[0] == "wrong"
    assert is_script_bounce("<script>alert(\"参数错误\");location.href='/';</script>")
    assert is_script_bounce("<script>alert('请先登录');window.close();</script>")
    content = ("<html><body><script>alert('欢迎访问');history.back();</script><h1>市政府工作报告</h1><p>"
               + "正文内容" * 20 + "</p></body></html>")
    assert not is_script_bounce(content)
    assert judge_response(200, "http://h/a.html", "http://h/a.html", body=content)[0] == "ok"
    assert not is_script_bounce("<script>alert('本站已迁移至新网址');location.href='http://new.gov.cn/';</script>")
    assert not is_script_bounce("<html><body><script>var x = 1;</script></body></html>")
