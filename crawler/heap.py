"""Keep the garbage collector's full passes off the heap the crawl starts with.

By the time the crawl starts, the process holds ~130,000 long-lived objects (Scrapy, Twisted, SQLAlchemy, the
check families' modules and rules). Python's full collections walk every one of them each time: profiled, a
third of the crawler process's CPU went to the collector. :func:`settle` moves them out of its sight
(``gc.freeze``) once, just before the reactor starts; they are never freed anyway.
"""

from __future__ import annotations

import gc


def settle() -> None:
    gc.collect()
    gc.freeze()
