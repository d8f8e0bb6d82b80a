"""``scrapy crawl dzwww``: 大众网 (dzwww.com) channels and articles."""

from newscrawl.sites import dzwww
from newscrawl.spider import PortalSpider


class DzwwwSpider(PortalSpider):
    name = "dzwww"
    profile = dzwww.PROFILE
