"""A small static-site HTTP server for the demo, the tests and the benchmarks (127.0.0.1, port 0).

Serves files from a folder with the right content type (``.html`` pages may be GBK: the bytes are sent
as they are, the page's own ``<meta charset>`` tells the crawler), plus *behaviour routes* that
real government sites show (Scrapy's ``tests/mockserver`` pattern): ``/_status/404``,
``/_delay/3``, ``/_drop``, ``/_redirect-loop``, ``/_redirect?to=``, ``/_waf`` (a JavaScript challenge
answering 412), ``/_soft404`` (an error page with status 200), ``/_gbk``. A test can add its own
routes: a callable ``(handler) -> None`` per path.
"""

from __future__ import annotations

import mimetypes
import posixpath
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

Route = Callable[[BaseHTTPRequestHandler], None]

WAF_CHALLENGE = (
    b"<html><head><script>var _0x1=\"acw_sc__v2\";document.cookie='acw_sc__v2=8f2d;path=/';"
    b"setTimeout(function(){location.reload()},500);</script></head><body></body></html>"
)
SOFT_404 = "<html><head><title>404 页面不存在</title></head><body><h1>抱歉，您访问的页面不存在或已被删除！</h1></body></html>"


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
         headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(body)))
    for k, v in (headers or {}).items():
        handler.send_header(k, v)
    handler.end_headers()
    if handler.command != "HEAD":
        try:
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _status(h: BaseHTTPRequestHandler, rest: str) -> None:
    code = int(rest or "200")
    send(h, code, f"<html><body>status {code}</body></html>".encode())


def _delay(h: BaseHTTPRequestHandler, rest: str) -> None:
    time.sleep(float(rest or "1"))
    send(h, 200, b"<html><body>slow</body></html>")


def _drop(h: BaseHTTPRequestHandler, rest: str) -> None:
    h.close_connection = True
    h.connection.close()


def _redirect_loop(h: BaseHTTPRequestHandler, rest: str) -> None:
    n = int(rest or "0")
    send(h, 302, b"", headers={"Location": f"/_redirect-loop/{(n + 1) % 2}"})


def _redirect(h: BaseHTTPRequestHandler, rest: str) -> None:
    to = parse_qs(urlsplit(h.path).query).get("to", ["/"])[0]
    send(h, 301, b"", headers={"Location": to})


def _waf(h: BaseHTTPRequestHandler, rest: str) -> None:
    send(h, 412, WAF_CHALLENGE)


def _soft404(h: BaseHTTPRequestHandler, rest: str) -> None:
    send(h, 200, SOFT_404.encode())


def _gbk(h: BaseHTTPRequestHandler, rest: str) -> None:
    body = ("<html><head><meta charset=\"gbk\"><title>政务公开</title></head>"
            "<body><p>市人民政府办公室关于印发通知</p></body></html>").encode("gbk")
    send(h, 200, body, ctype="text/html")


BEHAVIOURS: dict[str, Callable[[BaseHTTPRequestHandler, str], None]] = {
    "_status": _status, "_delay": _delay, "_drop": _drop, "_redirect-loop": _redirect_loop,
    "_redirect": _redirect, "_waf": _waf, "_soft404": _soft404, "_gbk": _gbk,
}


class _Handler(BaseHTTPRequestHandler):
    server: SiteServer._Server  # type: ignore[name-defined]
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        self.server.owner.hits.append(self.path)

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        owner = self.server.owner
        path = unquote(urlsplit(self.path).path)
        if path in owner.routes:
            owner.routes[path](self)
            return
        first, _, rest = path.lstrip("/").partition("/")
        if first in BEHAVIOURS:
            BEHAVIOURS[first](self, rest)
            return
        self._file(path)

    def _file(self, path: str) -> None:
        root = self.server.owner.root
        if root is None:
            send(self, 404, b"not found")
            return
        rel = posixpath.normpath(path).lstrip("/")
        target = (root / rel).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not str(target).startswith(str(root)) or not target.is_file():
            send(self, 404, b"<html><head><title>404 Not Found</title></head><body>Not Found</body></html>")
            return
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype == "text/html":
            ctype = "text/html"  # charset from the page's own meta (some pages are GBK)
        send(self, 200, target.read_bytes(), ctype=ctype)


class SiteServer:
    """Serve ``root`` (or only routes) on 127.0.0.1 in a background thread; use as a context manager."""

    class _Server(ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True
        owner: SiteServer

    def __init__(self, root: str | Path | None = None, routes: dict[str, Route] | None = None, port: int = 0):
        self.root = Path(root).resolve() if root else None
        self.routes = dict(routes or {})
        self.hits: list[str] = []
        self._server = self._Server(("127.0.0.1", port), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, name="site-server", daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> SiteServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
