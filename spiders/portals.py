"""Old path of the profile spiders (``spiders.portals.DzwwwSpider`` …), kept for existing code.

The classes are defined in :mod:`newscrawl.crawling.spiders`; Scrapy's spider loader
only lists a spider in the module that defines it, so listing ``"spiders"`` in
``SPIDER_MODULES`` does not register them twice.
"""

from newscrawl.crawling import spiders as _spiders
from newscrawl.crawling.spider import PortalSpider

globals().update(
    {
        name: value
        for name, value in vars(_spiders).items()
        if isinstance(value, type) and issubclass(value, PortalSpider) and value is not PortalSpider
    }
)
