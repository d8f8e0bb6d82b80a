"""Scrapy extensions of a newscrawl run."""
