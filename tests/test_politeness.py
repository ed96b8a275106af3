"""The crawler never sends more parallel requests to a site than crawl.concurrency_per_site allows."""

from __future__ import annotations

import threading
import time

from crawl_helpers import latest_scan, register, run_worker, worker_env, write_settings
from xunjian.demo.server import send


def test_per_site_concurrency_is_enforced(sqlite_url, tmp_path, site_server):
    state = {"now": 0, "max": 0}
    lock = threading.Lock()

    def slow(handler):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.3)
        with lock:
            state["now"] -= 1
        send(handler, 200, b"<html><body>ok</body></html>")

    routes = {f"/p{i}.html": slow for i in range(16)}
    routes["/"] = lambda h: send(h, 200, ("<html><body>" + "".join(f'<a href="/p{i}.html">{i}</a>' for i in range(16))
                                          + "</body></html>").encode())
    site = site_server(routes=routes)
    register(sqlite_url, tmp_path, "polite", site.url)
    proc = run_worker("polite", worker_env(sqlite_url, write_settings(tmp_path, concurrency_per_site=3)))
    assert proc.returncode == 0, proc.stderr
    assert latest_scan(sqlite_url, "polite").pages_count == 17
    assert state["max"] == 3
