"""The project's own item pipelines.

newscrawl's pipelines live in :mod:`newscrawl.crawling.pipelines` and are enabled by
``newscrawl.settings``. Put a pipeline of your own deployment here and add it to
``ITEM_PIPELINES`` in your settings module (this folder is importable when Scrapy runs
from the project directory, where ``scrapy.cfg`` is; it is not installed with the package).
The modules ``pipelines.record``, ``pipelines.versioning`` and ``pipelines.dedupe`` keep
the class paths of earlier releases working in existing settings.
"""
