"""``scrapy crawl``, exiting with the run's health like ``newscrawl run``."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newscrawl.crawling.process import crawl_and_judge, report
from newscrawl.runs.monitor import EXIT_HEALTHY, EXIT_LOCKED


class Command(ScrapyCrawlCommand):
    """Scrapy's ``crawl``; the exit code is the run's verdict (README: exit codes).

    With ``NEWSCRAWL_EXIT_CODE`` off it exits as Scrapy's own command does
    (1 only when the crawl could not start; 75 still when another run holds the lock).
    """

    def short_desc(self) -> str:
        return "Run a spider of the current project, by name; exit code = run health"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) < 1:
            raise UsageError
        if len(args) > 1:
            raise UsageError("running 'scrapy crawl' with more than one spider is not supported")
        assert self.crawler_process is not None and self.settings is not None
        crawler = self._create_crawler(args[0])
        outcome = crawl_and_judge(self.crawler_process, crawler, dict(opts.spargs))
        report(outcome, sys.stderr)
        if self.settings.getbool("NEWSCRAWL_EXIT_CODE") or outcome.exit_code == EXIT_LOCKED:
            self.exitcode = outcome.exit_code
        else:
            self.exitcode = 1 if self.crawler_process.bootstrap_failed else EXIT_HEALTHY
