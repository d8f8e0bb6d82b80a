"""The dzwww spider a Scrapy user would write by hand: the crawl benchmark's peer.

Channel list pages → article links (``h3 > a``) and the next list page (the TRS
``createPageHTML(count, index, "index", "htm")`` call, the only pager in the
HTML); article pages (the current template: ``#news-head``, ``#news-side``,
``#news-body``) → one dict with title, date, source, author, paragraphs and
images. Nothing else: no archive, no state, no normalisation. Standalone (Scrapy
and parsel only), run the way a user runs a one-file spider::

    scrapy runspider bench/handwritten_spider.py -a start_urls=URL,URL -O out.jsonl
"""

import re

import scrapy

PAGER = re.compile(r'createPageHTML\((\d+),\s*(\d+),\s*"(\w+)",\s*"(\w+)"\)')


class DzwwwSpider(scrapy.Spider):
    name = "dzwww_handwritten"
    start_urls = [
        "https://www.dzwww.com/xinwen/shehuixinwen/",
        "https://www.dzwww.com/news/yw/",
        "https://sd.dzwww.com/sdnews/",
        "https://edu.dzwww.com/dzjyxw/jyzytt2/",
    ]
    custom_settings = {"FEED_EXPORT_ENCODING": "utf-8"}

    def __init__(self, start_urls=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if start_urls:
            self.start_urls = start_urls.split(",")

    def parse(self, response):
        for href in response.css("h3 > a::attr(href)").getall():
            yield response.follow(href, callback=self.parse_article)

        pager = PAGER.search(response.text)
        if pager:
            count, index, name, ext = pager.groups()
            following = int(index) + 1
            if following < int(count):
                yield response.follow(f"{name}_{following}.{ext}", callback=self.parse)

    def parse_article(self, response):
        side = response.css("#news-side")
        body = response.css("#news-body")
        yield {
            "url": response.url,
            "title": response.css("#news-head h2::text").get(default="").strip(),
            "date": side.css(".date").xpath("normalize-space()").get(),
            "source": side.xpath('.//h5[contains(., "来源")]/following-sibling::p[1]/text()').get(),
            "author": side.xpath('.//h5[contains(., "作者")]/following-sibling::p[1]/text()').get(),
            "paragraphs": [
                text for p in body.css("p") if (text := "".join(p.css("::text").getall()).strip())
            ],
            "images": [response.urljoin(src) for src in body.css("img::attr(src)").getall()],
        }
