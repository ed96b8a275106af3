"""Link cases translated from other link checkers' test suites, run through a real scan of a local site.

Each case is one page of a site served on 127.0.0.1 (plus a second local server standing for "another host"):
the HTML a peer's test feeds its checker, and what that checker concludes about each link. The origin column
names the suite whose behaviour the case follows: LinkChecker (tests/checker/data), linkinator
(test/fixtures: basetag, malformed ``//////``, srcset, css, iframe, mailto, retry-after...), lychee (accepted
statuses, 429 Retry-After, max redirects, data:/tel:/mailto: excluded, LinkedIn 999), muffet (fragments,
redirects to other hosts, HEAD refused) and htmltest (empty href, ``#``, <base>, media tags, meta refresh).
Failure classes of issue 10 (soft 404s, srcset, @import, 999, empty host, 11-20 redirects, disabled style
sheets, 429 Retry-After) each have a must-fire and a must-stay-silent case.

Expectations per target: an outcome (``ok``/``broken``/``wrong``/``blocked``) of its verdict in the scan,
``absent`` (not a link of the page: not extracted, never checked) or ``listed`` (extracted; off-machine hosts are
not contacted in tests). A case also agrees only if the LK001-LK005 findings seen on its page are exactly its
broken/wrong direct targets. The scorer prints "link cases: N of M agree" (run with ``-s``):

    .venv/bin/python -m pytest -q -s tests/test_link_cases.py
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from crawl_helpers import findings, latest_scan, register, results_by_target, run_worker, worker_env
from xunjian.demo.server import send
from xunjian.storage.db import session_scope
from xunjian.storage.models import Link, Page

OK_PAGE = "<html><head><title>正常页面</title></head><body><p>市政府办公室关于开展工作的通知，正文。</p></body></html>"
ERROR_PAGE = ("<html><head><title>提示信息</title></head><body><div class='box'><p>抱歉，您访问的页面不存在或已被删除！</p>"
              "<p><a href='/'>返回首页</a></p></div></body></html>")
ARTICLE_404 = ("<html><head><title>关于网站改版后旧链接的说明</title></head><body><h1>关于网站改版后旧链接的说明</h1>"
               + "<p>本站已于近日完成改版，栏目结构有所调整。" * 20
               + "<p>个别旧书签可能出现“页面不存在”或 404 提示，请从首页重新进入相应栏目。</p>"
               + "<p>如有疑问，请拨打咨询电话。</p>" * 10 + "</body></html>")


@dataclass
class Case:
    id: str
    origin: str
    html: str
    expect: dict[str, str]
    indirect: set[str] = field(default_factory=set)  # targets checked through another resource (a style sheet)


def _cases() -> list[Case]:
    C = Case
    return [
        # --- extraction: tags and attributes ------------------------------------------------------------
        C("a-ok-and-404", "LinkChecker http.html", '<a href="/ok.html">ok</a><a href="/missing/a.html">x</a>',
          {"/ok.html": "ok", "/missing/a.html": "broken"}),
        C("img-src", "linkinator image", '<img src="/img/ok.png"><img src="/missing/b.png">',
          {"/img/ok.png": "ok", "/missing/b.png": "broken"}),
        C("srcset-img", "linkinator srcset", '<img src="/img/ok.png" srcset="/img/ok-1x.png 1x, /missing/c-2x.png 2x">',
          {"/img/ok-1x.png": "ok", "/missing/c-2x.png": "broken"}),
        C("srcset-widths", "htmltest srcset", '<img srcset="/img/ok.png 480w,/missing/d.png 800w" sizes="50vw">',
          {"/img/ok.png": "ok", "/missing/d.png": "broken"}),
        C("picture-source", "linkinator srcset", '<picture><source srcset="/missing/e.webp 1x, /img/ok-1x.png 2x" '
          'type="image/webp"><img src="/img/ok.png"></picture>', {"/missing/e.webp": "broken", "/img/ok-1x.png": "ok"}),
        C("lazy-data-src", "issue 10 held-out: lazy image data-src behind a placeholder src",
          '<img src="/img/ok.png" data-src="/missing/lazy.jpg"><img data-original="/missing/lazy2.jpg">',
          {"/img/ok.png": "ok", "/missing/lazy.jpg": "broken", "/missing/lazy2.jpg": "broken"}),
        C("lazy-data-src-ok", "issue 10 held-out silent: lazy image that exists",
          '<img src="/img/ok-1x.png" data-src="/img/ok.png">', {"/img/ok-1x.png": "ok", "/img/ok.png": "ok"}),
        C("srcset-all-ok", "linkinator srcset", '<img srcset="/img/ok.png, /img/ok-1x.png 2x">',
          {"/img/ok.png": "ok", "/img/ok-1x.png": "ok"}),
        C("style-import-string", "linkinator css", '<style>@import "/missing/f.css"; @import \'/css/ok.css\';</style>',
          {"/missing/f.css": "broken", "/css/ok.css": "ok"}),
        C("style-import-url", "linkinator css", "<style>@import url(/missing/g.css); @import url('/css/ok.css') screen;</style>",
          {"/missing/g.css": "broken", "/css/ok.css": "ok"}),
        C("sheet-import", "linkinator css (styles.css)", '<link rel="stylesheet" href="/css/main.css">',
          {"/css/main.css": "ok", "/missing/h.css": "broken", "/missing/h-bg.png": "broken", "/img/ok.png": "ok"},
          indirect={"/missing/h.css", "/missing/h-bg.png", "/img/ok.png"}),
        C("css-url-style-attr", "LinkChecker misc.html", '<div style="background:url(/missing/i.png)">x</div>'
          '<div style="background-image:url(\'/img/ok.png\')">y</div>', {"/missing/i.png": "broken", "/img/ok.png": "ok"}),
        C("css-comment", "linkinator css", "<style>/* url(/missing/never.png) */ body{color:red}</style>",
          {"/missing/never.png": "absent"}),
        C("disabled-sheet", "browsers: disabled style sheets are not loaded",
          '<link rel="stylesheet" href="/missing/j.css" disabled>', {"/missing/j.css": "absent"}),
        C("enabled-sheet", "LinkChecker html5.html", '<link rel="stylesheet" href="/missing/k.css">',
          {"/missing/k.css": "broken"}),
        C("area", "htmltest area", '<map name="m"><area href="/missing/l.html" shape="rect"></map>',
          {"/missing/l.html": "broken"}),
        C("iframe", "linkinator iframe", '<iframe src="/missing/m.html"></iframe><iframe src="/ok.html"></iframe>',
          {"/missing/m.html": "broken", "/ok.html": "ok"}),
        C("embed", "htmltest embed", '<embed src="/missing/n.swf">', {"/missing/n.swf": "broken"}),
        C("object-data", "htmltest object", '<object data="/missing/o.pdf"></object>', {"/missing/o.pdf": "broken"}),
        C("video-poster", "htmltest video", '<video poster="/missing/p.jpg" src="/files/ok.mp4"></video>',
          {"/missing/p.jpg": "broken", "/files/ok.mp4": "ok"}),
        C("source-src", "htmltest audio/video source", '<video><source src="/missing/q.mp4" type="video/mp4"></video>',
          {"/missing/q.mp4": "broken"}),
        C("track", "htmltest track", '<video src="/files/ok.mp4"><track src="/missing/r.vtt" kind="subtitles"></video>',
          {"/missing/r.vtt": "broken"}),
        C("input-image", "htmltest input", '<form><input type="image" src="/missing/s.png"><input type="text" '
          'src="/missing/never-t.png"></form>', {"/missing/s.png": "broken", "/missing/never-t.png": "absent"}),
        C("script", "linkinator scripts", '<script src="/missing/u.js"></script><script src="/js/ok.js"></script>',
          {"/missing/u.js": "broken", "/js/ok.js": "ok"}),
        C("icon", "LinkChecker html5.html", '<link rel="icon" href="/missing/v.ico">', {"/missing/v.ico": "broken"}),
        C("preconnect-not-a-link", "LinkChecker html5.html (dns-prefetch)",
          '<link rel="dns-prefetch" href="//missing-w.example/">', {"http://missing-w.example/": "absent"}),
        # --- schemes and special hrefs -----------------------------------------------------------------
        C("mailto-tel-js", "linkinator mailto / lychee excludes", '<a href="mailto:xx@gov.cn">m</a><a href="tel:12345">t</a>'
          '<a href="javascript:void(0)">j</a><a href="sms:1">s</a>', {"mailto:xx@gov.cn": "absent", "tel:12345": "absent"}),
        C("data-uri", "lychee data: URIs", '<img src="data:image/png;base64,iVBORw0KGgo=" '
          'srcset="data:image/png;base64,AA,BB 1x, /img/ok.png 2x">', {"/img/ok.png": "ok"}),
        C("empty-href", "htmltest empty href", '<a href="">self</a><a href="#">top</a><a href="#main">main</a>', {}),
        C("fragment-ignored", "muffet/linkinator fragments (not checked by default)",
          '<a href="/ok.html#no-such-anchor">a</a>', {"/ok.html": "ok"}),
        C("empty-host", "linkinator malformed", '<a href="//////">oh noes</a>', {"http:///": "broken"}),
        C("empty-host-scheme", "LinkChecker http.html", '<a href="http://">empty</a>', {"http:///": "broken"}),
        C("scheme-relative", "LinkChecker http_slash.html / linkinator (silent for //////)",
          '<a href="//{host}/ok.html">rel</a><a href="///ok.html">three</a>', {"/ok.html": "ok"}),
        C("malformed", "lychee TEST_HTML5_MALFORMED_LINKS", '<a href="https;//example.com/malformed_one">a</a>'
          '<a href="https://example]org/malformed_two">b</a><a href="http://a b.example/">c</a>',
          {"/cases/https": "broken", "http:///": "broken", "http://a b.example/": "broken"}),
        C("base-empty", "linkinator basetag empty-base", '<base href=""><a href="../ok.html">p</a>', {"/ok.html": "ok"}),
        C("dot-host", "LinkChecker http.html (http://.example.org/)", '<a href="http://.example.org/">dot</a>',
          {"http://.example.org/": "broken"}),
        C("scheme-case", "LinkChecker http_lowercase.html", '<a href="HTTP://{host}/ok.html">upper</a>',
          {"/ok.html": "ok"}),
        C("spaces", "LinkChecker http_quotes.html", '<a href="  /ok.html  ">padded</a><a href="/files/a b.html">sp</a>',
          {"/ok.html": "ok", "/files/a%20b.html": "ok"}),
        C("newline-in-href", "WHATWG URL: tabs and newlines dropped", '<a href="/ok\n.html">nl</a><a href="/o\tk.html">tab</a>',
          {"/ok.html": "ok"}),
        C("meta-refresh-stub-ok", "htmltest meta refresh (followed, as browsers do)", '<a href="/refresh/to-ok.html">r</a>',
          {"/refresh/to-ok.html": "ok"}),
        C("meta-refresh-stub-missing", "htmltest meta refresh to a missing page", '<a href="/refresh/to-missing.html">r</a>',
          {"/refresh/to-missing.html": "broken"}),
        C("url-encoded", "LinkChecker http_url_quote.html", '<a href="/files/a%20b.html">enc</a>'
          '<a href="/files/%E6%96%87%E4%BB%B6.html">cn</a>', {"/files/a%20b.html": "ok",
                                                             "/files/%E6%96%87%E4%BB%B6.html": "ok"}),
        C("idn", "lychee IDN", '<a href="http://例子.测试/path">idn</a>', {"http://xn--fsqu00a.xn--0zwm56d/path": "listed"}),
        C("relative-dotdot", "linkinator basetag relative-dot-folder", '<a href="../ok.html">up</a>'
          '<a href="../../../../ok.html">above root</a><a href="./../missing/x.html">gone</a>',
          {"/ok.html": "ok", "/missing/x.html": "broken"}),
        C("base-folder", "linkinator basetag relative-folder", '<base href="/sub/"><a href="page.html">p</a>'
          '<a href="missing-y.html">m</a>', {"/sub/page.html": "ok", "/sub/missing-y.html": "broken"}),
        C("base-absolute", "linkinator basetag absolute", '<base href="EXT/"><a href="ok.html">p</a>',
          {"EXT/ok.html": "ok"}),
        C("base-root", "linkinator basetag relative-to-root", '<base href="/"><a href="ok.html">p</a>', {"/ok.html": "ok"}),
        # --- statuses ----------------------------------------------------------------------------------
        C("head-405", "muffet/linkinator HEAD refused → GET", '<a href="/head405.html">h</a>', {"/head405.html": "ok"}),
        C("status-204-206", "lychee accepted 2xx", '<a href="/nocontent.pdf">a</a><a href="/partial.pdf">b</a>',
          {"/nocontent.pdf": "ok", "/partial.pdf": "ok"}),
        C("status-500", "LinkChecker", '<a href="/_status/500">x</a>', {"/_status/500": "broken"}),
        C("status-999", "lychee/LinkedIn 999", '<a href="/_status/999">in</a>', {"/_status/999": "blocked"}),
        C("status-403", "lychee", '<a href="/_status/403">f</a>', {"/_status/403": "blocked"}),
        C("retry-after-ok", "linkinator/lychee 429 Retry-After", '<a href="/rate/once.pdf">r</a>', {"/rate/once.pdf": "ok"}),
        C("retry-after-persists", "lychee 429", '<a href="/rate/always.pdf">r</a>', {"/rate/always.pdf": "blocked"}),
        C("retry-after-too-long", "lychee 429 (wait beyond the bound)", '<a href="/rate/long.pdf">r</a>',
          {"/rate/long.pdf": "blocked"}),
        # --- redirects ---------------------------------------------------------------------------------
        C("redirect-15", "browsers follow 20 (REDIRECT_MAX_TIMES)", '<a href="/hop/15">r</a>', {"/hop/15": "ok"}),
        C("redirect-20", "browsers follow 20", '<a href="/hop/20">r</a>', {"/hop/20": "ok"}),
        C("redirect-25", "too many redirects", '<a href="/hop/25">r</a>', {"/hop/25": "broken"}),
        C("redirect-loop", "LinkChecker redir.html", '<a href="/_redirect-loop/0">l</a>', {"/_redirect-loop/0": "broken"}),
        C("jsp-loop", "issue 10: JSP loop with cookie and query", '<a href="/loop/a.jsp">l</a>', {"/loop/a.jsp": "broken"}),
        C("jsp-refresh-loop", "issue 10: JSP loop by meta refresh", '<a href="/refresh/a.jsp">l</a>',
          {"/refresh/a.jsp": "broken"}),
        C("jsp-head-ok-get-loop", "issue 10: JSP loop that HEAD does not show (beyond the crawl)",
          '<a href="EXT/headok/a.jsp">l</a>', {"EXT/headok/a.jsp": "broken"}),
        C("jsp-cookie-ok", "issue 10 silent: one JSP redirect setting a cookie", '<a href="/login/a.jsp">l</a>',
          {"/login/a.jsp": "ok"}),
        C("redirect-other-host", "muffet redirects to other hosts", '<a href="EXT/moved">m</a>', {"EXT/moved": "ok"}),
        C("redirect-to-home", "LinkChecker/xunjian wrong link", '<a href="/_redirect?to=/">gone</a>',
          {"/_redirect?to=/": "wrong"}),
        # --- soft 404s ---------------------------------------------------------------------------------
        C("soft404-body", "issue 10: body says 页面不存在", '<a href="/soft/notfound.html">s</a>',
          {"/soft/notfound.html": "wrong"}),
        C("soft404-gbk", "issue 10: GBK error page", '<a href="/soft/gbk.html">s</a>', {"/soft/gbk.html": "wrong"}),
        C("soft404-zhaobudao", "issue 10: 找不到", '<a href="/soft/zhaobudao.html">s</a>',
          {"/soft/zhaobudao.html": "wrong"}),
        C("soft404-code", "issue 10: 404 heading", '<a href="/soft/code.html">s</a>', {"/soft/code.html": "wrong"}),
        C("soft404-external", "issue 10: external 200 error page", '<a href="EXT/errorpage">e</a>',
          {"EXT/errorpage": "wrong"}),
        C("soft404-attachment-html", "issue 10: deep page beyond the crawl, HEAD 200", '<a href="EXT/errorpage.jsp">e</a>',
          {"EXT/errorpage.jsp": "wrong"}),
        C("soft404-templated", "issue 10: CMS error template with the site's menus and title", '<a href="/soft/templated.html">t</a>',
          {"/soft/templated.html": "wrong"}),
        C("soft404-templated-external", "issue 10: external CMS error template", '<a href="EXT/templated.html">t</a>',
          {"EXT/templated.html": "wrong"}),
        C("soft404-phrased", "issue 10 held-out: 您所请求的网页已删除或不存在 (no listed phrase)",
          '<a href="/soft/deleted.html">d</a>', {"/soft/deleted.html": "wrong"}),
        C("soft404-phrased-notice", "issue 10 held-out silent: a short notice that old links were moved",
          '<a href="/soft/moved-notice.html">m</a>', {"/soft/moved-notice.html": "ok"}),
        C("templated-real-page", "issue 10 silent: real page with error-named boxes and a mention", '<a href="/soft/templated-ok.html">t</a>',
          {"/soft/templated-ok.html": "ok"}),
        C("article-mentions-404", "issue 10 silent: article about 404s", '<a href="/soft/article.html">a</a>',
          {"/soft/article.html": "ok"}),
        C("short-real-page", "issue 10 silent: short real page", '<a href="/soft/short.html">s</a>',
          {"/soft/short.html": "ok"}),
        C("phone-with-404", "issue 10 silent: 404 inside a number", '<a href="/soft/phone.html">p</a>',
          {"/soft/phone.html": "ok"}),
        C("number-404-title", "issue 10 silent: 第404号 in a title", '<a href="/soft/doc404.html">d</a>',
          {"/soft/doc404.html": "ok"}),
        C("external-ok", "LinkChecker http.html", '<a href="EXT/ok.html">ok</a><a href="EXT/gone">x</a>',
          {"EXT/ok.html": "ok", "EXT/gone": "broken"}),
    ]


NAV = "".join(f"<li><a href='/col{i}/'>栏目名称{i} 政务公开 政策文件 通知公告</a></li>" for i in range(120))
SOFT = {
    "templated.html": (f"<html><head><meta charset='utf-8'><title>示例市人民政府门户网站</title></head><body><ul>{NAV}</ul>"
                       "<div class='page-404'><img src='/img/ok.png'><p>抱歉，您访问的页面不存在或已被删除。</p></div>"
                       f"<div class='footer'>{'主办单位：示例市人民政府办公室 ' * 20}</div></body></html>").encode(),
    "templated-ok.html": (f"<html><head><meta charset='utf-8'><title>示例市人民政府门户网站</title></head><body><ul>{NAV}"
                          "</ul><form><span class='error-tip'></span></form><div id='error-report'><a href='/jc'>我为政府"
                          "网站找错</a></div><div class='article'><p>网站改版后，个别旧链接可能显示页面不存在，请通过搜索查找。</p>"
                          f"</div><div class='footer'>{'主办单位：示例市人民政府办公室 ' * 20}</div></body></html>").encode(),
    "notfound.html": ("<html><head><meta charset='utf-8'><title>示例市人民政府</title></head><body><div id='err'>"
                      "<p>对不起，您访问的页面不存在！</p><p>5秒后自动返回首页</p></div></body></html>").encode(),
    "gbk.html": ("<html><head><meta http-equiv='Content-Type' content='text/html; charset=gb2312'><title>示例县人民政府"
                 "</title></head><body><p>页面不存在，请返回首页</p></body></html>").encode("gbk"),
    "deleted.html": ("<html><head><meta charset='utf-8'><title>错误提示</title></head><body><div class='error'>"
                     "<p>对不起，您所请求的网页已删除或不存在！</p><p><a href='/'>返回首页</a></p></div></body></html>").encode(),
    "moved-notice.html": ("<html><head><meta charset='utf-8'><title>关于网站栏目调整的说明</title></head><body><p>因机构"
                          "改革，部分栏目链接已失效，相关内容已迁移至“政府信息公开”栏目，敬请谅解。</p></body></html>").encode(),
    "zhaobudao.html": ("<html><head><meta charset='utf-8'><title>提示</title></head><body><p>很抱歉，找不到您要访问的页面"
                       "</p></body></html>").encode(),
    "code.html": b"<html><head><title>Sorry</title></head><body><h1>404</h1><p>Error 404 - the page was not found.</p></body></html>",
    "article.html": ARTICLE_404.encode(),
    "short.html": ("<html><head><meta charset='utf-8'><title>联系我们</title></head><body><p>电话：0571-87050000</p>"
                   "<p>地址：示例市人民路1号</p></body></html>").encode(),
    "phone.html": ("<html><head><meta charset='utf-8'><title>办事指南</title></head><body><p>咨询电话：0404-2404041，"
                   "受理时间：工作日</p></body></html>").encode(),
    "doc404.html": ("<html><head><meta charset='utf-8'><title>示例市人民政府令第404号</title></head><body><h1>示例市人民"
                    "政府令第404号</h1><p>《示例市公共数据管理办法》已经市政府常务会议审议通过，现予公布。</p></body></html>").encode(),
}


def _routes(ext_url: str) -> dict:
    counters: dict[str, int] = {}

    def page(body: str | bytes, status: int = 200, ctype: str = "text/html; charset=utf-8", **headers):
        data = body.encode() if isinstance(body, str) else body
        return lambda h: send(h, status, data, ctype=ctype, headers=headers or None)

    def head405(h):
        send(h, 405, b"") if h.command == "HEAD" else send(h, 200, OK_PAGE.encode())

    first_hit: dict[str, float] = {}

    def rate(name: str, wait: str, window: float):
        """429 with Retry-After for ``window`` seconds after the first request, then the file."""
        def route(h):
            first = first_hit.setdefault(name, time.monotonic())
            if time.monotonic() - first < window:
                send(h, 429, b"slow down", headers={"Retry-After": wait})
            else:
                send(h, 200, b"%PDF-1.4", ctype="application/pdf")
        return route

    def refresh_loop(other: str):
        body = f'<html><head><meta http-equiv="refresh" content="0;url={other}?r=1"></head><body>跳转中</body></html>'
        return lambda h: send(h, 200, body.encode())

    def hop(n: int):
        return lambda h: send(h, 302, b"", headers={"Location": f"/hop/{n - 1}" if n > 1 else "/ok.html"})

    def loop(name: str, other: str):
        def route(h):
            counters[name] = counters.get(name, 0) + 1
            send(h, 302, b"", headers={"Location": f"{other}?t={counters[name]}&from={name}",
                                        "Set-Cookie": f"JSESSIONID={counters[name]:08d}; Path=/"})
        return route

    def login(h):
        has_cookie = "sso=1" in (h.headers.get("Cookie") or "")
        if has_cookie:
            send(h, 200, OK_PAGE.encode())
        else:
            send(h, 302, b"", headers={"Location": "/login/a.jsp?checked=1", "Set-Cookie": "sso=1; Path=/"})

    routes = {"/ok.html": page(OK_PAGE), "/head405.html": head405,
              "/nocontent.pdf": page(b"", 204, "application/pdf"), "/partial.pdf": page(b"%PDF", 206, "application/pdf"),
              "/rate/once.pdf": rate("once", "1", 0.9), "/rate/always.pdf": rate("always", "1", 999),
              "/rate/long.pdf": rate("long", "3600", 999),
              "/loop/a.jsp": loop("a", "/loop/b.jsp"), "/loop/b.jsp": loop("b", "/loop/a.jsp"), "/login/a.jsp": login,
              "/refresh/to-ok.html": page('<html><head><meta http-equiv="refresh" content="0; url=/ok.html"></head></html>'),
              "/refresh/to-missing.html": page('<html><head><meta http-equiv="refresh" content="1;URL=/missing/zz.html">'
                                               '</head></html>'),
              "/refresh/a.jsp": refresh_loop("/refresh/b.jsp"), "/refresh/b.jsp": refresh_loop("/refresh/a.jsp")}
    routes.update({f"/hop/{n}": hop(n) for n in range(1, 26)})
    routes.update({f"/soft/{name}": page(body, ctype="text/html") for name, body in SOFT.items()})
    return routes


def _head_ok_get_loop(other: str):
    def route(h):
        if h.command == "HEAD":
            send(h, 200, b"")
        else:
            send(h, 302, b"", headers={"Location": f"{other}?t={time.monotonic_ns()}", "Set-Cookie": "JSESSIONID=1"})
    return route


def _ext_routes(site_url: str) -> dict:
    ok = OK_PAGE.encode()
    return {"/ok.html": lambda h: send(h, 200, ok), "/errorpage": lambda h: send(h, 200, ERROR_PAGE.encode()),
            "/errorpage.jsp": lambda h: send(h, 200, ERROR_PAGE.encode()),
            "/templated.html": lambda h: send(h, 200, SOFT["templated.html"]),
            "/headok/a.jsp": _head_ok_get_loop("/headok/b.jsp"), "/headok/b.jsp": _head_ok_get_loop("/headok/a.jsp"),
            "/moved": lambda h: send(h, 301, b"", headers={"Location": site_url + "ok.html"}),
            "/gone": lambda h: send(h, 404, b"not found")}


def _write_site(root: Path, cases: list[Case], host: str, ext: str) -> None:
    for folder in ("cases", "img", "css", "js", "files", "sub"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for name in ("ok.png", "ok-1x.png"):
        (root / "img" / name).write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "css" / "ok.css").write_text("body{color:#333}", encoding="utf-8")
    (root / "css" / "main.css").write_text('@import "/missing/h.css";\n.banner{background:url(../missing/h-bg.png)}\n'
                                           ".logo{background:url('../img/ok.png')}\n", encoding="utf-8")
    (root / "js" / "ok.js").write_text("var a = 1;", encoding="utf-8")
    (root / "files" / "ok.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    (root / "files" / "a b.html").write_text(OK_PAGE, encoding="utf-8")
    (root / "files" / "文件.html").write_text(OK_PAGE, encoding="utf-8")
    (root / "sub" / "page.html").write_text(OK_PAGE, encoding="utf-8")
    links = "".join(f'<li><a href="/cases/{c.id}.html">{c.id}</a></li>' for c in cases)
    (root / "index.html").write_text(f'<html><head><meta charset="utf-8"><title>链接用例</title></head><body><ul>{links}'
                                     "</ul></body></html>", encoding="utf-8")
    for c in cases:
        html = c.html.replace("{host}", host).replace("EXT/", ext)
        (root / "cases" / f"{c.id}.html").write_text(
            f'<html><head><meta charset="utf-8"><title>链接用例</title></head><body>{html}</body></html>', encoding="utf-8")


def _settings(tmp_path: Path) -> Path:
    data = {"crawl": {"timeout": 5, "retry_times": 0, "concurrency_per_site": 8, "autothrottle": False},
            "links": {"retry_after_max": 1.5, "retry_after_times": 1}}
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _page_links(db_url: str, scan_id: int) -> dict[str, set[str]]:
    with session_scope(db_url) as s:
        rows = s.execute(select(Page.url, Link.target).join(Link, Link.page_id == Page.id).where(Page.scan_id == scan_id))
        out: dict[str, set[str]] = {}
        for page, target in rows:
            out.setdefault(page, set()).add(target)
        return out


def _judge(case: Case, url, page: str, links: set[str], results: dict, found: dict[str, set[str]]) -> list[str]:
    """The disagreements of one case (empty: the case agrees)."""
    problems = []
    for spec, want in case.expect.items():
        target = url(spec)
        direct = spec not in case.indirect
        if want == "absent":
            if target in links:
                problems.append(f"{spec}: extracted, expected not to be")
            continue
        if direct and target not in links:
            problems.append(f"{spec}: not extracted")
            continue
        if want == "listed":
            continue
        got = results.get(target)
        outcome = got.outcome if got else None
        if outcome != want:
            problems.append(f"{spec}: {outcome} ({got.reason if got else 'no verdict'}), expected {want}")
    expected_findings = {url(s) for s, w in case.expect.items() if w in ("broken", "wrong") and s not in case.indirect}
    if found.get(page, set()) != expected_findings:
        problems.append(f"findings on the page {sorted(found.get(page, set()))} != {sorted(expected_findings)}")
    return problems


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    from xunjian.demo.server import SiteServer
    from xunjian.storage.db import upgrade

    tmp_path = tmp_path_factory.mktemp("link_cases")
    db_url = f"sqlite:///{tmp_path / 'xunjian.db'}"
    upgrade(db_url)
    cases = _cases()
    ext = SiteServer().start()
    root = tmp_path / "site"
    root.mkdir()
    site = SiteServer(root)
    ext.routes.update(_ext_routes(site.url))
    site.routes.update(_routes(ext.url))
    site.start()
    try:
        _write_site(root, cases, f"127.0.0.1:{site.port}", ext.url)
        register(db_url, tmp_path, "cases", site.url)
        started = time.monotonic()
        proc = run_worker("cases", worker_env(db_url, _settings(tmp_path)), timeout=170)
        elapsed = time.monotonic() - started
        assert proc.returncode == 0, proc.stderr
        yield {"db": db_url, "site": site, "ext": ext, "cases": cases, "elapsed": elapsed}
    finally:
        site.stop()
        ext.stop()


def test_link_cases_agree(scanned):
    db_url, site, ext = scanned["db"], scanned["site"], scanned["ext"]
    scan = latest_scan(db_url, "cases")
    results = results_by_target(db_url, scan.id)
    links = _page_links(db_url, scan.id)
    found: dict[str, set[str]] = {}
    for f in findings(db_url, "cases"):
        if f.rule in ("LK001", "LK002", "LK003", "LK004", "LK005"):
            for page in (f.evidence or {}).get("pages") or [f.page]:
                found.setdefault(page, set()).add(f.target)

    def url(spec: str) -> str:
        from xunjian.urls import normalize

        if spec.startswith("EXT/"):
            return normalize(ext.url + spec[4:])
        return normalize(site.url.rstrip("/") + spec) if spec.startswith("/") else spec

    report = []
    for case in scanned["cases"]:
        page = f"{site.url}cases/{case.id}.html"
        report.append((case, _judge(case, url, page, links.get(page, set()), results, found)))
    agree = sum(1 for _, problems in report if not problems)
    print(f"\nlink cases: {agree} of {len(report)} agree (scan {scanned['elapsed']:.1f} s)")
    for case, problems in report:
        if problems:
            print(f"  DIFFERS {case.id} [{case.origin}]: " + "; ".join(problems))
    assert [c.id for c, p in report if p] == []


def test_empty_host_is_broken_inside_the_site(scanned):
    """Issue 10 held-out: ``href="//////"`` on an inner page is LK002 (the site's own broken link), not LK003;
    a broken link to another host stays LK003."""
    by_target = {f.target: f.rule for f in findings(scanned["db"], "cases") if f.rule.startswith("LK")}
    assert by_target.get("http:///") == "LK002"
    assert by_target.get(normalize_ext(scanned, "/gone")) == "LK003"


def normalize_ext(scanned, path: str) -> str:  # noqa: ANN001
    from xunjian.urls import normalize

    return normalize(scanned["ext"].url.rstrip("/") + path)


def test_retry_after_waited_once_and_bounded(scanned):
    """429 + Retry-After: 1 s was asked again after the wait; Retry-After: 3600 was never waited for."""
    site = scanned["site"]
    assert sum(1 for h in site.hits if h.startswith("/rate/once.pdf")) >= 2
    assert sum(1 for h in site.hits if h.startswith("/rate/long.pdf")) <= 2  # HEAD, then GET: no retry
    assert scanned["elapsed"] < 60


def test_redirect_reasons(scanned):
    db_url, site = scanned["db"], scanned["site"]
    results = results_by_target(db_url, latest_scan(db_url, "cases").id)
    assert results[site.url + "hop/25"].reason.startswith("重定向次数过多")
    assert results[site.url + "_redirect-loop/0"].reason == "重定向循环"
    assert results[site.url + "loop/a.jsp"].reason == "重定向循环"
    hop20 = results[site.url + "hop/20"]
    assert hop20.final_url == site.url + "ok.html" and len(hop20.redirect_chain) == 20  # stored chains keep 20


def test_status_999_is_listed_unverified_not_broken(scanned):
    site = scanned["site"]
    lk = [(f.rule, f.severity) for f in findings(scanned["db"], "cases") if f.target == site.url + "_status/999"]
    assert lk == [("LK006", "info")]


@pytest.mark.parametrize(("value", "expected"), [
    ("/a.png 1x, /b.png 2x", ["/a.png", "/b.png"]),
    ("/a.png 480w,/b.png 800w", ["/a.png", "/b.png"]),
    ("/a.png,/b.png 480w", ["/a.png,/b.png"]),  # HTML: a URL runs to the whitespace; the comma is part of it
    ("/a,b.png 1x, /c.png 2x", ["/a,b.png", "/c.png"]),
    ("data:image/png;base64,AA,BB 1x, /x.png 2x", ["data:image/png;base64,AA,BB", "/x.png"]),
    ("  /only.png  ", ["/only.png"]),
    ("/a.png (max-width: 600px, 2x), /b.png", ["/a.png", "/b.png"]),
    ("", []),
])
def test_srcset_candidates(value, expected):
    from xunjian.crawler.extract import srcset_urls

    assert srcset_urls(value) == expected


def test_css_urls_and_imports():
    from xunjian.crawler.extract import css_urls

    text = """@import "a.css"; @import 'b.css' screen; @import url(c.css); @import url("d.css");
    /* @import "never.css"; url(never.png) */ .x{background:url( 'e.png' )} .y{background:url(f.CSS?v=2)}"""
    assert css_urls(text) == [("stylesheet", "a.css"), ("stylesheet", "b.css"), ("stylesheet", "c.css"),
                              ("stylesheet", "d.css"), ("image", "e.png"), ("stylesheet", "f.CSS?v=2")]


@pytest.mark.parametrize(("raw", "expected"), [
    ("//////", "http:///"), ("http://", "http:///"), ("https:///", "http:///"), ("\\\\", "http:///"),
    ("//h.cn/x", "http://h.cn/x"), ("http:///h.cn/x", "http://h.cn/x"), ("/x", "http://base.cn/x"),
    ("mailto:a@b.cn", None), ("#top", None), ("", None), ("javascript:;", None), ("data:text/plain,x", None),
])
def test_resolve_as_browsers(raw, expected):
    from xunjian.crawler.extract import resolve

    assert resolve("http://base.cn/a/p.html", raw) == expected


@pytest.mark.parametrize(("title", "heading", "text", "wrong"), [
    ("404 Not Found", "", "Not Found", True),
    ("示例市人民政府", "", "对不起，您访问的页面不存在！ 5秒后返回首页", True),
    ("首页", "", "Error 404 页面未找到", True),
    ("关于第404号文件的通知", "", "通知正文", False),
    ("办事指南", "", "咨询电话：0404-2404041", False),
    ("改版说明", "改版说明", "本站已完成改版。" * 30 + "旧书签可能出现页面不存在提示。", False),
    ("联系我们", "", "电话：12345678 地址：人民路1号", False),
    ("错误提示", "", "对不起，您所请求的网页已删除或不存在！ 返回首页", True),  # a phrasing no list enumerates
    ("提示信息", "", "您要查看的文章已被移除，请返回首页。", True),
    ("栏目调整说明", "", "因机构改革，部分栏目链接已失效，相关内容已迁移至新栏目。", False),
    ("检查通报", "", "经检查，本季度发布的信息中存在问题的条目已删除并重新审核发布。" * 3, False),
])
def test_soft404(title, heading, text, wrong):
    from xunjian.crawler.verdict import is_soft404

    assert is_soft404(title, heading, len(text), text) is wrong


def test_retry_after_header():
    from datetime import datetime, timezone

    from xunjian.crawler.retryafter import retry_after_seconds

    now = datetime(2026, 12, 1, 10, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(b"1") == 1.0 and retry_after_seconds(None) is None
    assert retry_after_seconds("Tue, 01 Dec 2026 10:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Tue, 01 Dec 2026 09:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon") is None


def test_redirect_failure_reason():
    from xunjian.crawler.verdict import redirect_failure_reason

    assert redirect_failure_reason(["http://h/a.jsp", "http://h/b.jsp?t=1", "http://h/a.jsp?t=2"], 20) == "重定向循环"
    assert redirect_failure_reason([f"http://h/hop/{i}" for i in range(21)], 20) == "重定向次数过多 (超过 20 次)"


def test_query_escapes_kept_byte_for_byte():
    """A latin-1 page's %FF is requested as written (browsers do), also when tracking parameters are stripped."""
    from xunjian.urls import normalize

    strip = frozenset({"sid"})
    assert normalize("http://h/?quoted=%FF&sid=1", strip) == "http://h/?quoted=%FF"
    assert normalize("http://h/?q=%E4%B8%AD&sid=1", strip) == "http://h/?q=%E4%B8%AD"
