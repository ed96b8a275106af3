"""A hostile government site on 127.0.0.1: every hazard class a crawler meets in the wild, in one server.

``python tests/hostile_server.py PORTFILE [--huge-mib N] [--bomb-mib N] [--links N]`` serves until killed
and writes ``main_port silent_port`` to PORTFILE. The test (tests/test_hostile.py, short form) and the benchmark
(benchmarks/hostile_bench.py, full form) start it as a subprocess, so its own memory is not counted.

Hazards, each linked from the homepage (``HAZARDS`` maps a path to what it is):

- huge pages with and without Content-Length (``/huge-cl.html``, ``/huge-stream.html``, streamed, never built);
- gzip bombs: a page (``/bomb.html``) and images (``/bomb.png``, HEAD refused so it is fetched with GET;
  ``/bomb-img`` without a Content-Type);
- a page with N links to dead pages (``/links.html``), deep nesting (``/deep.html``), NUL bytes
  (``/nul.html``), invalid UTF-8 (``/badutf8.html``), a lying charset (``/liar.html``: GBK bytes declared UTF-8);
- slow (``/slow.html``: trickles one byte a second) and silent servers (``/silent.html`` and a second port that
  accepts and never answers);
- truncated (``/truncated.html``: Content-Length larger than what is sent) and reset (``/reset.html``) connections;
- endless calendars (``/cal?d=N``, ``/calendar/N/``) and redirects (``/redir/N`` endless, ``/loop-a`` <-> ``/loop-b``).
"""

from __future__ import annotations

import argparse
import signal
import socket
import socketserver
import struct
import subprocess
import sys
import threading
import time
import zlib
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psutil

MIB = 1024 * 1024
HAZARDS = {
    "/huge-cl.html": "huge page with Content-Length", "/huge-stream.html": "huge page without Content-Length",
    "/bomb.html": "gzip bomb page", "/bomb.png": "gzip bomb image", "/bomb-img": "gzip bomb image, no type",
    "/links.html": "page with many dead links", "/deep.html": "deep nesting", "/nul.html": "NUL bytes",
    "/badutf8.html": "invalid UTF-8", "/liar.html": "lying charset", "/slow.html": "trickling server",
    "/silent.html": "silent server", "/truncated.html": "truncated body", "/reset.html": "connection reset",
    "/cal?d=0": "endless calendar (query)", "/calendar/0/": "endless calendar (path)",
    "/redir/0": "endless redirects", "/loop-a": "redirect loop",
}
FOOTER = "<div class=footer>主办单位：示例市人民政府办公室 网站标识码：1199000001 京ICP备12345678号-1</div>"
PARA = "<p>为深入贯彻落实党中央、国务院决策部署，持续推进政务公开工作。</p>\n".encode()


@cache
def gzip_bomb(size: int, chunk: bytes = b"<p>" + b"0" * 1021) -> bytes:
    """A gzip stream that inflates to ``size`` bytes of HTML-ish text (about 1/1000 of it on the wire)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = chunk * (MIB // len(chunk))
    parts = [comp.compress(b"<html><body>")]
    parts += [comp.compress(block) for _ in range(size // MIB)]
    parts.append(comp.flush())
    return b"".join(parts)


class Handler(socketserver.BaseRequestHandler):
    server: HostileServer

    def setup(self) -> None:
        self.request.settimeout(120)

    def handle(self) -> None:
        try:
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                data = self.request.recv(4096)
                if not data:
                    return
                head += data
            method, target = head.split(b" ", 2)[:2]
            self.method = method.decode()
            self.server.hits.append(target.decode())
            self.route(target.decode())
        except OSError:
            pass

    def send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None, length: int | None = None) -> None:
        lines = [f"HTTP/1.1 {status} X", f"Content-Type: {ctype}" if ctype else "", "Connection: close"]
        if length is not None or body is not None:
            lines.append(f"Content-Length: {len(body) if length is None else length}")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.request.sendall(("\r\n".join(x for x in lines if x) + "\r\n\r\n").encode())
        if self.method != "HEAD" and body:
            self.request.sendall(body)

    def stream(self, total: int, content_length: bool) -> None:
        head = b"<html><head><meta charset=utf-8><title>\xe5\xb7\xa8\xe5\x9e\x8b\xe9\xa1\xb5\xe9\x9d\xa2</title></head><body>"
        headers = f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n"
        if content_length:
            headers += f"Content-Length: {total}\r\n"
        self.request.sendall((headers + "\r\n").encode())
        if self.method == "HEAD":
            return
        self.request.sendall(head)
        block = PARA * (65536 // len(PARA))
        sent = len(head)
        while sent + len(block) <= total:
            self.request.sendall(block)
            sent += len(block)
            if self.server.opts.throttle:
                time.sleep(self.server.opts.throttle)
        self.request.sendall(b" " * (total - sent))

    def route(self, target: str) -> None:  # noqa: C901, PLR0912 - one branch per hazard
        url = urlsplit(target)
        path, opts = url.path, self.server.opts
        if path == "/" and opts.home:
            path = opts.home  # the hazard is the homepage itself
        if path in ("/", "/index.html"):
            chosen = [p for p in HAZARDS if not opts.only or p in opts.only]
            links = "".join(f'<li><a href="{p}">{HAZARDS[p]}</a></li>' for p in chosen)
            images = "" if opts.only else '<img src="/bomb.png"><img src="/bomb-img">'

            body = (f"<html><head><meta charset=utf-8><title>恶意站点测试首页</title></head><body><ul>{links}</ul>"
                    f'{images}<a href="http://127.0.0.1:{self.server.silent_port}/">无响应的服务器</a>{FOOTER}</body></html>')
            return self.send(200, body.encode())
        if path == "/huge-cl.html":
            return self.stream(opts.huge_mib * MIB, True)
        if path == "/huge-stream.html":
            return self.stream(opts.huge_mib * MIB, False)
        if path in ("/bomb.html", "/bomb.png", "/bomb-img"):
            if path == "/bomb.png" and self.method == "HEAD":
                return self.send(405, b"")
            ctype = {"/bomb.html": "text/html; charset=utf-8", "/bomb.png": "image/png", "/bomb-img": ""}[path]
            return self.send(200, gzip_bomb(opts.bomb_mib * MIB), ctype, {"Content-Encoding": "gzip"})
        if path == "/links.html":
            links = "".join(f'<a href="/dead/{i}.html">链接{i}</a>\n' for i in range(opts.links))
            return self.send(200, f"<html><head><title>链接很多的页面</title></head><body>{links}{FOOTER}</body></html>".encode())
        if path.startswith("/dead/"):
            return self.send(404, b"<html><title>404</title><body>Not Found</body></html>")
        if path == "/deep.html":
            depth = 100000
            return self.send(200, b"<html><body>" + b"<div>" * depth + "深层".encode() + b"</div>" * depth + b"</body></html>")
        if path == "/nul.html":
            return self.send(200, "<html><head><title>空\x00字符</title></head><body>\x00政务\x00公开\x00</body></html>".encode())
        if path == "/badutf8.html":
            return self.send(200, b"<html><head><title>\xff\xfe\xc3\x28</title></head><body>\xe6\x94\xbf\xff\xa0\xa1</body></html>")
        if path == "/liar.html":
            body = "<html><head><meta charset=utf-8><title>政务公开</title></head><body>欢迎访问政府网站</body></html>"
            return self.send(200, body.encode("gbk"), "text/html; charset=utf-8")
        if path == "/slow.html":
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html>")
            for _ in range(600):
                time.sleep(1)
                self.request.sendall(b" ")
            return None
        if path == "/silent.html":
            time.sleep(600)
            return None
        if path == "/truncated.html":
            self.send(200, None, length=100000)  # type: ignore[arg-type]
            self.request.sendall(b"<html><body>" + PARA * 20)
            return None
        if path == "/reset.html":
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 50000\r\n\r\n<html><body>")
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return None  # closing with linger 0 sends RST
        if path == "/cal":
            day = int(parse_qs(url.query).get("d", ["0"])[0] or 0)
            return self.send(200, f'<html><body><a href="/cal?d={day + 1}">下一天</a><a href="/cal?d={day - 1}">上一天</a></body></html>'.encode())
        if path.startswith("/calendar/"):
            day = int(path.split("/")[2] or 0)
            return self.send(200, f'<html><body><a href="/calendar/{day + 1}/">下一天</a></body></html>'.encode())
        if path.startswith("/redir/"):
            return self.send(302, b"", headers={"Location": f"/redir/{int(path[7:] or 0) + 1}"})
        if path in ("/loop-a", "/loop-b"):
            return self.send(302, b"", headers={"Location": "/loop-b" if path == "/loop-a" else "/loop-a"})
        return self.send(404, b"<html><title>404</title><body>Not Found</body></html>")


class HostileServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, opts: argparse.Namespace):
        super().__init__(("127.0.0.1", 0), Handler)
        self.opts = opts
        self.hits: list[str] = []
        self.silent = socket.socket()
        self.silent.bind(("127.0.0.1", 0))
        self.silent.listen(64)  # accepts (the kernel completes the handshake) and never answers
        self.silent_port = self.silent.getsockname()[1]


# -- client side: start the server, watch a scan's process tree -------------------------------------------

def start_server(workdir: Path, *args: str) -> tuple[subprocess.Popen, int, int]:
    portfile = workdir / "hostile.port"
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), str(portfile), *args])
    for _ in range(600):
        if portfile.exists() and portfile.read_text().strip():
            main_port, silent = portfile.read_text().split()
            return proc, int(main_port), int(silent)
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("hostile server did not start")


def tree_rss(ps: psutil.Process) -> int:
    try:
        procs = [ps, *ps.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def watch(proc: subprocess.Popen, sigterm_when=None, timeout: float = 900, kill_above_mb: float = 4000) -> dict:
    """Sample the process tree until the worker exits; send SIGTERM once ``sigterm_when()`` is true."""
    ps = psutil.Process(proc.pid)
    peak, start, term_at = 0, time.monotonic(), None
    while proc.poll() is None:
        peak = max(peak, tree_rss(ps))
        if sigterm_when is not None and term_at is None and sigterm_when():
            proc.send_signal(signal.SIGTERM)
            term_at = time.monotonic()
        if time.monotonic() - start > timeout or peak > kill_above_mb * 1e6:
            proc.kill()
        time.sleep(0.1)
    end = time.monotonic()
    return {"exit": proc.returncode, "seconds": round(end - start, 1), "peak_rss_mb": round(peak / 1e6),
            "stop_seconds": round(end - term_at, 1) if term_at else None}



def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="hostile site on 127.0.0.1")
    parser.add_argument("portfile", nargs="?")
    parser.add_argument("--huge-mib", type=int, default=50)
    parser.add_argument("--bomb-mib", type=int, default=1024)
    parser.add_argument("--links", type=int, default=20000)
    parser.add_argument("--throttle", type=float, default=0, help="seconds of pause per 64 KiB of huge pages")
    parser.add_argument("--home", default=None, help="serve this hazard path as the homepage")
    parser.add_argument("--only", action="append", default=[], help="link only these hazard paths from the homepage")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    opts = options(argv)
    gzip_bomb(opts.bomb_mib * MIB)  # built before the port is announced
    server = HostileServer(opts)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with open(opts.portfile, "w") as fh:
        fh.write(f"{server.server_address[1]} {server.silent_port}")
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main(sys.argv[1:])
