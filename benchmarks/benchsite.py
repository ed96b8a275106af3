"""A generated government-like site for benchmarks, served by Twisted in its own process.

``python benchmarks/benchsite.py PAGES PORTFILE [varied]`` serves PAGES pages on 127.0.0.1 (port written to
PORTFILE). By default every page carries the same paragraph (the checks' sentence and phrase caches then hit
after the first page); with ``varied`` each page's paragraph is its own: ten sentences, each the first clause of
one correct ECSpell official-document or law sentence and the rest of another (benchmarks/data/ecspell, MIT),
so nearly every sentence is new to the checks, as an article is on a real site. Page i links to its children 10*i+1..10*i+10 (so every page is reachable), the homepage,
two column pages, an image, an attachment; every 50th page also links to a missing page and a
missing attachment (broken links). Pages carry a realistic footer and ~3 KB of Chinese text.
"""

from __future__ import annotations

import sys

from twisted.internet import reactor
from twisted.web import resource, server

TEXT = ("为深入贯彻落实党中央、国务院决策部署，市政府持续推进政务公开和优化营商环境工作，"
        "各地各部门要提高政治站位，压实工作责任，确保各项任务落地见效。") * 12
FOOTER = ('<div class="footer">主办单位：示例市人民政府办公室 联系电话：0999-12345678 网站标识码：1199000001 '
          '京ICP备12345678号-1 京公网安备 11010502000001号 <a href="/wzdt/">网站地图</a></div>')


VARIED: list[list[str]] = []  # [first clauses, rests] once loaded


def _clauses() -> list[list[str]]:
    from pathlib import Path

    heads, rests = [], []
    for name in ("odw_train.tsv", "odw_test.tsv", "law_train.tsv", "law_test.tsv"):
        for line in (Path(__file__).parent / "data" / "ecspell" / name).read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 3 and "，" in parts[2]:
                head, rest = parts[2].split("，", 1)
                heads.append(head + "，")
                rests.append(rest)
    return [heads, rests]


def varied_text(i: int) -> str:
    if not VARIED:
        VARIED.extend(_clauses())
    heads, rests = VARIED
    return "".join(heads[(i * 10 + k) * 7919 % len(heads)] + rests[(i * 10 + k) * 104729 % len(rests)]
                   for k in range(10))


def page(i: int, total: int, varied: bool = False) -> bytes:
    children = "".join(f'<li><a href="/p/{c}.html">第{c}号文件</a><span>2026-11-{1 + c % 20:02d}</span></li>'
                       for c in range(10 * i + 1, min(10 * i + 11, total)))
    broken = '<a href="/missing/%d.html">旧链接</a><a href="/files/gone-%d.pdf">附件</a>' % (i, i) if i % 50 == 0 else ""
    html = (f'<html><head><meta charset="utf-8"><title>第{i}号页面 - 示例市人民政府</title>'
            f'<meta name="SiteName" content="示例市人民政府"><meta name="SiteDomain" content="127.0.0.1">'
            f'<meta name="SiteIDCode" content="1199000001"></head><body>'
            f'<div class="nav"><a href="/">首页</a><a href="/p/1.html">政务动态</a><a href="/p/2.html">通知公告</a></div>'
            f'<h1>第{i}号页面</h1><p>{varied_text(i) if varied else TEXT}</p><ul>{children}</ul>{broken}'
            f'<img src="/img/logo.png"><a href="/files/guide.pdf">办事指南</a>{FOOTER}</body></html>')
    return html.encode("utf-8")


class Site(resource.Resource):
    isLeaf = True

    def __init__(self, total: int, varied: bool = False):
        super().__init__()
        self.total = total
        self.varied = varied

    def render(self, request):  # noqa: ANN001, ANN201
        path = request.path.decode()
        if path in ("/", "/index.html"):
            body, ctype = page(0, self.total, self.varied), b"text/html; charset=utf-8"
        elif path.startswith("/p/") and path.endswith(".html") and path[3:-5].isdigit() and int(path[3:-5]) < self.total:
            body, ctype = page(int(path[3:-5]), self.total, self.varied), b"text/html; charset=utf-8"
        elif path in ("/img/logo.png", "/files/guide.pdf", "/wzdt/"):
            body, ctype = b"x" * 512, b"application/octet-stream"
        else:
            request.setResponseCode(404)
            body, ctype = b"<html><title>404</title><body>Not Found</body></html>", b"text/html"
        request.setHeader(b"content-type", ctype)
        if request.code == 200:  # validators, as nginx sends for static files: re-scans get 304s
            etag = b'"%d-%d"' % (len(body), hash(body) & 0xFFFFFFFF)
            request.setHeader(b"etag", etag)
            if request.getHeader(b"if-none-match") == etag:
                request.setResponseCode(304)
                return b""
        return b"" if request.method == b"HEAD" else body


def main() -> None:
    total, portfile, varied = int(sys.argv[1]), sys.argv[2], sys.argv[3:] == ["varied"]
    # a deep accept queue: a checker that opens a new connection per link (linkinator) is not refused
    port = reactor.listenTCP(0, server.Site(Site(total, varied)), backlog=4096, interface="127.0.0.1")
    with open(portfile, "w") as fh:
        fh.write(str(port.getHost().port))
    reactor.run()


if __name__ == "__main__":
    main()
