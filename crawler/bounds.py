"""Bounded input: every response, page text and link list has a ceiling, and every cut is recorded.

A hostile or broken site must not be able to take a scan's memory with one page. The wire is capped by
:class:`~xunjian.crawler.bodylimit.BodyLimit` (``crawl.max_response_bytes``, streamed, with or without
Content-Length). This module caps the rest:

- :class:`BoundedDecompression` replaces Scrapy's ``HttpCompressionMiddleware``. Scrapy 2.19 bounds
  decompression by ``DOWNLOAD_MAXSIZE`` but then *fails* the request (``IgnoreRequest``), and xunjian runs
  with ``DOWNLOAD_MAXSIZE: 0`` (BodyLimit cuts bodies without failing them), so a 1 MiB gzip stream used
  to inflate to 1 GiB and be decoded, parsed and checked whole (measured: 128 MiB inflated took the
  scan's process tree to 3 GB). Here the body is inflated in 64 KiB steps and cut at the request's
  ``xj_max_body`` (``crawl.max_response_bytes`` for pages, 64 KiB for link probes); the response gets the
  flag ``xj_inflate_cut`` and the page record says it was truncated.
- :func:`bounded_html` caps the decoded text handed to lxml and to the page checks at
  ``bounds.max_parse_chars`` and replaces NUL characters (PostgreSQL text cannot hold them; lxml drops
  text after them).
- :func:`record_cut` writes what was cut into the page's facts (``facts["bounds"]``, stored with the page)
  and the scan's stats (``bounds/*``), so a cut is never silent.

Nesting depth is bounded by libxml2 itself: without ``huge_tree`` (never set in xunjian) its HTML parser
stops nesting at 255 levels, so recursive walks of the tree stay far below Python's recursion limit.
"""

from __future__ import annotations

import logging
import zlib
from io import BytesIO
from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.http import TextResponse
from scrapy.responsetypes import responsetypes

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.http import Response

    from xunjian.records import PageRecord

logger = logging.getLogger(__name__)

CHUNK = 65536
PROBE_LIMIT = 65536  # a request that wanted headers only never inflates more than this
INFLATE_CUT = "xj_inflate_cut"


def _inflate_zlib(data: bytes, limit: int, wbits: int) -> tuple[bytes, bool]:
    """zlib/gzip (``wbits``) in bounded steps; multi-member gzip followed; a broken stream keeps its start."""
    out = BytesIO()
    size = 0
    while data:
        d = zlib.decompressobj(wbits)
        try:
            chunk = d.decompress(data, CHUNK)
            while True:
                size += len(chunk)
                out.write(chunk)
                if size > limit:
                    return out.getvalue()[:limit], True
                if not d.unconsumed_tail or d.eof:
                    break
                chunk = d.decompress(d.unconsumed_tail, CHUNK)
        except zlib.error:
            if size == 0 and wbits == 15:
                return _inflate_zlib(data, limit, -15)  # raw deflate, as some Microsoft servers send it
            break
        data = d.unused_data if d.eof else b""
    return out.getvalue(), False


def _inflate_brotli(data: bytes, limit: int) -> tuple[bytes, bool]:
    try:
        import brotli
    except ImportError:  # pragma: no cover - scrapy depends on brotli or brotlicffi
        import brotlicffi as brotli
    d = brotli.Decompressor()
    out, size = BytesIO(), 0
    try:
        chunk = d.process(data, output_buffer_limit=CHUNK)
        while chunk:
            size += len(chunk)
            out.write(chunk)
            if size > limit:
                return out.getvalue()[:limit], True
            if d.is_finished():
                break
            chunk = d.process(b"", output_buffer_limit=CHUNK)
    except brotli.error:
        pass
    return out.getvalue(), False


def _inflate_zstd(data: bytes, limit: int) -> tuple[bytes, bool]:
    import sys

    if sys.version_info >= (3, 14):
        from compression import zstd
    else:
        from backports import zstd
    reader, out, size = zstd.ZstdFile(BytesIO(data)), BytesIO(), 0
    try:
        while chunk := reader.read(CHUNK):
            size += len(chunk)
            out.write(chunk)
            if size > limit:
                return out.getvalue()[:limit], True
    except (EOFError, zstd.ZstdError):
        pass
    return out.getvalue(), False


def inflate(body: bytes, encoding: bytes, limit: int) -> tuple[bytes, bool]:
    """``body`` decoded from one content encoding, at most ``limit`` bytes: (bytes, cut)."""
    if encoding in (b"gzip", b"x-gzip"):
        return _inflate_zlib(body, limit, 47)  # 32 + 15: gzip or zlib header, detected
    if encoding == b"deflate":
        return _inflate_zlib(body, limit, 15)
    if encoding == b"br":
        return _inflate_brotli(body, limit)
    if encoding == b"zstd":
        return _inflate_zstd(body, limit)
    return body, False


class BoundedDecompression(HttpCompressionMiddleware):
    """Scrapy's HttpCompressionMiddleware, cutting (not failing, not holding whole) a body that inflates
    past the request's byte cap. Setting: ``DOWNLOADER_MIDDLEWARES`` (replaces the stock one at 590)."""

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        encodings = response.headers.getlist("Content-Encoding")
        if request.method == "HEAD" or not encodings:
            return response
        limit = request.meta.get("xj_max_body") or (PROBE_LIMIT if "xj_max_body" in request.meta else self._max_size)
        limit = limit or PROBE_LIMIT * 160  # no cap given anywhere: 10 MiB
        to_decode, to_keep = self._split_encodings(encodings)
        body, cut = response.body, False
        for encoding in to_decode:
            body, cut_here = inflate(body, encoding, limit)
            cut = cut or cut_here
        if self.stats:
            self.stats.inc_value("httpcompression/response_bytes", len(body))
            self.stats.inc_value("httpcompression/response_count")
            if cut:
                self.stats.inc_value("bounds/inflate_cut")
        if cut:
            logger.info("解压后超过 %d 字节，已截断: %s", limit, response.url)
        if to_keep:
            response.headers["Content-Encoding"] = to_keep
        else:
            del response.headers["Content-Encoding"]
        respcls = responsetypes.from_args(headers=response.headers, url=response.url, body=body)
        kwargs: dict[str, Any] = {"body": body}
        if issubclass(respcls, TextResponse):
            kwargs["encoding"] = None
        flags = [*response.flags, INFLATE_CUT] if cut else response.flags
        return response.replace(cls=respcls, flags=flags, **kwargs)


def bounded_html(text: str, max_chars: int) -> tuple[str, bool]:
    """The page text lxml and the checks get: NULs replaced, at most ``max_chars`` characters."""
    cut = len(text) > max_chars
    if cut:
        text = text[:max_chars]
    if "\x00" in text:
        text = text.replace("\x00", " ")
    return text, cut


def record_cut(record: PageRecord, stats: Any, what: str, amount: int, note: str) -> None:
    """Write one cut into the page's facts (stored with the page) and the scan's stats."""
    first = "bounds" not in record.facts
    bounds = record.facts.setdefault("bounds", {})
    bounds[what] = amount
    notes = bounds.setdefault("notes", [])
    if note not in notes:
        notes.append(note)
    if stats is not None:
        stats.inc_value(f"bounds/{what}", amount)
        if first:
            stats.inc_value("bounds/pages_cut")


def links_beyond(tree: Any, page_url: str, strip_params: frozenset[str], kept: list[Any]) -> int:
    """How many distinct link targets of the page were not extracted (after the first ``len(kept)``)."""
    from urllib.parse import urljoin

    from xunjian.crawler.extract import _candidates, resolve  # noqa: PLC2701 - the extractor's own walk

    base_el = tree.find(".//base[@href]")
    base = urljoin(page_url, base_el.get("href", "").strip()) if base_el is not None else page_url
    known = {link.url for link in kept}
    extra: set[int] = set()
    for _el, _tag, raw, _kind in _candidates(tree):
        url = resolve(base, raw, strip_params)
        if url is not None and url not in known:
            extra.add(hash(url))
    return len(extra)


def _strict(body: bytes, encoding: str) -> str | None:
    """``body`` decoded without a single error (a character cut by the byte cap at the end is allowed)."""
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.start >= len(body) - 4 and exc.reason != "invalid start byte":
            return body[:exc.start].decode(encoding, errors="replace")
        return None
    except LookupError:
        return None


def decoded_text(body: bytes, declared: str, text: str, record: PageRecord, stats: Any) -> str:
    """The page text, with a lying charset corrected and undecodable bytes recorded.

    ``text`` is Scrapy's decoding with the declared charset (header, meta, BOM). UTF-8 bytes declared as
    another charset are read as UTF-8 (a GBK text is hardly ever valid UTF-8); a UTF-8 declaration whose
    bytes do not decode is tried as GB18030; what stays undecodable is counted in the page's facts.
    """
    name = (declared or "").lower().replace("_", "-")
    if record.truncated and text.endswith("\ufffd"):
        text = text.rstrip("\ufffd")  # a character cut in two by the byte cap, not a wrong byte
    bad = text.count("\ufffd")
    utf8 = name in ("utf-8", "utf8")
    candidates = ["gb18030"] if utf8 and bad else [] if utf8 else ["utf-8"]
    if not utf8 and not bad and body.isascii():
        candidates = []
    for encoding in candidates:
        alt = _strict(body, encoding)
        if alt is not None and alt.count("\ufffd") < max(bad, 1):
            record.encoding = encoding
            record_cut(record, stats, "charset_corrected", 1, f"声明的字符集 {declared} 与内容不符，已按 {encoding} 解码")
            return alt
    if bad:
        record_cut(record, stats, "undecodable_chars", bad, f"页面含 {bad} 处无法按 {declared} 解码的字节")
    return text


def response_text(response: Any) -> tuple[str, str]:
    """``(text, encoding)`` of a Scrapy response as the crawler reads it (:func:`decoded_text`, nothing recorded):
    for readers of saved pages that must see what a scan sees."""
    from xunjian.records import PageRecord

    record = PageRecord(url=response.url, final_url=response.url, status=response.status, encoding=response.encoding)
    text = decoded_text(response.body, response.encoding, response.text, record, None)
    return text, record.encoding or response.encoding


def note_depth(record: PageRecord, stats: Any) -> None:
    """libxml2 flattens nesting deeper than 255 levels (no ``huge_tree``): say so with the page."""
    tree = record.tree
    if tree is not None and tree.xpath("boolean(//*[count(ancestor::*) >= 250])"):
        record_cut(record, stats, "nesting_depth_cut_at", 255, "页面嵌套超过 255 层，更深的标签按同层处理")
