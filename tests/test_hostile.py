"""A scan of a hostile site (tests/hostile_server.py, short form): it completes, the scan's whole process tree
stays under 1 GB, every hazard gets a recorded cut or error, and SIGTERM during the largest page stops it
within 10 s. The full form is ``benchmarks/hostile_bench.py``."""

from __future__ import annotations

import subprocess
import sys
import time

import psutil
import pytest
import yaml

from crawl_helpers import latest_scan, pages, register, results_by_target, worker_env
from hostile_server import start_server, watch

MB = 1_000_000
LINKS, LINK_CAP = 20000, 500


def _settings(tmp_path, **bounds):
    data = {"crawl": {"timeout": 3, "retry_times": 0, "concurrency_per_site": 8, "autothrottle": False,
                      "max_depth": 4, "max_query_variants": 10, "max_response_bytes": 4 * 1024 * 1024},
            "bounds": {"max_links_per_page": LINK_CAP, **bounds}}
    path = tmp_path / "hostile-settings.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture
def hostile(tmp_path):
    servers = []

    def start(*args: str):
        proc, port, silent = start_server(tmp_path, *args)
        servers.append(proc)
        return f"http://127.0.0.1:{port}/", silent

    yield start
    for proc in servers:
        proc.terminate()
        proc.wait(10)


def _cuts(page) -> dict:
    return (page.facts or {}).get("bounds", {})


def test_hostile_site_is_survived_within_bounds(sqlite_url, tmp_path, hostile):
    base, silent = hostile("--huge-mib", "20", "--bomb-mib", "256", "--links", str(LINKS))
    register(sqlite_url, tmp_path, "hostile", base)
    proc = subprocess.Popen([sys.executable, "-m", "xunjian.worker", "hostile", "--as-of", "2026-11-22"],
                            env=worker_env(sqlite_url, _settings(tmp_path)), stderr=subprocess.DEVNULL)
    figures = watch(proc, timeout=150)
    print("hostile scan:", figures)
    assert figures["exit"] == 0, figures
    assert figures["peak_rss_mb"] < 1000, figures  # crawler + check process, sampled every 0.1 s
    scan = latest_scan(sqlite_url, "hostile")
    assert scan.status == "complete"
    stored, results = pages(sqlite_url, scan.id), results_by_target(sqlite_url, scan.id)
    page = lambda path: stored[base + path.lstrip("/")]  # noqa: E731

    for path in ("/huge-cl.html", "/huge-stream.html"):  # cut on the wire (or timed out), with or without length
        assert _cuts(page(path)).get("wire_bytes_cut_at") == 4 * 1024 * 1024 or page(path).error == "超时", path
    for path in ("/bomb.html", "/bomb-img"):  # inflated only up to the cap, the cut recorded
        assert _cuts(page(path))["inflated_bytes_cut_at"] == 4 * 1024 * 1024
        assert page(path).bytes == 4 * 1024 * 1024
    bomb_png = results[base + "bomb.png"]  # HEAD refused, GET stopped at the headers (or timed out: a loaded machine)
    assert bomb_png.outcome == "ok" or (bomb_png.outcome, bomb_png.reason) == ("broken", "超时"), bomb_png
    assert _cuts(page("/links.html"))["links_not_checked"] == LINKS - LINK_CAP
    assert "未核验" in _cuts(page("/links.html"))["notes"][0]
    assert len([u for u in stored if "/dead/" in u]) == LINK_CAP  # the first LINK_CAP were all checked
    assert _cuts(page("/deep.html"))["nesting_depth_cut_at"] == 255
    assert _cuts(page("/nul.html"))["nul_chars"] == 4 and "\x00" not in page("/nul.html").title
    assert _cuts(page("/badutf8.html"))["undecodable_chars"] >= 2
    assert _cuts(page("/liar.html"))["charset_corrected"] == 1 and page("/liar.html").title == "政务公开"
    for path in ("/slow.html", "/silent.html"):
        assert page(path).error == "超时"
    assert results[f"http://127.0.0.1:{silent}/"].reason == "超时"
    for path in ("/truncated.html", "/reset.html"):
        assert page(path).error == "连接中断，未收到响应"
    assert page("/redir/0").error.startswith("重定向次数过多")  # endless, never repeating: browsers give up at 20
    assert page("/loop-a").error == "重定向循环"
    assert len([u for u in stored if "/cal?" in u]) <= 10  # endless calendars: query variants and depth
    assert len([u for u in stored if "/calendar/" in u]) <= 4
    assert (scan.stats or {}).get("bounds/pages_cut", 0) >= 7


def test_sigterm_during_the_largest_page_stops_within_10_s(sqlite_url, tmp_path, hostile):
    base, _ = hostile("--huge-mib", "2000", "--throttle", "0.03", "--only", "/huge-stream.html", "--only", "/slow.html",
                      "--only", "/silent.html")
    register(sqlite_url, tmp_path, "term", base)
    settings = _settings(tmp_path)
    data = yaml.safe_load(settings.read_text())
    data["crawl"].update(timeout=120, max_response_bytes=40 * 1024 * 1024)  # the largest page takes about 20 s
    settings.write_text(yaml.safe_dump(data), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "xunjian.worker", "term", "--as-of", "2026-11-22"],
                            env=worker_env(sqlite_url, settings), stderr=subprocess.DEVNULL)
    started = time.monotonic()

    def homepage_stored_and_download_under_way() -> bool:
        scan = latest_scan(sqlite_url, "term")
        return scan is not None and scan.pages_count >= 1 and time.monotonic() - started > 4

    figures = watch(proc, sigterm_when=homepage_stored_and_download_under_way, timeout=120)
    assert figures["stop_seconds"] is not None and figures["stop_seconds"] <= 10, figures
    assert figures["exit"] == 130
    scan = latest_scan(sqlite_url, "term")
    assert scan.status == "interrupted" and scan.finished_at is not None
    assert base in pages(sqlite_url, scan.id)  # what was fetched is kept
    assert not [p for p in psutil.process_iter(["cmdline"]) if "term" in (p.info["cmdline"] or [])
                and "xunjian.worker" in (p.info["cmdline"] or [])]  # no scan left running


def test_malformed_pages_are_stored_on_both_databases(db_url, tmp_path, hostile):
    """NUL bytes (PostgreSQL text refuses them), invalid UTF-8 and a lying charset: stored, the oddity recorded."""
    base, _ = hostile("--bomb-mib", "64", "--only", "/nul.html", "--only", "/badutf8.html", "--only", "/liar.html",
                      "--only", "/bomb.html")
    register(db_url, tmp_path, "odd", base)
    proc = subprocess.run([sys.executable, "-m", "xunjian.worker", "odd", "--as-of", "2026-11-22"],
                          env=worker_env(db_url, _settings(tmp_path)), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    stored = pages(db_url, latest_scan(db_url, "odd").id)
    assert _cuts(stored[base + "nul.html"])["nul_chars"] == 4
    assert stored[base + "nul.html"].title == "空 字符"
    assert "undecodable_chars" in _cuts(stored[base + "badutf8.html"])
    assert stored[base + "liar.html"].title == "政务公开" and stored[base + "liar.html"].encoding == "gb18030"
    assert _cuts(stored[base + "bomb.html"])["inflated_bytes_cut_at"] == 4 * 1024 * 1024
