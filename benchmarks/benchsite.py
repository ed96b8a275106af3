"""A generated government-like site for benchmarks, served by Twisted in its own process.

``python benchmarks/benchsite.py PAGES PORTFILE`` serves PAGES pages on 127.0.0.1 (port written to
PORTFILE). Page i links to its children 10*i+1..10*i+10 (so every page is reachable), the homepage,
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


def page(i: int, total: int) -> bytes:
    children = "".join(f'<li><a href="/p/{c}.html">第{c}号文件</a><span>2026-11-{1 + c % 20:02d}</span></li>'
                       for c in range(10 * i + 1, min(10 * i + 11, total)))
    broken = '<a href="/missing/%d.html">旧链接</a><a href="/files/gone-%d.pdf">附件</a>' % (i, i) if i % 50 == 0 else ""
    html = (f'<html><head><meta charset="utf-8"><title>第{i}号页面 - 示例市人民政府</title>'
            f'<meta name="SiteName" content="示例市人民政府"><meta name="SiteDomain" content="127.0.0.1">'
            f'<meta name="SiteIDCode" content="1199000001"></head><body>'
            f'<div class="nav"><a href="/">首页</a><a href="/p/1.html">政务动态</a><a href="/p/2.html">通知公告</a></div>'
            f'<h1>第{i}号页面</h1><p>{TEXT}</p><ul>{children}</ul>{broken}'
            f'<img src="/img/logo.png"><a href="/files/guide.pdf">办事指南</a>{FOOTER}</body></html>')
    return html.encode("utf-8")


class Site(resource.Resource):
    isLeaf = True

    def __init__(self, total: int):
        super().__init__()
        self.total = total

    def render(self, request):  # noqa: ANN001, ANN201
        path = request.path.decode()
        if path in ("/", "/index.html"):
            body, ctype = page(0, self.total), b"text/html; charset=utf-8"
        elif path.startswith("/p/") and path.endswith(".html") and path[3:-5].isdigit() and int(path[3:-5]) < self.total:
            body, ctype = page(int(path[3:-5]), self.total), b"text/html; charset=utf-8"
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
    total, portfile = int(sys.argv[1]), sys.argv[2]
    # a deep accept queue: a checker that opens a new connection per link (linkinator) is not refused
    port = reactor.listenTCP(0, server.Site(Site(total)), backlog=4096, interface="127.0.0.1")
    with open(portfile, "w") as fh:
        fh.write(str(port.getHost().port))
    reactor.run()


if __name__ == "__main__":
    main()
