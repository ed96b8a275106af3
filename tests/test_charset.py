"""Page decoding (crawler/bounds.py, the crawler's own): a stale <meta charset> on UTF-8 bytes must not turn a page into mojibake."""

from __future__ import annotations

from scrapy.http import HtmlResponse

from xunjian.crawler.bounds import response_text

TEXT = "<html><head><meta http-equiv='Content-Type' content='text/html; charset={cs}'></head><body>主办：青川区人民政府</body></html>"


def _response(body: bytes, ctype: str = "text/html") -> HtmlResponse:
    return HtmlResponse(url="http://127.0.0.1:1/", body=body, headers={"Content-Type": ctype})


def test_utf8_bytes_declaring_gb2312_are_read_as_utf8():
    response = _response(TEXT.format(cs="gb2312").encode("utf-8"))
    assert "主办：青川区人民政府" not in response.text  # what Scrapy alone makes of it
    text, encoding = response_text(response)
    assert "主办：青川区人民政府" in text and encoding == "utf-8"


def test_real_gbk_pages_stay_gbk():
    text, encoding = response_text(_response(TEXT.format(cs="gbk").encode("gbk")))
    assert "主办：青川区人民政府" in text and encoding.lower() in ("gbk", "gb18030")


def test_declared_utf8_and_ascii_pages_are_untouched():
    body = TEXT.format(cs="utf-8").encode("utf-8")
    assert response_text(_response(body))[0] == _response(body).text
    ascii_body = b"<html><head><meta charset='gb2312'></head><body>ok</body></html>"
    assert response_text(_response(ascii_body))[0] == _response(ascii_body).text


def test_header_charset_wrong_too():
    """A server header naming GBK over UTF-8 bytes is as stale as the meta (CMS migrations keep both)."""
    text, _ = response_text(_response(TEXT.format(cs="gbk").encode("utf-8"), "text/html; charset=GBK"))
    assert "主办：青川区人民政府" in text
