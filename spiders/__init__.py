"""The project's own spiders.

newscrawl's spiders, one per portal profile, live in :mod:`newscrawl.crawling.spiders`
(``SPIDER_MODULES`` in ``newscrawl.settings``). Put a hand-written spider of your own
deployment here and add ``"spiders"`` to ``SPIDER_MODULES`` in your settings module (this
folder is importable when Scrapy runs from the project directory, where ``scrapy.cfg`` is;
it is not installed with the package).
"""
