"""Page text from response bytes: Scrapy's decoding, except when a stale charset declaration lies.

Scrapy (w3lib) trusts the HTTP header, then a BOM, then the page's ``<meta charset>``. Government CMSs
migrated from GBK to UTF-8 often keep ``<meta charset="gb2312">`` on UTF-8 bytes, and the whole page turns
into mojibake. Bytes that decode as strict UTF-8 and hold non-ASCII characters are UTF-8 (GBK text is
practically never valid UTF-8), whatever the page declares.
"""

from __future__ import annotations

from typing import Any

_UTF8 = frozenset({"utf-8", "utf8", "utf_8"})


def response_text(response: Any) -> tuple[str, str]:
    """``(text, encoding)`` of a Scrapy ``TextResponse``, with stale non-UTF-8 declarations overridden."""
    encoding = (response.encoding or "").lower()
    if encoding in _UTF8:
        return response.text, response.encoding
    body: bytes = response.body
    if body.isascii():
        return response.text, response.encoding
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return response.text, response.encoding
    return text.removeprefix("\ufeff"), "utf-8"
