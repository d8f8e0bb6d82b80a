"""What a run remembers and how it is judged: the state store and the health verdict.

Plain Python (no Scrapy): the crawling components feed these with values.
"""
