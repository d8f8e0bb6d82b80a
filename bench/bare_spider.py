"""The crawl benchmark's floor: every URL handed over up front, a callback that does nothing.

scrapy runspider bench/bare_spider.py -a urls=FILE   (one URL a line)
"""

from pathlib import Path

import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: str = "", *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.urls = Path(urls).read_text(encoding="utf-8").split() if urls else []

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response, **kwargs):
        return None
