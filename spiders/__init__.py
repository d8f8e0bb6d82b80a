"""Scrapy spiders, one per portal profile."""
