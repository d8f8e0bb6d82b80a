"""A spider for every profile in ``newscrawl/profiles/``: ``scrapy crawl <profile name>``,
``… generic``. They differ only in their profile; see
:class:`newscrawl.crawling.spider.PortalSpider`."""

from newscrawl.crawling.spider import PortalSpider
from newscrawl.sites import all_profiles


def _spider_class(name: str) -> type[PortalSpider]:
    class_name = "".join(part.capitalize() for part in name.split("_")) + "Spider"
    return type(
        class_name,
        (PortalSpider,),
        {"name": name, "profile": all_profiles()[name], "__module__": __name__},
    )


for _name in all_profiles():
    globals()[_spider_class(_name).__name__] = _spider_class(_name)
