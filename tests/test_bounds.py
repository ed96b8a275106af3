"""Units of crawler/bounds.py: bounded inflation for every content encoding, charset correction, text caps."""

from __future__ import annotations

import gzip
import zlib

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from xunjian.crawler.bounds import INFLATE_CUT, BoundedDecompression, bounded_html, decoded_text, inflate
from xunjian.records import PageRecord

BIG = b"<p>" + b"x" * 1021


def _encoded(name: str, data: bytes) -> bytes:
    if name == "gzip":
        return gzip.compress(data)
    if name == "deflate":
        return zlib.compress(data)
    if name == "br":
        import brotli

        return brotli.compress(data)
    from backports import zstd

    return zstd.compress(data)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "zstd"])
def test_inflate_stops_at_the_cap(encoding):
    data = BIG * 4096  # 4 MiB
    body, cut = inflate(_encoded(encoding, data), encoding.encode(), 100_000)
    assert cut and body == data[:100_000]
    body, cut = inflate(_encoded(encoding, b"<html>ok</html>"), encoding.encode(), 100_000)
    assert not cut and body == b"<html>ok</html>"


def test_raw_deflate_multi_member_gzip_and_broken_streams_keep_their_start():
    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    assert inflate(raw.compress(b"abc") + raw.flush(), b"deflate", 100) == (b"abc", False)
    assert inflate(gzip.compress(b"one") + gzip.compress(b"two"), b"gzip", 100) == (b"onetwo", False)
    stream = gzip.compress(BIG * 100)
    body, cut = inflate(stream[: len(stream) // 2], b"gzip", 10**6)
    assert not cut and 0 < len(body) < len(BIG) * 100 and (BIG * 100).startswith(body)


def test_middleware_cuts_a_gzip_bomb_and_flags_it():
    mw = BoundedDecompression.from_crawler(get_crawler())
    bomb = gzip.compress(b"<html><body>" + BIG * 20000)  # 20 MB inflated, 20 KB on the wire
    request = Request("http://127.0.0.1/p.html", meta={"xj_max_body": 1 << 20})
    response = Response(request.url, body=bomb, request=request,
                        headers={"Content-Encoding": "gzip", "Content-Type": "text/html; charset=utf-8"})
    out = mw.process_response(request, response)
    assert isinstance(out, HtmlResponse) and len(out.body) == 1 << 20 and INFLATE_CUT in out.flags
    assert b"Content-Encoding" not in out.headers
    probe = Request(request.url, meta={"xj_max_body": 0})  # headers only: never more than a probe
    out = mw.process_response(probe, Response(request.url, body=bomb, request=probe, headers={"Content-Encoding": "gzip"}))
    assert len(out.body) == 65536


def test_lying_charsets_are_corrected_and_bad_bytes_counted():
    record = PageRecord(url="u", final_url="u", status=200)
    gbk = "政务公开".encode("gbk")
    assert decoded_text(gbk, "utf-8", gbk.decode("utf-8", "replace"), record, None) == "政务公开"
    assert record.encoding == "gb18030" and record.facts["bounds"]["charset_corrected"] == 1
    record = PageRecord(url="u", final_url="u", status=200)
    utf8 = "政务公开".encode()
    assert decoded_text(utf8, "gb2312", utf8.decode("gb18030", "replace"), record, None) == "政务公开"
    record = PageRecord(url="u", final_url="u", status=200)
    bad = b"\xff\xfe ok"
    decoded_text(bad, "utf-8", bad.decode("utf-8", "replace"), record, None)
    assert record.facts["bounds"]["undecodable_chars"] == 2
    assert bounded_html("a\x00b" * 10, 6) == ("a ba b", True)
