"""The yardstick: a bare Scrapy spider that only follows same-site links (no checks, no storage).

``python benchmarks/bare_spider.py URL CONCURRENCY`` prints JSON: pages, seconds, pages_per_s.
"""

from __future__ import annotations

import json
import sys
import time

import scrapy
from scrapy.crawler import CrawlerProcess


class Bare(scrapy.Spider):
    name = "bare"

    def __init__(self, url: str, **kw):  # noqa: ANN003
        super().__init__(**kw)
        self.start_urls = [url]
        self.pages = 0

    def parse(self, response):  # noqa: ANN001, ANN201
        self.pages += 1
        for href in response.css("a::attr(href)").getall():
            if href.endswith(".html") or href.endswith("/"):
                yield response.follow(href, callback=self.parse)


def main() -> None:
    url, conc = sys.argv[1], int(sys.argv[2])
    process = CrawlerProcess({"LOG_LEVEL": "ERROR", "CONCURRENT_REQUESTS": conc * 2, "CONCURRENT_REQUESTS_PER_DOMAIN": conc,
                              "ROBOTSTXT_OBEY": False, "TELNETCONSOLE_ENABLED": False, "HTTPERROR_ALLOW_ALL": True,
                              "DOWNLOADER": "xunjian.crawler.downloader.PoliteDownloader"})
    crawler = process.create_crawler(Bare)
    start = time.monotonic()
    process.crawl(crawler, url=url)
    process.start()
    seconds = time.monotonic() - start
    pages = crawler.spider.pages
    print(json.dumps({"pages": pages, "seconds": round(seconds, 2), "pages_per_s": round(pages / seconds, 1)}))


if __name__ == "__main__":
    main()
