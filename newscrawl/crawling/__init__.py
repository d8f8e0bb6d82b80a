"""The crawling layer: the only place Scrapy is imported."""
