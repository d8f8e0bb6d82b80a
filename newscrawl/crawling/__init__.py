"""The crawling layer: the only part of newscrawl that imports Scrapy."""
