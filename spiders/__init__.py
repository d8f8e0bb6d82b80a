"""Scrapy spiders: one per portal profile (``scrapy crawl <profile name>``)."""
